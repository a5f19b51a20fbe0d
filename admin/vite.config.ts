/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The panel is served at /admin/: locally by the platform, with the API on the same origin;
// on AWS by CloudFront, with the API at config.json's apiBase (another origin).
// `npm run dev` serves the panel at http://127.0.0.1:5173/admin/ and proxies the
// API to a local platform (`make run`, http://127.0.0.1:3000).
const platform = 'http://127.0.0.1:3000';

export default defineConfig({
  base: '/admin/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    target: 'es2022',
  },
  server: {
    host: '127.0.0.1',
    port: 5173,
    strictPort: true,
    proxy: {
      '/admin-api': platform,
      '/_local/admin': platform,
    },
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}'],
    setupFiles: ['src/test/setup.ts'],
    restoreMocks: true,
    // Above the 3 s a waiting assertion may take (src/test/setup.ts), on a loaded machine too.
    testTimeout: 20000,
  },
});

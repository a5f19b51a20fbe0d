import { describe, expect, it } from 'vitest';
import { parseConfig } from './config';

describe('config', () => {
  it('reads local mode', () => {
    expect(parseConfig({ mode: 'local' })).toEqual({ mode: 'local' });
  });
  it('reads cognito mode', () => {
    expect(
      parseConfig({
        mode: 'cognito',
        authority: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc/',
        clientId: 'client',
        redirectUri: 'https://panel.example/admin/callback',
        logoutUri: 'https://panel.example/admin/',
      }),
    ).toEqual({
      mode: 'cognito',
      authority: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc',
      clientId: 'client',
      redirectUri: 'https://panel.example/admin/callback',
      logoutUri: 'https://panel.example/admin/',
    });
  });
  it('refuses what it cannot use', () => {
    expect(() => parseConfig({ mode: 'other' })).toThrow();
    expect(() => parseConfig({ mode: 'cognito', clientId: 'c', authority: 'http://evil.example', redirectUri: 'https://x/' })).toThrow();
    expect(() => parseConfig('local')).toThrow();
  });
});

describe('return path after sign-in', () => {
  it('stays inside the panel', async () => {
    const { safeReturnPath } = await import('./auth/cognito');
    expect(safeReturnPath('/tokens/tok_00000001')).toBe('/tokens/tok_00000001');
    expect(safeReturnPath('//evil.example/')).toBe('/');
    expect(safeReturnPath('https://evil.example/')).toBe('/');
    expect(safeReturnPath(undefined)).toBe('/');
  });
});

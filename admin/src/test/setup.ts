import '@testing-library/jest-dom/vitest';
import { cleanup, configure } from '@testing-library/react';
import { afterEach } from 'vitest';

// A loaded 2-core CI machine renders slower than a laptop: wait up to 3 s for what a test expects.
configure({ asyncUtilTimeout: 3000 });

// jsdom has <dialog> without its modal behaviour: enough of it for the tests.
if (typeof HTMLDialogElement !== 'undefined' && typeof HTMLDialogElement.prototype.showModal !== 'function') {
  HTMLDialogElement.prototype.showModal = function showModal(this: HTMLDialogElement) {
    this.setAttribute('open', '');
  };
  HTMLDialogElement.prototype.close = function close(this: HTMLDialogElement) {
    if (!this.hasAttribute('open')) return;
    this.removeAttribute('open');
    this.dispatchEvent(new Event('close'));
  };
}

afterEach(() => {
  cleanup();
  window.sessionStorage.clear();
  window.localStorage.clear();
});

// jsdom has no Blob URLs: enough of them for the downloads (a test spies on them).
if (typeof URL.createObjectURL !== 'function') {
  let blobs = 0;
  URL.createObjectURL = () => `blob:http://127.0.0.1:3000/test-${++blobs}`;
}
if (typeof URL.revokeObjectURL !== 'function') {
  URL.revokeObjectURL = () => undefined;
}

// Electron's main process entry for `npm run test:electron-vectors`: runs the crypto vector tests
// here, where node:crypto is backed by BoringSSL, and exits with their result. No window is opened.
import { app } from 'electron';
import { runVectorTests } from './vectors-run.mjs';

const crypto = `Electron ${process.versions.electron}, Node ${process.versions.node}, ${process.versions.boringssl ? 'BoringSSL' : `OpenSSL ${process.versions.openssl ?? '?'}`}`;
console.log(`crypto vectors in Electron's main process (${crypto})`);
runVectorTests()
  .then(({ passed, failed, skipped }) => {
    console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
    app.exit(failed > 0 || passed === 0 ? 1 : 0);
  })
  .catch((error) => {
    console.error(error);
    console.log('0 passed, 1 failed');
    app.exit(1);
  });

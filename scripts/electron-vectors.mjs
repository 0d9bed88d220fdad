// `npm run test:electron-vectors`: the crypto vector tests inside Electron's main process, where
// node:crypto is BoringSSL rather than OpenSSL, so a difference between the two (a curve point the
// one accepts and the other refuses, an AEAD edge case) shows before users meet it.
// Where no Electron binary is installed (it is downloaded on first launch, and machines without a
// route to its download host never get one) the run is skipped with the reason, exit 0: nothing is
// downloaded from here. `--under-node` runs the same runner under this Node, to check the runner.
// On a Linux machine without a display, run it under xvfb-run: Electron's main process needs one.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, runVectorTests } from './vectors-run.mjs';

/** The Electron executable that `require('electron')` would give, or a reason there is none (never downloads). */
function findElectron() {
  const pkg = join(ROOT, 'node_modules', 'electron');
  if (!existsSync(join(pkg, 'package.json'))) return { reason: 'the electron package is not installed' };
  const pathFile = join(pkg, 'path.txt');
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : null;
  const override = process.env['ELECTRON_OVERRIDE_DIST_PATH'];
  if (override) {
    const bin = join(override, relative ?? 'electron');
    return existsSync(bin) ? { bin } : { reason: `ELECTRON_OVERRIDE_DIST_PATH has no ${relative ?? 'electron'}` };
  }
  if (relative === null) return { reason: "Electron's runtime was never downloaded: node_modules/electron/path.txt is missing, it is fetched on first launch" };
  const bin = join(pkg, 'dist', relative);
  return existsSync(bin) ? { bin } : { reason: `node_modules/electron/dist/${relative} is missing` };
}

if (process.argv.includes('--under-node')) {
  const { passed, failed, skipped } = await runVectorTests();
  console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
  process.exit(failed > 0 || passed === 0 ? 1 : 0);
}

const found = findElectron();
if (!('bin' in found)) {
  console.log(`skipped: no Electron binary (${found.reason}); the vectors run under Node in \`npm test\`, and here once Electron's runtime is installed`);
  console.log('0 passed, 0 failed, 1 skipped');
  process.exit(0);
}
// ELECTRON_RUN_AS_NODE is cleared: the vectors must run in the real main process, not Electron-as-Node.
const env = { ...process.env };
delete env['ELECTRON_RUN_AS_NODE'];
const run = spawnSync(found.bin, [join(ROOT, 'scripts', 'electron-vectors-main.mjs')], { cwd: ROOT, env, stdio: 'inherit' });
if (run.error) {
  console.error(`could not start Electron at ${found.bin}: ${run.error.message}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}
process.exit(run.status ?? 1);

// `npm start`: build and launch the desktop app. Where Electron's runtime cannot be had (no route to
// its download host), say so in one sentence instead of a stack trace.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  console.error(`Parley needs Node 24 (found ${process.version}); run it through npm (npm start), which uses the pinned one.`);
  process.exit(1);
}

// Resolving the `electron` package downloads its runtime on first use; do it in a child so that a
// failed download is caught here, quietly.
const probe = spawnSync(process.execPath, ['-e', "process.stdout.write(require('electron'))"], {
  encoding: 'utf8',
  timeout: 300_000,
});
if (probe.status !== 0) {
  console.error(
    "Parley's desktop window needs Electron's runtime, which could not be downloaded on this machine: run `npm start` again where the Electron download host is reachable (it fetches the runtime once by itself) or set ELECTRON_OVERRIDE_DIST_PATH to an Electron 45 folder; meanwhile `npm run peer -- host` runs Parley headless.",
  );
  process.exit(1);
}

const bin = require.resolve('electron-vite/bin/electron-vite.js');
const run = spawnSync(process.execPath, [bin, 'preview', ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(run.status ?? 1);

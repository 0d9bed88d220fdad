// `npm run peer`: the headless peer (CLI.md), run from its JavaScript bundle (build-peer.mjs), which
// is built here first when it is missing or older than any source it is made from. Building runs
// in a child process so that none of the toolchain stays in the peer's memory, and writes only to
// stderr: stdout is the peer's, JSON lines only. If the bundle cannot be built the peer runs from
// its TypeScript sources as before (slower to start, more memory), saying so on stderr.
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bundleIsCurrent } from './peer-bundle-state.mjs';
import { PEER_V8_FLAGS } from './peer-v8-flags.mjs';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const BUNDLE = join(ROOT, 'out', 'peer', 'parley-peer.mjs');

let entry = BUNDLE;
if (!bundleIsCurrent(BUNDLE, ROOT)) {
  // Imported only here: a current bundle starts without loading child_process at all.
  const { spawnSync } = await import('node:child_process');
  const build = spawnSync(process.execPath, ['--experimental-strip-types', '--no-warnings=ExperimentalWarning', join(ROOT, 'scripts', 'build-peer.mjs'), BUNDLE], {
    cwd: ROOT,
    stdio: ['ignore', 2, 2],
  });
  if (build.status !== 0) {
    process.stderr.write('parley: the peer bundle could not be built; running from the TypeScript sources\n');
    entry = join(ROOT, 'src', 'cli', 'main.ts');
  }
}
if (entry === BUNDLE && typeof process.execve === 'function') {
  // Replace this process with a fresh Node running the bundle (same pid, same stdin/stdout): the
  // peer then carries none of the launcher (about 1 MB of RSS), and runs with its own V8 flags.
  // Not on Windows, which has no execve: there the peer runs in this process, with Node's defaults.
  process.execve(process.execPath, [process.execPath, ...PEER_V8_FLAGS, '--no-warnings=ExperimentalWarning', BUNDLE, ...process.argv.slice(2)], process.env);
}
await import(pathToFileURL(entry).href);

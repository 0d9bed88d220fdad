/**
 * The headless peer's entry point (CLI.md; the command is in peer.ts). It only turns Node's
 * compile cache on before loading the rest.
 *
 * Why: the peer runs from TypeScript sources, and stripping the types of its ~50 modules (Node's
 * amaro, a WebAssembly build of swc) took most of its start-up: ~1 s of wall time to `ready` on
 * the build machine, against ~0.3 s once the stripped code and V8's code cache are reused. This
 * file itself is always stripped (it is loaded before any of our code runs), so it stays small.
 *
 * The cache lives in a per-user directory that only its owner may write, never in a shared temp
 * directory: whoever can write the cache can change the code that runs with our keys. If that
 * cannot be ensured the peer simply starts without it. NODE_COMPILE_CACHE and
 * NODE_DISABLE_COMPILE_CACHE keep their usual meaning.
 */
import { mkdirSync, statSync } from 'node:fs';
import { enableCompileCache, flushCompileCache } from 'node:module';
import { defaultCacheDir } from './data-dir.ts';

function ownerOnlyDir(dir: string): boolean {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (process.platform === 'win32') return true; // the user profile's ACLs apply
    const st = statSync(dir);
    return st.isDirectory() && st.uid === process.getuid?.() && (st.mode & 0o022) === 0;
  } catch {
    return false;
  }
}

const cacheDir = defaultCacheDir();
if (ownerOnlyDir(cacheDir)) enableCompileCache(cacheDir);
await import('./peer.ts');
// Write what this start compiled now rather than at exit: a peer ended by a signal never exits normally.
flushCompileCache();

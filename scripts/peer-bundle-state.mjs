// Whether the peer bundle is current: it exists and nothing it is made from is newer. Kept apart
// from build-peer.mjs so that the launcher (scripts/peer.mjs) checks it without loading Vite.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** What the bundle is made from, relative to the project root: sources, the build, the dependencies. */
export const PEER_SOURCES = ['src/cli', 'src/core', 'src/shared', 'scripts/build-peer.mjs', 'scripts/native-externals.ts', 'package.json', 'package-lock.json'];

/** The newest modification time under `path` (0 if it does not exist); a folder counts too, as deleting a file changes it. */
export function newestMtime(path) {
  let st;
  try {
    st = statSync(path);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/** True if `bundle` exists and is at least as new as every one of `sources` under `root`. */
export function bundleIsCurrent(bundle, root, sources = PEER_SOURCES) {
  let built;
  try {
    built = statSync(bundle).mtimeMs;
  } catch {
    return false;
  }
  return sources.every((s) => newestMtime(join(root, s)) <= built);
}

// Builds the headless peer (src/cli) into one JavaScript file, out/peer/parley-peer.mjs, with the
// project's own toolchain (Vite's SSR build on Rolldown). `npm run peer` runs that file instead of
// the TypeScript sources: no type stripping at start, one module instead of ~50, which saves about
// a quarter of the idle peer's memory (BENCHMARKS.md, P8). Every dependency is bundled except the
// packages with native addons (scripts/native-externals.ts), which load from node_modules.
// The file is written under a temporary name and renamed into place: a peer starting meanwhile
// sees the old bundle or the new one, never half of one. Progress goes to stderr only.
import { mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { nativeExternalPatterns } from './native-externals.ts';

export const ROOT = fileURLToPath(new URL('../', import.meta.url));
export const PEER_BUNDLE = join(ROOT, 'out', 'peer', 'parley-peer.mjs');

/** Builds the bundle into `target` (PEER_BUNDLE by default). */
export async function buildPeer(target = PEER_BUNDLE) {
  const dir = join(target, '..');
  mkdirSync(dir, { recursive: true });
  const tmp = mkdtempSync(join(dir, '.build-'));
  try {
    await build({
      configFile: false,
      root: ROOT,
      logLevel: 'error',
      publicDir: false,
      build: {
        ssr: join(ROOT, 'src/cli/main.ts'),
        outDir: tmp,
        emptyOutDir: false,
        target: 'node24',
        // Minified: less source for V8 to keep, about 1 MB of the idle peer's RSS (P8's 60 MB goal).
        minify: true,
        sourcemap: false,
        reportCompressedSize: false,
        rolldownOptions: {
          external: nativeExternalPatterns(),
          output: { format: 'es', entryFileNames: 'parley-peer.mjs', codeSplitting: false },
        },
      },
      ssr: { target: 'node', noExternal: true },
    });
    renameSync(join(tmp, 'parley-peer.mjs'), target);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const target = process.argv[2] ?? PEER_BUNDLE;
  await buildPeer(target);
  process.stderr.write(`parley: built the peer bundle ${target}\n`);
}

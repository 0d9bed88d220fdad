// Runs the crypto vector tests (tests/unit/crypto: Wycheproof, KATs, OpenSSL cross-checks) with
// Vitest's Node API in the current process, and reports the counts. Used inside Electron's main
// process by electron-vectors-main.mjs (Electron's crypto is BoringSSL, not Node's OpenSSL), and
// under plain Node by `electron-vectors.mjs --under-node`, which checks the runner itself.
// Threads, not forks: a forked worker would start process.execPath, which in Electron is the app.
import { fileURLToPath } from 'node:url';

/** The project root. */
export const ROOT = fileURLToPath(new URL('../', import.meta.url));

/** Runs the vector tests; resolves to { passed, failed, skipped } (failed > 0 also for errors outside tests). */
export async function runVectorTests() {
  const { startVitest } = await import('vitest/node');
  const vitest = await startVitest('test', ['tests/unit/crypto/'], { root: ROOT, run: true, watch: false, pool: 'threads', project: ['node'] });
  const files = vitest?.state.getFiles() ?? [];
  const counts = { passed: 0, failed: 0, skipped: 0 };
  const visit = (task) => {
    if (task.type === 'test') {
      const state = task.result?.state;
      if (state === 'pass') counts.passed += 1;
      else if (state === 'fail') counts.failed += 1;
      else counts.skipped += 1;
    }
    for (const child of task.tasks ?? []) visit(child);
  };
  for (const file of files) {
    if (file.result?.state === 'fail' && (file.tasks ?? []).length === 0) counts.failed += 1; // a file that failed to load
    visit(file);
  }
  const errors = vitest?.state.getUnhandledErrors().length ?? 1;
  if (files.length === 0 || errors > 0) counts.failed += Math.max(errors, 1);
  await vitest?.close();
  return counts;
}

/**
 * `npm run test:electron-vectors`: without an Electron binary it says so and exits 0; with one it
 * starts that binary on the main-process runner and passes its exit status on. Electron's runtime
 * cannot be downloaded here, so the "binary" of the second case is a stand-in script that records
 * how it was started (the runner itself is checked by `electron-vectors.mjs --under-node`).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SCRIPT = join(ROOT, 'scripts/electron-vectors.mjs');
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function run(env: Record<string, string | undefined>): { status: number | null; stdout: string } {
  const r = spawnSync(process.execPath, [SCRIPT], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env } });
  return { status: r.status, stdout: r.stdout };
}

describe('test:electron-vectors', () => {
  it('without an Electron binary: skipped with the reason, exit 0, a CI closing line', () => {
    const empty = mkdtempSync(join(tmpdir(), 'parley-noelectron-'));
    dirs.push(empty);
    const r = run({ ELECTRON_OVERRIDE_DIST_PATH: empty });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^skipped: no Electron binary \(.+\)/m);
    expect(r.stdout.trim().split('\n').at(-1)).toBe('0 passed, 0 failed, 1 skipped');
  });

  it('with a binary: runs it on the main-process runner (not as Node) and returns its status', () => {
    const dist = mkdtempSync(join(tmpdir(), 'parley-fakeelectron-'));
    dirs.push(dist);
    const log = join(dist, 'started.txt');
    const bin = join(dist, 'electron');
    writeFileSync(bin, `#!/bin/sh\nprintf '%s|%s' "$1" "\${ELECTRON_RUN_AS_NODE:-unset}" > '${log}'\nexit 3\n`);
    chmodSync(bin, 0o755);
    const r = run({ ELECTRON_OVERRIDE_DIST_PATH: dist, ELECTRON_RUN_AS_NODE: '1' });
    expect(r.status).toBe(3);
    expect(readFileSync(log, 'utf8')).toBe(`${join(ROOT, 'scripts/electron-vectors-main.mjs')}|unset`);
  });
});

/**
 * `npm run peer` runs the headless peer from a JavaScript bundle (scripts/build-peer.mjs) instead of
 * its TypeScript sources (P8: idle memory). Built here with the project's own toolchain (into a
 * temporary folder under out/), the bundle must keep the CLI contract: a bundled host talks to a
 * peer run from source over real TCP. The launcher (scripts/peer.mjs) rebuilds only when a source
 * is newer.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectContract, killPeers, ROOT, spawnPeer } from '../helpers/cli-peer.ts';
// @ts-expect-error -- a plain .mjs script without typings; the test uses its two functions as they are
import { bundleIsCurrent, PEER_SOURCES } from '../../scripts/peer-bundle-state.mjs';
import { NATIVE_EXTERNALS } from '../../scripts/native-externals.ts';
import { PEER_V8_FLAGS } from '../../scripts/peer-v8-flags.mjs';

let dir: string;
let outDir: string;
let bundle: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'parley-peer-bundle-'));
  // Inside the project, as out/peer is: the external packages resolve from its node_modules.
  mkdirSync(join(ROOT, 'out'), { recursive: true });
  outDir = mkdtempSync(join(ROOT, 'out', '.peer-test-'));
  bundle = join(outDir, 'parley-peer.mjs');
  const run = spawnSync(process.execPath, ['--experimental-strip-types', '--no-warnings=ExperimentalWarning', join(ROOT, 'scripts/build-peer.mjs'), bundle], { cwd: ROOT, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`build-peer failed:\n${run.stderr}`);
  expect(run.stdout).toBe(''); // stdout belongs to the peer: the build says nothing there
}, 60_000);

afterAll(async () => {
  await killPeers();
  rmSync(dir, { recursive: true, force: true });
  rmSync(outDir, { recursive: true, force: true });
});

describe('the peer bundle', () => {
  it('imports only Node built-ins and the native-addon packages', () => {
    const text = readFileSync(bundle, 'utf8');
    // Minified: static imports may share a line (`import{x as e}from"node:fs";`).
    const imported = [...text.matchAll(/\bfrom\s*"([^"]+)"|\bimport\s*\(?\s*"([^"]+)"/g)].map((m) => m[1] ?? m[2] ?? '');
    expect(imported.length).toBeGreaterThan(0);
    const foreign = imported.filter((id) => !id.startsWith('node:') && !NATIVE_EXTERNALS.some((n) => id === n || id.startsWith(`${n}/`)));
    expect(foreign).toEqual([]);
    expect(text).not.toMatch(/from\s*"(?:@noble\/|valibot)/);
    expect(text).not.toMatch(/\brequire\(\s*"(?:@noble\/|valibot)/);
  });

  it('keeps the CLI contract: a bundled host and a peer run from source exchange a message', async () => {
    const host = spawnPeer(['host', '--port', '0', '--bind', '127.0.0.1', '--data', join(dir, 'a'), '--name', 'Ada', '--json'], { command: [process.execPath, bundle] });
    const listening = await host.waitFor('listening');
    const joiner = spawnPeer(['join', String(listening['invite']), '--data', join(dir, 'b'), '--name', 'Bea', '--json']);
    await joiner.waitFor('connected');
    await host.waitFor('connected');
    joiner.send('hello from source');
    const got = await host.waitFor('message');
    expect(got['text']).toBe('hello from source');
    await joiner.waitFor('delivered');
    host.command({ cmd: 'quit' });
    joiner.command({ cmd: 'quit' });
    expect((await host.exited).code).toBe(0);
    await joiner.exited;
    expectContract(host);
    expect(host.stderr()).toBe('');
  });
});

describe('the launcher’s rebuild check', () => {
  it('is current only when the bundle exists and no source is newer', () => {
    const root = join(dir, 'tree');
    for (const s of PEER_SOURCES as string[]) {
      const path = join(root, s);
      if (s.includes('.')) {
        mkdirSync(join(path, '..'), { recursive: true });
        writeFileSync(path, 'x');
      } else {
        mkdirSync(join(path, 'deep'), { recursive: true });
        writeFileSync(join(path, 'deep', 'file.ts'), 'x');
      }
    }
    const built = join(root, 'bundle.mjs');
    const old = new Date(Date.now() - 60_000);
    for (const s of PEER_SOURCES as string[]) {
      const path = join(root, s);
      if (!s.includes('.')) {
        utimesSync(join(path, 'deep', 'file.ts'), old, old);
        utimesSync(join(path, 'deep'), old, old);
      }
      utimesSync(path, old, old);
    }
    expect(bundleIsCurrent(built, root)).toBe(false); // missing
    writeFileSync(built, 'bundle');
    expect(bundleIsCurrent(built, root)).toBe(true);
    const later = new Date(Date.now() + 60_000);
    utimesSync(join(root, 'src/core/deep/file.ts'), later, later); // a source edited after the build
    expect(bundleIsCurrent(built, root)).toBe(false);
  });

  // The peer's own V8 flags (a capped young generation: less memory and shorter GC pauses with many
  // sessions, BENCHMARKS.md P5/P8) reach the process that runs it. Read from /proc: Linux only.
  it.runIf(existsSync('/proc/self/cmdline'))('npm run peer’s launcher runs the peer with the peer’s V8 flags', async () => {
    expect(PEER_V8_FLAGS).toContain('--max-semi-space-size=4');
    const host = spawnPeer(['host', '--port', '0', '--bind', '127.0.0.1', '--data', join(dir, 'flags'), '--json'], {
      command: [process.execPath, '--experimental-strip-types', '--no-warnings=ExperimentalWarning', join(ROOT, 'scripts/peer.mjs')],
    });
    await host.waitFor('listening');
    // execve keeps the pid: the launcher's process is now the peer, with Node's command line replaced.
    const argv = readFileSync(`/proc/${host.proc.pid}/cmdline`, 'utf8').split('\0');
    for (const flag of PEER_V8_FLAGS) expect(argv).toContain(flag);
    expect(argv.some((a) => a.endsWith('parley-peer.mjs'))).toBe(true);
    host.command({ cmd: 'quit' });
    expect((await host.exited).code).toBe(0);
  });

  it('npm run peer’s launcher answers with the contract’s JSON on stdout only', () => {
    const data = join(dir, 'launcher');
    const run = spawnSync(process.execPath, ['--experimental-strip-types', '--no-warnings=ExperimentalWarning', join(ROOT, 'scripts/peer.mjs'), 'id', '--data', data, '--json'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, PARLEY_PASSPHRASE: '' },
    });
    expect(run.status).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({ event: 'identity', fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(bundleIsCurrent(join(ROOT, 'out/peer/parley-peer.mjs'), ROOT)).toBe(true);
  });
});

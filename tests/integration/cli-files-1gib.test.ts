/**
 * Issue 10's "done when", in the suite: two headless peers send a 1 GiB file and a 0-byte file
 * through --accept-files with matching SHA-256, and the same after the receiver is killed (-9)
 * half-way and restarted with the same --data (it resumes from the bytes it held). The source is
 * written once (a repeating pseudo-random 1 MiB block, hashed while written) under the OS temp
 * directory; everything is deleted afterwards. The tests run one after the other: each moves a
 * GiB through the disk twice.
 */
import { rm } from 'node:fs/promises';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256File } from '../helpers/cli-files.ts';
import { expectContract, killPeers, spawnHost, spawnPeer as spawnRaw, type CliPeer } from '../helpers/cli-peer.ts';
import { writePatternFile } from '../helpers/pattern-file.ts';
import { cleanupNodes, tempDir } from '../helpers/services.ts';

const GiB = 1024 ** 3;
const SLOW = { timeout: 600_000 };
const LONG = { timeoutMs: 540_000 };
const EMPTY_SHA = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

const peers: CliPeer[] = [];
function spawnPeer(args: readonly string[]): CliPeer {
  const p = spawnRaw(args);
  peers.push(p);
  return p;
}
let work = '';
let big = '';
let empty = '';
let bigSha = '';
beforeAll(async () => {
  work = await tempDir('parley-1gib-');
  big = join(work, 'one-gib.bin');
  empty = join(work, 'empty.bin');
  bigSha = await writePatternFile(big, GiB, 11);
  writeFileSync(empty, '');
}, 120_000);
afterAll(async () => {
  await killPeers();
  await cleanupNodes();
  for (const p of peers.splice(0)) expectContract(p);
});

async function joined(target: string, data: string, extra: readonly string[] = []): Promise<{ peer: CliPeer; fingerprint: string }> {
  const peer = spawnPeer(['join', target, '--data', data, '--json', ...extra]);
  const ready = await peer.waitFor('ready');
  await peer.waitFor('connected');
  return { peer, fingerprint: ready['fingerprint'] as string };
}

describe('1 GiB between headless peers', () => {
  it('a 1 GiB file and a 0-byte file arrive with matching SHA-256', SLOW, async () => {
    const dl = join(work, 'dl-straight');
    const h = await spawnHost(join(work, 'h1'), ['--accept-files', dl]);
    peers.push(h.peer);
    const j = await joined(h.invite, join(work, 'j1'));
    j.peer.command({ cmd: 'send-file', peer: h.fingerprint, path: big });
    j.peer.command({ cmd: 'send-file', peer: h.fingerprint, path: empty });
    const gotEmpty = await h.peer.waitFor('file-received', (e) => e['size'] === 0, LONG);
    const got = await h.peer.waitFor('file-received', (e) => e['size'] === GiB, LONG);
    expect(gotEmpty['sha256']).toBe(EMPTY_SHA);
    expect(got['sha256']).toBe(bigSha);
    expect(await sha256File(got['path'] as string)).toBe(bigSha);
    expect(await sha256File(gotEmpty['path'] as string)).toBe(EMPTY_SHA);
    await j.peer.waitFor('file-sent', (e) => e['id'] === got['id'], LONG);
    // quit waits for nothing more: both transfers are final
    j.peer.end();
    expect((await j.peer.exited).code).toBe(0);
    await rm(dl, { recursive: true, force: true });
  });

  it('the same after the receiver is killed half-way and restarted: it resumes from what it held', SLOW, async () => {
    const dl = join(work, 'dl-resumed');
    const jData = join(work, 'j2');
    const h = await spawnHost(join(work, 'h2'));
    peers.push(h.peer);
    const first = await joined(h.invite, jData, ['--accept-files', dl]);
    h.peer.command({ cmd: 'send-file', peer: first.fingerprint, path: empty });
    h.peer.command({ cmd: 'send-file', peer: first.fingerprint, path: big });
    const gotEmpty = await first.peer.waitFor('file-received', (e) => e['size'] === 0, LONG);
    expect(gotEmpty['sha256']).toBe(EMPTY_SHA);
    const id = (await h.peer.waitFor('file-sending', (e) => e['size'] === GiB, LONG))['id'];
    await first.peer.waitFor('file-progress', (e) => e['id'] === id && (e['bytes'] as number) >= GiB / 2, LONG);
    first.peer.kill('SIGKILL');
    await h.peer.waitFor('disconnected', (e) => e['peer'] === first.fingerprint);
    const mark = h.peer.events.length;

    const again = await joined(h.invite, jData, ['--accept-files', dl]);
    const resumedAt = (await again.peer.waitFor('file-progress', (e) => e['id'] === id, LONG))['bytes'] as number;
    expect(resumedAt).toBeGreaterThan(GiB / 4); // what it held at the last checkpoint before the kill, not 0
    expect((await h.peer.waitFor('file-progress', (e) => e['id'] === id, { since: mark, ...LONG }))['bytes']).toBe(resumedAt);
    const got = await again.peer.waitFor('file-received', (e) => e['id'] === id, LONG);
    expect(got['sha256']).toBe(bigSha);
    expect(await sha256File(got['path'] as string)).toBe(bigSha);
    await h.peer.waitFor('file-sent', (e) => e['id'] === id, LONG);
    await rm(dl, { recursive: true, force: true });
  });
});

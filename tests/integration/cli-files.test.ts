/**
 * Files between headless peers (CLI.md "Additions", PROTOCOL.md section 9): real processes, real
 * TCP on 127.0.0.1, real disks. Transfers in both directions at once with chat, a 0-byte file,
 * every event in order; errors (a peer without `files`, unknown ids, a malformed file message);
 * resuming after a kill -9 of the receiver or of the sender from the bytes already held; and a
 * part file damaged while the receiver was down ending in `corrupt` with nothing kept.
 */
import { randomUUID } from 'node:crypto';
import { openSync, readdirSync, readSync, statSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { utf8 } from '../../src/core/crypto/bytes.ts';
import { eventsOf, expectProgress, sha256File, shape } from '../helpers/cli-files.ts';
import { expectContract, killPeers, spawnHost, spawnPeer as spawnRaw, type CliEvent, type CliPeer } from '../helpers/cli-peer.ts';
import { writePatternFile } from '../helpers/pattern-file.ts';
import { rawJoin } from '../helpers/raw-peer.ts';
import { cleanupNodes, tempDir } from '../helpers/services.ts';

const SLOW = { timeout: 180_000 };
const MiB = 1024 * 1024;
/** Big enough that a transfer is still running when the receiver's progress passes KILL_AT, even on a fast machine. */
const RESUME_SIZE = 256 * MiB;
/** Past the first checkpoint (16 MiB): a killed receiver holds at least that much. */
const KILL_AT = 40 * MiB;
const LONG = { timeoutMs: 150_000 };

const peers: CliPeer[] = [];
function spawnPeer(args: readonly string[]): CliPeer {
  const p = spawnRaw(args);
  peers.push(p);
  return p;
}
afterAll(async () => {
  await killPeers();
  await cleanupNodes(); // removes every temp dir, the files included
  for (const p of peers.splice(0)) expectContract(p);
});

async function host(data: string, extra: readonly string[] = []): Promise<Awaited<ReturnType<typeof spawnHost>>> {
  const h = await spawnHost(data, extra);
  peers.push(h.peer);
  return h;
}
async function joined(target: string, data: string, extra: readonly string[] = []): Promise<{ peer: CliPeer; fingerprint: string }> {
  const peer = spawnPeer(['join', target, '--data', data, '--json', ...extra]);
  const ready = await peer.waitFor('ready');
  await peer.waitFor('connected');
  return { peer, fingerprint: ready['fingerprint'] as string };
}
const idOf = (e: CliEvent): string => e['id'] as string;
const partFiles = (dir: string): string[] => readdirSync(dir).filter((n) => n.endsWith('.part'));

describe.concurrent('files between headless peers', () => {
  it('two transfers at once, both ways, plus chat and a 0-byte file: every event in order, SHA-256 matching on disk', SLOW, async () => {
    const work = await tempDir('parley-files-');
    const [hostDl, joinDl] = [join(work, 'host-dl'), join(work, 'join-dl')];
    const h = await host(join(work, 'h'), ['--accept-files', hostDl]);
    const j = await joined(h.invite, join(work, 'j'), ['--accept-files', joinDl]);
    await h.peer.waitFor('connected');
    const [a, b, z] = [join(work, 'a.bin'), join(work, 'b.bin'), join(work, 'empty.txt')];
    const shaA = await writePatternFile(a, 4 * MiB + 123, 2);
    const shaB = await writePatternFile(b, 3 * MiB, 3);
    writeFileSync(z, '');

    j.peer.command({ cmd: 'send-file', peer: h.fingerprint, path: a });
    j.peer.command({ cmd: 'send-file', peer: h.fingerprint, path: z });
    h.peer.command({ cmd: 'send-file', peer: j.fingerprint, path: b });
    j.peer.send('typed during the transfers');
    h.peer.command({ cmd: 'send', peer: j.fingerprint, text: 'and back' });

    const idA = idOf(await j.peer.waitFor('file-sending', (e) => e['name'] === 'a.bin'));
    const idZ = idOf(await j.peer.waitFor('file-sending', (e) => e['name'] === 'empty.txt'));
    const idB = idOf(await h.peer.waitFor('file-sending', (e) => e['name'] === 'b.bin'));
    const gotA = await h.peer.waitFor('file-received', (e) => e['id'] === idA);
    const gotZ = await h.peer.waitFor('file-received', (e) => e['id'] === idZ);
    const gotB = await j.peer.waitFor('file-received', (e) => e['id'] === idB);
    for (const [sender, id] of [[j.peer, idA], [j.peer, idZ], [h.peer, idB]] as const) await sender.waitFor('file-sent', (e) => e['id'] === id);
    expect((await h.peer.waitFor('message'))['text']).toBe('typed during the transfers');
    expect((await j.peer.waitFor('message'))['text']).toBe('and back');

    expect(gotA).toMatchObject({ peer: j.fingerprint, path: join(hostDl, 'a.bin'), size: 4 * MiB + 123, sha256: shaA });
    expect(gotB).toMatchObject({ peer: h.fingerprint, path: join(joinDl, 'b.bin'), size: 3 * MiB, sha256: shaB });
    expect(gotZ).toMatchObject({ path: join(hostDl, 'empty.txt'), size: 0, sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' });
    expect(await sha256File(gotA['path'] as string)).toBe(shaA);
    expect(await sha256File(gotB['path'] as string)).toBe(shaB);
    expect(statSync(gotZ['path'] as string).size).toBe(0);
    expect(readdirSync(hostDl).sort()).toEqual(['a.bin', 'empty.txt']);
    expect(readdirSync(joinDl)).toEqual(['b.bin']);

    for (const [sender, receiver, id, size] of [[j.peer, h.peer, idA, 4 * MiB + 123], [j.peer, h.peer, idZ, 0], [h.peer, j.peer, idB, 3 * MiB]] as const) {
      expect(shape(eventsOf(sender, id))).toEqual(['file-sending', 'delivered', 'file-progress', 'file-sent']);
      expect(shape(eventsOf(receiver, id))).toEqual(['file-offer', 'file-progress', 'file-received']);
      expectProgress(eventsOf(sender, id), size);
      expectProgress(eventsOf(receiver, id), size);
      expect(eventsOf(receiver, id).find((e) => e.event === 'file-progress')?.['bytes']).toBe(0); // a fresh transfer starts at 0
    }
  });

  it('file-error for a connected peer without files (its file messages are ignored); bad-input for unknown ids; a malformed file message closes where files was negotiated', SLOW, async () => {
    const work = await tempDir('parley-files-');
    const h = await host(join(work, 'h'));
    const old = await rawJoin(h.port, { name: 'Old' });
    await h.peer.waitFor('connected', (e) => e['peer'] === old.fingerprint);
    const src = join(work, 'note.txt');
    writeFileSync(src, 'hello');
    h.peer.command({ cmd: 'send-file', peer: old.fingerprint, path: src });
    expect((await h.peer.waitFor('error'))['code']).toBe('file-error');
    // Section 9: file* types are unknown types without `files`: ignored, the connection goes on.
    old.send({ type: 'file', id: randomUUID(), ts: Date.now(), name: 'x.bin', size: 5, sha256: '0'.repeat(64) });
    old.send({ type: 'file-accept', id: randomUUID(), offset: -1 });
    old.send({ type: 'msg', id: randomUUID(), ts: Date.now(), text: 'still here' });
    expect((await h.peer.waitFor('message'))['text']).toBe('still here');

    const errors = h.peer.all('error').length;
    h.peer.command({ cmd: 'accept-file', id: randomUUID(), dir: work });
    h.peer.command({ cmd: 'cancel-file', id: randomUUID() });
    h.peer.command({ cmd: 'cancel-file', id: 'not-an-id' });
    await h.peer.waitFor('error', () => h.peer.all('error').length >= errors + 3);
    expect(h.peer.all('error').slice(errors).map((e) => e['code'])).toEqual(['bad-input', 'bad-input', 'bad-input']);

    const hello = utf8(JSON.stringify({ v: 1, name: 'New', features: ['files'] }));
    const fresh = await rawJoin(h.port, { name: 'New', helloPayload: hello });
    await h.peer.waitFor('connected', (e) => e['peer'] === fresh.fingerprint);
    fresh.send({ type: 'file', id: randomUUID(), ts: 1, name: 'a/b', size: 1, sha256: '0'.repeat(64) });
    await h.peer.waitFor('disconnected', (e) => e['peer'] === fresh.fingerprint && e['reason'] === 'protocol-error');
    expect(h.peer.all('file-offer')).toEqual([]);
    h.peer.end();
    expect((await h.peer.exited).code).toBe(0);
  });

  it('an offer over --max-file-size is declined (too-large); an offer queued for an offline peer that comes back without files is cancelled (unsupported) and never sent to it', SLOW, async () => {
    const work = await tempDir('parley-files-');
    const dl = join(work, 'dl');
    const h = await host(join(work, 'h'), ['--accept-files', dl, '--max-file-size', '1000']);
    const j = await joined(h.invite, join(work, 'j'));
    const src = join(work, 'big.txt');
    writeFileSync(src, 'x'.repeat(1001));
    j.peer.command({ cmd: 'send-file', peer: h.fingerprint, path: src });
    const id = idOf(await j.peer.waitFor('file-sending'));
    expect((await h.peer.waitFor('file-cancelled', (e) => e['id'] === id))['reason']).toBe('too-large');
    expect((await j.peer.waitFor('file-cancelled', (e) => e['id'] === id))['reason']).toBe('too-large');
    expect(readdirSync(dl)).toEqual([]);

    const old = await rawJoin(h.port, { name: 'Old' });
    await h.peer.waitFor('connected', (e) => e['peer'] === old.fingerprint);
    old.raw.destroy();
    await h.peer.waitFor('disconnected', (e) => e['peer'] === old.fingerprint);
    h.peer.command({ cmd: 'send-file', peer: old.fingerprint, path: src });
    const queued = idOf(await h.peer.waitFor('file-sending', (e) => e['peer'] === old.fingerprint));
    const back = await rawJoin(h.port, { name: 'Old', key: old.key });
    expect((await h.peer.waitFor('file-cancelled', (e) => e['id'] === queued))['reason']).toBe('unsupported');
    h.peer.command({ cmd: 'send', peer: old.fingerprint, text: 'after the offer' });
    // The first thing the old peer gets is the text: the offer never went out on a link without files.
    expect(await back.receive()).toMatchObject({ type: 'msg', text: 'after the offer' });
  });

  it('resumes after a kill -9 of the receiver from the bytes it held, not from 0', SLOW, async () => {
    const r = await receiverKilledHalfway(false);
    const resumed = eventsOf(r.receiver, r.id).find((e) => e.event === 'file-progress');
    const offset = resumed?.['bytes'] as number;
    expect(offset).toBeGreaterThanOrEqual(16 * MiB); // at least the first checkpoint
    expect(offset).toBeLessThan(RESUME_SIZE);
    // The sender shows the transfer going on from the receiver's offset.
    expect((await r.sender.waitFor('file-progress', (e) => e['id'] === r.id, { since: r.senderMark, ...LONG }))['bytes']).toBe(offset);
    const got = await r.receiver.waitFor('file-received', (e) => e['id'] === r.id, LONG);
    expect(got['sha256']).toBe(r.sha);
    expect(await sha256File(got['path'] as string)).toBe(r.sha);
    await r.sender.waitFor('file-sent', (e) => e['id'] === r.id, LONG);
    expect(partFiles(r.dl)).toEqual([]);
  });

  it('a part file damaged while the receiver was down ends in corrupt on both sides, with nothing kept', SLOW, async () => {
    const r = await receiverKilledHalfway(true);
    expect((await r.receiver.waitFor('file-cancelled', (e) => e['id'] === r.id, LONG))['reason']).toBe('corrupt');
    expect((await r.sender.waitFor('file-cancelled', (e) => e['id'] === r.id, LONG))['reason']).toBe('corrupt');
    expect(readdirSync(r.dl)).toEqual([]);
    expect(r.receiver.all('file-received')).toEqual([]);
  });

  it('resumes after a kill -9 of the sender: the restarted sender continues from what the receiver holds', SLOW, async () => {
    const work = await tempDir('parley-files-');
    const src = join(work, 'video.bin');
    const sha = await writePatternFile(src, RESUME_SIZE, 5);
    const dl = join(work, 'dl');
    const h = await host(join(work, 'h'), ['--accept-files', dl]);
    const jData = join(work, 'j');
    const first = await joined(h.invite, jData);
    first.peer.command({ cmd: 'send-file', peer: h.fingerprint, path: src });
    const id = idOf(await first.peer.waitFor('file-sending'));
    await h.peer.waitFor('file-progress', (e) => e['id'] === id && (e['bytes'] as number) >= KILL_AT, LONG);
    first.peer.kill('SIGKILL');
    await h.peer.waitFor('disconnected', (e) => e['peer'] === first.fingerprint);
    const mark = h.peer.events.length;
    const again = await joined(h.invite, jData);
    // The restarted sender's first progress is the offset the receiver asked for.
    const offset = (await again.peer.waitFor('file-progress', (e) => e['id'] === id, LONG))['bytes'] as number;
    expect(offset).toBeGreaterThanOrEqual(KILL_AT); // the receiver stayed up: it holds all it got
    // The receiver shows the same offset when it asks (late progress of the old connection's writes may come first).
    await h.peer.waitFor('file-progress', (e) => e['id'] === id && e['bytes'] === offset, { since: mark, ...LONG });
    const got = await h.peer.waitFor('file-received', (e) => e['id'] === id, LONG);
    expect(await sha256File(got['path'] as string)).toBe(sha);
    await again.peer.waitFor('file-sent', (e) => e['id'] === id, LONG);
  });
});

/**
 * A host sends RESUME_SIZE bytes to a joiner that accepts files; the joiner is killed (-9) once it
 * has KILL_AT bytes and restarted with the same --data. With `corrupt`, one byte of its part file
 * is flipped while it is down.
 */
async function receiverKilledHalfway(corrupt: boolean): Promise<{ sender: CliPeer; receiver: CliPeer; id: string; sha: string; dl: string; senderMark: number }> {
  const work = await tempDir('parley-files-');
  const src = join(work, 'big.bin');
  const sha = await writePatternFile(src, RESUME_SIZE, 7);
  const dl = join(work, 'dl');
  const jData = join(work, 'j');
  const h = await host(join(work, 'h'));
  const first = await joined(h.invite, jData, ['--accept-files', dl]);
  await h.peer.waitFor('connected');
  h.peer.command({ cmd: 'send-file', peer: first.fingerprint, path: src });
  const id = idOf(await h.peer.waitFor('file-sending'));
  await first.peer.waitFor('file-progress', (e) => e['id'] === id && (e['bytes'] as number) >= KILL_AT, LONG);
  first.peer.kill('SIGKILL');
  await first.peer.exited;
  await h.peer.waitFor('disconnected', (e) => e['peer'] === first.fingerprint);
  if (corrupt) {
    const [part] = partFiles(dl);
    const fd = openSync(join(dl, part as string), 'r+');
    const byte = Buffer.alloc(1);
    readSync(fd, byte, 0, 1, 1000);
    byte[0] = (byte[0] as number) ^ 0xff;
    writeSync(fd, byte, 0, 1, 1000);
    closeSync(fd);
  }
  const senderMark = h.peer.events.length;
  const again = await joined(h.invite, jData, ['--accept-files', dl]);
  await again.peer.waitFor('file-progress', (e) => e['id'] === id, LONG).catch(() => undefined);
  return { sender: h.peer, receiver: again.peer, id, sha, dl, senderMark };
}

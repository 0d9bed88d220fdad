/**
 * Issue 10, "Done when": an independent implementation that follows only docs/PROTOCOL.md
 * section 9 can receive from and send to Parley. The independent implementation is
 * mini-peer.mjs (node: built-ins only, nothing from src/); the other side is the real headless
 * peer, as a child process on 127.0.0.1. The mini peer closes the connection on any chunk at an
 * offset it did not expect, so a Parley sender that restarted from 0 instead of resuming fails
 * the resume case; and it checks the SHA-256 itself before it answers `file-done`.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { sha256File } from '../helpers/cli-files.ts';
import { expectContract, killPeers, ROOT, spawnHost, spawnPeer, type CliEvent, type CliPeer } from '../helpers/cli-peer.ts';
import { chunk, fingerprint, initiatorHandshake, keyPair, parseChunk } from './mini-peer.mjs';

const MiB = 1024 * 1024;
const SLOW = { timeout: 120_000 };
const MINI = join(ROOT, 'tests', 'interop', 'mini-peer.mjs');
const EMPTY_SHA = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'parley-interop-'));
  dirs.push(dir);
  return dir;
}
afterEach(async () => {
  await killPeers();
});
afterAll(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** The mini peer as a child process; its stdout is JSON lines with `event`, like the CLI's. */
function mini(args: readonly string[]): CliPeer {
  return spawnPeer(args, { command: [process.execPath, MINI] });
}
async function expectCleanExit(peer: CliPeer): Promise<void> {
  const exit = await peer.exited;
  expect(peer.all('error'), peer.stderr()).toEqual([]);
  expect(peer.nonJson).toEqual([]);
  expect(exit).toEqual({ code: 0, signal: null });
}
function randomFile(path: string, size: number): void {
  writeFileSync(path, randomBytes(size));
}
const idOfName = (peer: CliPeer, name: string): string => (peer.all('offer-sent').find((e) => e['name'] === name) as CliEvent)['id'] as string;

describe('the mini peer, written from docs/PROTOCOL.md alone, and the headless peer', () => {
  it("its Noise code reproduces every handshake and transport message of the Parley known answers, and every fingerprint", () => {
    // A check of the mini peer itself (independent data, not made by Parley): if it disagreed
    // here, a failure against the real peer would say nothing about the document.
    const dir = join(ROOT, 'tests', 'fixtures', 'vectors', 'parley');
    type Message = { payload: string; ciphertext: string };
    type Vector = { init_static: string; init_ephemeral: string; handshake_hash: string; messages: [Message, Message, Message, ...Message[]] };
    const { vectors } = JSON.parse(readFileSync(join(dir, 'noise_xx_p256_aesgcm_sha256.json'), 'utf8')) as { vectors: Vector[] };
    const hex = (s: string): Buffer => Buffer.from(s, 'hex');
    expect(vectors.length).toBeGreaterThan(0);
    for (const v of vectors) {
      const [m1, m2, m3, ...transport] = v.messages;
      const hs = initiatorHandshake(keyPair(hex(v.init_static)), keyPair(hex(v.init_ephemeral)));
      expect(hs.writeMessage1().toString('hex')).toBe(m1.ciphertext);
      expect(hs.readMessage2(hex(m2.ciphertext)).payload.toString('hex')).toBe(m2.payload);
      const { message, send, recv, handshakeHash } = hs.writeMessage3(hex(m3.payload));
      expect(message.toString('hex')).toBe(m3.ciphertext);
      expect(handshakeHash.toString('hex')).toBe(v.handshake_hash);
      // From index 3 on, even indices are the initiator's, odd ones the responder's.
      transport.forEach((m, i) => {
        if ((i + 3) % 2 === 0) expect(send.encrypt(Buffer.alloc(0), hex(m.payload)).toString('hex')).toBe(m.ciphertext);
        else expect(recv.decrypt(Buffer.alloc(0), hex(m.ciphertext)).toString('hex')).toBe(m.payload);
      });
    }
    const { keys } = JSON.parse(readFileSync(join(dir, 'identity_kat.json'), 'utf8')) as { keys: { private: string; public_compressed: string; fingerprint: string }[] };
    for (const k of keys) {
      expect(keyPair(hex(k.private)).pub.toString('hex')).toBe(k.public_compressed);
      expect(fingerprint(hex(k.public_compressed))).toBe(k.fingerprint);
    }
  });

  it("its chunk codec gives section 9's worked example byte for byte, and reads it back", () => {
    const id = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';
    const pt = chunk(id, 65_494, Buffer.from('hi'));
    // Copied from docs/PROTOCOL.md section 9 as it is printed there.
    const doc = '00 3f 25 04 e0 4f 89 41 d3 9a 0c 03 05 e8 2c 33 01 00 00 00 00 00 00 ff d6 68 69';
    expect(pt.toString('hex')).toBe(doc.replaceAll(' ', ''));
    expect(pt.length).toBe(27);
    expect(parseChunk(pt)).toEqual({ id, offset: 65_494, data: Buffer.from('hi') });
  });

  it('mini peer → Parley: a 3 MiB random file and a 0-byte file land in --accept-files with the same SHA-256; a chat message between chunks is stored and acked', SLOW, async () => {
    const work = await tempDir();
    const dl = join(work, 'dl');
    const [big, empty] = [join(work, 'random.bin'), join(work, 'empty.txt')];
    randomFile(big, 3 * MiB);
    writeFileSync(empty, '');
    const shaBig = await sha256File(big);
    const h = await spawnHost(join(work, 'host'), ['--accept-files', dl]);

    const m = mini(['send', '127.0.0.1', String(h.port), big, empty, '--say', 'typed between chunks']);
    const miniFp = (await m.waitFor('ready'))['fingerprint'];
    expect(await m.waitFor('connected')).toMatchObject({ peer: h.fingerprint, features: expect.arrayContaining(['files']) });
    await expectCleanExit(m); // it exits 0 only once both files got file-done
    const [idBig, idEmpty] = [idOfName(m, 'random.bin'), idOfName(m, 'empty.txt')];
    expect(m.all('file-done').map((e) => e['id']).sort()).toEqual([idBig, idEmpty].sort());
    const said = (await m.waitFor('said'))['id'];
    expect(m.all('acked').map((e) => e['id']).sort()).toEqual([idBig, idEmpty, said].sort());
    expect(await h.peer.waitFor('message', (e) => e['id'] === said)).toMatchObject({ peer: miniFp, text: 'typed between chunks' });

    const gotBig = await h.peer.waitFor('file-received', (e) => e['id'] === idBig);
    const gotEmpty = await h.peer.waitFor('file-received', (e) => e['id'] === idEmpty);
    expect(await h.peer.waitFor('file-offer', (e) => e['id'] === idBig)).toMatchObject({ peer: miniFp, name: 'random.bin', size: 3 * MiB, sha256: shaBig });
    expect(gotBig).toMatchObject({ peer: miniFp, path: join(dl, 'random.bin'), size: 3 * MiB, sha256: shaBig });
    expect(gotEmpty).toMatchObject({ peer: miniFp, path: join(dl, 'empty.txt'), size: 0, sha256: EMPTY_SHA });
    expect(await sha256File(join(dl, 'random.bin'))).toBe(shaBig);
    expect(statSync(join(dl, 'empty.txt')).size).toBe(0);
    h.peer.command({ cmd: 'quit' });
    await h.peer.exited;
    expectContract(h.peer);
  });

  it('mini peer → Parley with a wrong sha256 in the offer: Parley answers file-cancel corrupt and keeps nothing', SLOW, async () => {
    const work = await tempDir();
    const dl = join(work, 'dl');
    const src = join(work, 'liar.bin');
    randomFile(src, 200_000);
    const h = await spawnHost(join(work, 'host'), ['--accept-files', dl]);

    const m = mini(['send', '127.0.0.1', String(h.port), src, '--wrong-sha256']);
    const id = (await m.waitFor('offer-sent'))['id'];
    expect(await m.waitFor('file-cancelled')).toMatchObject({ id, reason: 'corrupt' });
    await expectCleanExit(m);
    expect(await h.peer.waitFor('file-cancelled', (e) => e['id'] === id)).toMatchObject({ reason: 'corrupt' });
    expect(h.peer.all('file-received')).toEqual([]);
    expect(existsSync(dl) ? readdirSync(dl) : []).toEqual([]);
    h.peer.command({ cmd: 'quit' });
    await h.peer.exited;
    expectContract(h.peer);
  });

  it('Parley → mini peer: send-file reaches the mini peer, which checks the SHA-256 and answers file-done; a 0-byte file too', SLOW, async () => {
    const work = await tempDir();
    const src = join(work, 'from-parley.bin');
    randomFile(src, 3 * MiB + 4321);
    const sha = await sha256File(src);
    const out = join(work, 'out');
    mkdirSync(out);
    const h = await spawnHost(join(work, 'host'));

    const m = mini(['receive', '127.0.0.1', String(h.port), out]);
    const miniFp = (await m.waitFor('ready'))['fingerprint'] as string;
    await h.peer.waitFor('connected', (e) => e['peer'] === miniFp);
    h.peer.command({ cmd: 'send-file', peer: miniFp, path: src });
    const id = (await h.peer.waitFor('file-sending'))['id'];

    const got = await m.waitFor('received');
    expect(got).toMatchObject({ id, path: join(out, 'from-parley.bin'), size: 3 * MiB + 4321, sha256: sha });
    // Parley's sender pings every 256 KiB of chunks and waits for pongs (section 9): the mini peer answered them.
    expect(got['pingsAnswered']).toBeGreaterThan(0);
    expect(await sha256File(join(out, 'from-parley.bin'))).toBe(sha);
    await h.peer.waitFor('delivered', (e) => e['id'] === id); // the offer was acked
    await h.peer.waitFor('file-sent', (e) => e['id'] === id); // file-done was understood
    await expectCleanExit(m);

    // A 0-byte file has no chunk at all (a chunk carries 1 to 65,494 bytes): accept, check, done.
    const empty = join(work, 'empty.txt');
    writeFileSync(empty, '');
    const m2 = mini(['receive', '127.0.0.1', String(h.port), out]);
    const mini2Fp = (await m2.waitFor('ready'))['fingerprint'] as string;
    await h.peer.waitFor('connected', (e) => e['peer'] === mini2Fp);
    h.peer.command({ cmd: 'send-file', peer: mini2Fp, path: empty });
    const emptyId = (await h.peer.waitFor('file-sending', (e) => e['peer'] === mini2Fp))['id'];
    expect(await m2.waitFor('received')).toMatchObject({ id: emptyId, path: join(out, 'empty.txt'), size: 0, sha256: EMPTY_SHA });
    await h.peer.waitFor('file-sent', (e) => e['id'] === emptyId);
    await expectCleanExit(m2);
    expect(statSync(join(out, 'empty.txt')).size).toBe(0);
    h.peer.command({ cmd: 'quit' });
    await h.peer.exited;
    expectContract(h.peer);
  });

  it('resume: the mini peer stops receiving after about half, reconnects with the same identity, asks from the offset it holds (Parley waits for that new file-accept), and the file matches', SLOW, async () => {
    const work = await tempDir();
    const out = join(work, 'out');
    const key = join(work, 'mini.key');
    const size = 8 * MiB + 17;
    const src = join(work, 'resumed.bin');
    randomFile(src, size);
    const sha = await sha256File(src);
    const h = await spawnHost(join(work, 'host'));
    mkdirSync(out);

    const first = mini(['receive', '127.0.0.1', String(h.port), out, '--key', key, '--stop-after', String(Math.floor(size / 2))]);
    const miniFp = (await first.waitFor('ready'))['fingerprint'] as string;
    await h.peer.waitFor('connected', (e) => e['peer'] === miniFp);
    h.peer.command({ cmd: 'send-file', peer: miniFp, path: src });
    const id = (await h.peer.waitFor('file-sending'))['id'];
    const stopped = await first.waitFor('stopped');
    const held = stopped['bytes'] as number;
    expect(held).toBeGreaterThanOrEqual(size / 2);
    expect(held).toBeLessThan(size);
    await expectCleanExit(first);
    expect(statSync(join(out, 'resumed.bin.part')).size).toBe(held);
    const since = h.peer.events.length;
    await h.peer.waitFor('disconnected', (e) => e['peer'] === miniFp);

    // --say: the second run sends a msg and holds its file-accept until that msg is acked, so a
    // Parley that went on sending without a new file-accept would send chunks the mini peer refuses.
    const second = mini(['receive', '127.0.0.1', String(h.port), out, '--key', key, '--say', 'back']);
    expect((await second.waitFor('ready'))['fingerprint']).toBe(miniFp);
    await h.peer.waitFor('connected', (e) => e['peer'] === miniFp, { since });
    const said = (await second.waitFor('said'))['id'];
    expect(await h.peer.waitFor('message', (e) => e['id'] === said)).toMatchObject({ peer: miniFp, text: 'back' });
    expect(await second.waitFor('accepting')).toMatchObject({ id, offset: held, size });
    const order = second.events.map((e) => e.event);
    expect(order.indexOf('acked')).toBeLessThan(order.indexOf('accepting'));
    expect(await second.waitFor('received')).toMatchObject({ id, path: join(out, 'resumed.bin'), size, sha256: sha });
    await expectCleanExit(second);
    expect(second.all('offer')).toEqual([]); // the offer was acked on the first connection: not sent again
    expect(await sha256File(join(out, 'resumed.bin'))).toBe(sha);
    expect(existsSync(join(out, 'resumed.bin.part'))).toBe(false);
    await h.peer.waitFor('file-sent', (e) => e['id'] === id);
    h.peer.command({ cmd: 'quit' });
    await h.peer.exited;
    expectContract(h.peer);
  });
});

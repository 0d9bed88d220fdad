/**
 * Adversarial peers after a real handshake (a hand-driven XX-P256 initiator): flipped bits,
 * replayed, reordered and truncated frames, plaintexts that are not JSON or break PROTOCOL.md
 * section 4, text over the limit. Each must close that connection as a protocol error with
 * nothing stored; after each, a legitimate peer still connects and talks at once, and the host's
 * history holds only what legitimate peers sent.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostingDto } from '../../src/shared/dto.ts';
import { expectOnlyLegitHistory, legitPeer, type LegitPeer } from '../helpers/legit-peer.ts';
import { expectContract, killPeers, spawnHost } from '../helpers/cli-peer.ts';
import { rawConnect, rawJoin, type RawSession } from '../helpers/raw-peer.ts';
import { cleanupNodes, startHost, startNode, tempDir, until, type TestNode } from '../helpers/services.ts';

let host: TestNode;
let hosting: HostingDto;
let peer: LegitPeer;
const allowed = new Set<string>();

beforeAll(async () => {
  ({ node: host, hosting } = await startHost('Host'));
  peer = await legitPeer(host, hosting);
});
afterAll(cleanupNodes);

async function stillServes(): Promise<void> {
  for (const id of await peer.talk()) allowed.add(id);
  expectOnlyLegitHistory(host, allowed);
}

/** A raw peer with an authenticated session, once the host reported it connected. */
async function attacker(): Promise<RawSession> {
  const session = await rawJoin(host === undefined ? 0 : hosting.port, { name: `attacker-${randomUUID().slice(0, 8)}` });
  await host.waitFor('connected', (e) => e.peer === session.fingerprint);
  return session;
}

/** The host closes this session as a protocol error, at once; nothing from it was stored. */
async function expectProtocolError(session: RawSession): Promise<void> {
  const ended = await host.waitFor('disconnected', (e) => e.peer === session.fingerprint, { timeoutMs: 2000 });
  expect(ended.reason).toBe('protocol-error');
  await session.raw.closed;
  expect(host.service.history(session.fingerprint, { before: null, limit: 10 }).filter((m) => !allowed.has(m.id))).toEqual([]);
}

const ID = (): string => randomUUID();
const msg = (over: Record<string, unknown> = {}): Record<string, unknown> => ({ type: 'msg', id: ID(), ts: 1_700_000_000_000, text: 'forged?', ...over });

describe('tampered transport frames', () => {
  it('a flipped bit in the ciphertext', async () => {
    const s = await attacker();
    const body = s.seal(JSON.stringify(msg()));
    body[3] = (body[3] as number) ^ 0x01;
    s.raw.writeFrame(body);
    await expectProtocolError(s);
    await stillServes();
  });

  it('a flipped bit in the tag, after a good message (the good one stays, once)', async () => {
    const s = await attacker();
    const good = msg({ text: 'genuine' });
    s.send(good);
    expect(await s.receiveType('ack')).toEqual({ type: 'ack', id: good.id });
    allowed.add(good.id as string);
    const body = s.seal(JSON.stringify(msg()));
    body[body.length - 1] = (body[body.length - 1] as number) ^ 0x80;
    s.raw.writeFrame(body);
    await expectProtocolError(s);
    expect(host.service.history(s.fingerprint, { before: null, limit: 10 }).map((m) => m.text)).toEqual(['genuine']);
    await stillServes();
  });

  it('a replayed frame', async () => {
    const s = await attacker();
    const m = msg({ text: 'say it once' });
    const frame = s.send(m);
    expect(await s.receiveType('ack')).toEqual({ type: 'ack', id: m.id });
    allowed.add(m.id as string);
    s.raw.writeFrame(frame);
    await expectProtocolError(s);
    expect(host.all('message').filter((e) => e.message.id === m.id)).toHaveLength(1);
    await stillServes();
  });

  it('two frames swapped (nonce out of order)', async () => {
    const s = await attacker();
    const first = s.seal(JSON.stringify(msg()));
    const second = s.seal(JSON.stringify(msg()));
    s.raw.writeFrame(second);
    s.raw.writeFrame(first);
    await expectProtocolError(s);
    await stillServes();
  });

  it('a truncated frame, and one shorter than a tag', async () => {
    const s = await attacker();
    const body = s.seal(JSON.stringify(msg()));
    s.raw.writeFrame(body.subarray(0, body.length - 1));
    await expectProtocolError(s);
    const t = await attacker();
    t.raw.writeFrame(new Uint8Array(15));
    await expectProtocolError(t);
    await stillServes();
  });

  it('a zero-length frame after the handshake', async () => {
    const s = await attacker();
    s.raw.write(Uint8Array.of(0, 0));
    await expectProtocolError(s);
    await stillServes();
  });
});

const uuid = '0f8fad5b-d9cb-469f-a165-70867728950e';
const badPlaintexts: [string, string | Uint8Array][] = [
  ['not JSON', 'hello'],
  ['an empty plaintext', ''],
  ['a JSON array', '[{"type":"ping"}]'],
  ['a JSON string', '"msg"'],
  ['null', 'null'],
  ['a number', '42'],
  ['an object without type', '{"id":"x"}'],
  ['a non-string type', '{"type":1}'],
  ['type null', '{"type":null}'],
  ['a byte order mark', Uint8Array.from([0xef, 0xbb, 0xbf, ...Buffer.from('{"type":"ping"}')])],
  ['invalid UTF-8', Uint8Array.from([0x7b, 0x22, 0x74, 0xff, 0x22, 0x3a, 0x31, 0x7d])],
  ['an unpaired surrogate in an unknown member', '{"type":"ping","x":"\\ud800"}'],
  ['trailing garbage', '{"type":"ping"} x'],
  ['deeply nested arrays', '['.repeat(60_000)],
  ['msg without id', JSON.stringify({ type: 'msg', ts: 1, text: 'x' })],
  ['msg without ts', JSON.stringify({ type: 'msg', id: uuid, text: 'x' })],
  ['msg without text', JSON.stringify({ type: 'msg', id: uuid, ts: 1 })],
  ['an uppercase id', JSON.stringify(msg({ id: uuid.toUpperCase() }))],
  ['an id without dashes', JSON.stringify(msg({ id: uuid.replaceAll('-', '') }))],
  ['an id of 35 characters', JSON.stringify(msg({ id: uuid.slice(1) }))],
  ['an id with a line before it', JSON.stringify(msg({ id: `x\n${uuid}` }))],
  ['an id with a line after it', JSON.stringify(msg({ id: `${uuid}\n` }))],
  ['an id in braces', JSON.stringify(msg({ id: `{${uuid}}` }))],
  ['a numeric id', JSON.stringify(msg({ id: 12345 }))],
  ['a negative ts', JSON.stringify(msg({ ts: -1 }))],
  ['a fractional ts', '{"type":"msg","id":"' + uuid + '","ts":1.5,"text":"x"}'],
  ['ts = 2^53', '{"type":"msg","id":"' + uuid + '","ts":9007199254740992,"text":"x"}'],
  ['ts 1e400', '{"type":"msg","id":"' + uuid + '","ts":1e400,"text":"x"}'],
  ['a string ts', JSON.stringify(msg({ ts: '1700000000000' }))],
  ['an empty text', JSON.stringify(msg({ text: '' }))],
  ['a text with NUL', JSON.stringify(msg({ text: 'a\u0000b' }))],
  ['a text with CR', JSON.stringify(msg({ text: 'a\rb' }))],
  ['a text with ESC', JSON.stringify(msg({ text: '\u001b[2J' }))],
  ['a text with DEL', JSON.stringify(msg({ text: 'a\u007f' }))],
  ['a text with a lone surrogate escape', '{"type":"msg","id":"' + uuid + '","ts":1,"text":"\\udfff"}'],
  ['a text that is not a string', JSON.stringify(msg({ text: ['x'] }))],
  ['text over the limit (16,001 code points)', JSON.stringify(msg({ text: 'x'.repeat(16_001) }))],
  ['text over the limit (16,001 astral code points)', JSON.stringify(msg({ text: '🦜'.repeat(16_001) }))],
  ['ack without id', '{"type":"ack"}'],
  ['ack with a bad id', JSON.stringify({ type: 'ack', id: 'nope' })],
];

describe('plaintexts that break section 4', () => {
  for (const [name, plaintext] of badPlaintexts) {
    it(name, async () => {
      const s = await attacker();
      s.send(plaintext);
      await expectProtocolError(s);
      await stillServes();
    });
  }
});

describe('what section 4 allows', () => {
  it('unknown types and unknown members are ignored; 16,000 astral code points are fine; an ack for a stranger id changes nothing', async () => {
    const s = await attacker();
    s.send({ type: 'typing', v: 2 });
    s.send({ type: 'ping', extra: [1, 2, 3] });
    expect(await s.receive()).toEqual({ type: 'pong' });
    // Someone else's message id, acked by the attacker: no delivery state changes for that peer.
    const legitIds = [...allowed];
    for (const id of legitIds) s.send({ type: 'ack', id });
    const big = msg({ text: '🦜'.repeat(16_000), extra: { nested: true } });
    s.send(big);
    expect(await s.receiveType('ack')).toEqual({ type: 'ack', id: big.id });
    allowed.add(big.id as string);
    expect(host.all('message-state').filter((e) => e.peer === s.fingerprint)).toEqual([]);
    // The same id from another peer is another message (ids are per peer).
    const t = await attacker();
    t.send(big);
    expect(await t.receiveType('ack')).toEqual({ type: 'ack', id: big.id });
    expect(host.service.history(t.fingerprint, { before: null, limit: 5 })).toHaveLength(1);
    expect(host.service.history(s.fingerprint, { before: null, limit: 5 })).toHaveLength(1);
    s.raw.destroy();
    t.raw.destroy();
    await stillServes();
  });
});

describe('the headless peer as the host', () => {
  it('survives a round of these attacks: still running, nothing forged printed, a legitimate peer talks', { timeout: 60_000 }, async () => {
    const cli = await spawnHost(join(await tempDir('parley-adv-'), 'data'));
    try {
      (await rawConnect(cli.port)).writeFrame(new Uint8Array(33)); // an invalid point
      (await rawConnect(cli.port)).write(Uint8Array.of(0, 0)); // a zero-length frame
      for (const plaintext of ['not json', JSON.stringify(msg({ id: `x\n${uuid}` })), JSON.stringify(msg({ text: 'x'.repeat(16_001) }))]) {
        const s = await rawJoin(cli.port);
        s.send(plaintext);
        await s.raw.closed;
      }
      const replay = await rawJoin(cli.port);
      const frame = replay.send(msg({ text: 'once only' }));
      await replay.receiveType('ack');
      replay.raw.writeFrame(frame);
      await replay.raw.closed;
      const guest = await startNode('Guest');
      await guest.service.join(cli.invite);
      const m = guest.service.send(cli.fingerprint, 'legit');
      await guest.waitFor('message-state', (e) => e.id === m.id && e.state === 'delivered');
      await cli.peer.waitFor('message', (e) => e['text'] === 'legit');
      await until(() => cli.peer.all('disconnected').length >= 4, 'the four sessions to be reported closed');
      expect(cli.peer.proc.exitCode).toBeNull();
      expect(cli.peer.all('message').map((e) => e['text'])).toEqual(['once only', 'legit']);
      expect(cli.peer.all('disconnected').map((e) => e['reason'])).toEqual(['protocol-error', 'protocol-error', 'protocol-error', 'protocol-error']);
      expectContract(cli.peer);
    } finally {
      await killPeers();
    }
  });
});

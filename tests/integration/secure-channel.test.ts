/**
 * The secure channel end to end over real TCP on 127.0.0.1: the XX-P256 handshake between two
 * in-process peers, messages both ways, and a man in the middle (a frame proxy) that tampers,
 * truncates, replays or reorders: each must end the session and deliver nothing forged.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { fingerprintHex } from '../../src/core/crypto/fingerprint.ts';
import { HandshakeError } from '../../src/core/protocol/perform-handshake.ts';
import { SecureSession, type SessionEndReason } from '../../src/core/protocol/secure-session.ts';
import type { TransportMessage } from '../../src/core/protocol/messages.ts';
import { startFrameProxy, type FrameRewriter } from '../helpers/frame-proxy.ts';
import { join, startResponder, type Side } from '../helpers/pair.ts';

type Received = { messages: TransportMessage[]; ended: Promise<SessionEndReason> };

function open(side: Side): { session: SecureSession; received: Received } {
  const session = new SecureSession(side.conn, side.result.send, side.result.receive);
  const messages: TransportMessage[] = [];
  let onEnd!: (r: SessionEndReason) => void;
  const ended = new Promise<SessionEndReason>((r) => (onEnd = r));
  session.start({ onMessage: (m) => messages.push(m), onEnd });
  return { session, received: { messages, ended } };
}

const msg = (text: string): TransportMessage => ({ type: 'msg', id: randomUUID(), ts: Date.now(), text });

async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > ms) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

describe('XX-P256 over TCP', () => {
  it('authenticates both sides, agrees on the handshake hash, and carries messages both ways', async () => {
    const host = await startResponder(undefined, 'Bob');
    cleanups.push(host.close);
    const guest = await join(host.port, { name: 'Zoë 🦜', expectedFingerprint: fingerprintHex(host.key.publicKey) });
    const hostSide = await host.accepted;
    expect(guest.result.remoteName).toBe('Bob');
    expect(hostSide.result.remoteName).toBe('Zoë 🦜');
    expect(guest.result.remoteFingerprint).toBe(fingerprintHex(host.key.publicKey));
    expect(hostSide.result.remoteFingerprint).toBe(fingerprintHex(guest.key.publicKey));
    expect(Buffer.from(guest.result.handshakeHash)).toEqual(Buffer.from(hostSide.result.handshakeHash));

    const a = open(guest);
    const b = open(hostSide);
    const toHost = [msg('hello'), msg('line one\nline two\twith tab'), msg('🦜'.repeat(16_000))];
    for (const m of toHost) a.session.send(m);
    b.session.send({ type: 'ack', id: (toHost[0] as { id: string }).id });
    b.session.send(msg('reply'));
    await until(() => b.received.messages.length === 3 && a.received.messages.length === 2);
    expect(b.received.messages).toEqual(toHost);
    expect(a.received.messages[0]).toEqual({ type: 'ack', id: (toHost[0] as { id: string }).id });
    a.session.close('quit');
    expect(await b.received.ended).toBe('closed');
  });

  it('aborts before message 3 when the responder is not the expected fingerprint', async () => {
    const host = await startResponder();
    cleanups.push(host.close);
    const wrong = 'ab'.repeat(32);
    const err = await join(host.port, { expectedFingerprint: wrong }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HandshakeError);
    expect((err as HandshakeError).code).toBe('fingerprint-mismatch');
    expect((err as HandshakeError).presented).toBe(fingerprintHex(host.key.publicKey));
    // The responder never got message 3: its handshake fails (closed), it never authenticates us.
    await expect(host.accepted).rejects.toBeInstanceOf(HandshakeError);
  });
});

describe('a man in the middle', () => {
  async function throughProxy(rewrite: FrameRewriter): Promise<{ a: ReturnType<typeof open>; b: Promise<ReturnType<typeof open>> }> {
    const host = await startResponder();
    cleanups.push(host.close);
    const proxy = await startFrameProxy(host.port, rewrite);
    cleanups.push(proxy.close);
    const guest = await join(proxy.port);
    const a = open(guest);
    cleanups.push(() => a.session.close('quit'));
    return { a, b: host.accepted.then(open) };
  }

  // Handshake frames are indices 0 and 1 towards the responder; transport frames follow.
  const cases: [string, FrameRewriter][] = [
    ['a flipped bit in a transport frame', (f, i, d) => (d === 'to-responder' && i === 3 ? [flip(f, 5)] : [f])],
    ['a truncated transport frame', (f, i, d) => (d === 'to-responder' && i === 3 ? [f.subarray(0, f.length - 1)] : [f])],
    ['a replayed transport frame', (f, i, d) => (d === 'to-responder' && i === 2 ? [f, f] : [f])],
    ['two transport frames swapped', reorder()],
    ['a dropped transport frame', (f, i, d) => (d === 'to-responder' && i === 2 ? [] : [f])],
  ];

  for (const [name, rewrite] of cases) {
    it(`${name} ends the session, and nothing after it is delivered`, async () => {
      const { a, b } = await throughProxy(rewrite);
      const sent = [msg('one'), msg('two'), msg('three')];
      for (const m of sent) a.session.send(m);
      const hostSide = await b;
      expect(await hostSide.received.ended).toBe('protocol-error');
      // Whatever was delivered is an untouched prefix of what was sent.
      expect(sent.slice(0, hostSide.received.messages.length)).toEqual(hostSide.received.messages);
      expect(hostSide.received.messages.length).toBeLessThan(sent.length);
    });
  }

  it('a tampered handshake message 2 fails the initiator before it sends message 3', async () => {
    const host = await startResponder();
    cleanups.push(host.close);
    const proxy = await startFrameProxy(host.port, (f, i, d) => (d === 'to-initiator' && i === 0 ? [flip(f, 40)] : [f]));
    cleanups.push(proxy.close);
    const err = await join(proxy.port).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HandshakeError);
    expect((err as HandshakeError).code).toBe('handshake-failed');
    await expect(host.accepted).rejects.toBeInstanceOf(HandshakeError);
  });
});

function flip(frame: Uint8Array, at: number): Uint8Array {
  const out = frame.slice();
  out[at % out.length] = (out[at % out.length] as number) ^ 0x01;
  return out;
}

function reorder(): FrameRewriter {
  let held: Uint8Array | null = null;
  return (f, i, d) => {
    if (d !== 'to-responder') return [f];
    if (i === 2) {
      held = f;
      return [];
    }
    if (i === 3 && held) return [f, held];
    return [f];
  };
}

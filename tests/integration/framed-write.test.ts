/**
 * The write path seals a message into pieces (ciphertext, tag) and writes the frame as its length
 * prefix and those pieces, corked, without joining them. What reaches the wire must be exactly what encodeFrame(EncryptWithAd(...)) gave before:
 * Parley's known-answer transport messages (tests/fixtures/vectors/parley), sent through a real
 * SecureSession over a FramedConnection on TCP and read raw on the other end, byte for byte.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { concatBytes, fromHex, toHex } from '../../src/core/crypto/bytes.ts';
import { FramedConnection } from '../../src/core/net/framed-connection.ts';
import type { CipherState } from '../../src/core/noise/cipher-state.ts';
import { HandshakeState } from '../../src/core/noise/handshake-state.ts';
import { P256_AESGCM_SHA256, PARLEY_PROLOGUE } from '../../src/core/noise/suites.ts';
import { encodeFrame, frameHeaderFor } from '../../src/core/protocol/frame.ts';
import { SecureSession } from '../../src/core/protocol/secure-session.ts';
import { loadVectors, type NoiseVector } from '../unit/noise/vector-runner.ts';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

/** A connected pair on 127.0.0.1: one side as a FramedConnection, the other raw, collecting bytes. */
async function pair(): Promise<{ conn: FramedConnection; received: () => Uint8Array; arrived: (n: number) => Promise<void> }> {
  let server!: Server;
  const accepted = new Promise<Socket>((resolve) => {
    server = createServer(resolve);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const client = connect((server.address() as { port: number }).port, '127.0.0.1');
  client.on('error', () => undefined);
  const raw = await accepted;
  const chunks: Buffer[] = [];
  let total = 0;
  let wake: (() => void) | null = null;
  raw.on('data', (c: Buffer) => {
    chunks.push(c);
    total += c.length;
    wake?.();
  });
  const conn = new FramedConnection(client);
  cleanups.push(() => {
    client.destroy();
    raw.destroy();
    server.close();
  });
  const arrived = async (n: number): Promise<void> => {
    while (total < n) await new Promise<void>((r) => (wake = r));
  };
  return { conn, received: () => new Uint8Array(Buffer.concat(chunks)), arrived };
}

/** Both sides' transport states of a vector, from its keys (the handshake checked byte for byte elsewhere). */
function transportStates(v: NoiseVector): { initiator: { send: CipherState; receive: CipherState }; responder: { send: CipherState; receive: CipherState } } {
  const key = (hex: string) => {
    const privateKey = fromHex(hex);
    return { privateKey, publicKey: P256_AESGCM_SHA256.dh.publicKeyFromPrivate(privateKey) };
  };
  const common = { suite: P256_AESGCM_SHA256, pattern: 'XX', prologue: PARLEY_PROLOGUE } as const;
  const i = new HandshakeState({ ...common, initiator: true, s: key(v.init_static!), e: key(v.init_ephemeral!) });
  const r = new HandshakeState({ ...common, initiator: false, s: key(v.resp_static!), e: key(v.resp_ephemeral!) });
  for (let m = 0; m < 3; m++) {
    const [writer, reader] = m % 2 === 0 ? [i, r] : [r, i];
    reader.readMessage(writer.writeMessage(fromHex(v.messages[m]!.payload)));
  }
  return { initiator: i.split(), responder: r.split() };
}

describe('frames encrypted in place', () => {
  it('put exactly the known-answer transport frames on the wire, from both sides', async () => {
    const vectors = loadVectors('parley/noise_xx_p256_aesgcm_sha256.json');
    let frames = 0;
    for (const v of vectors) {
      const states = transportStates(v);
      for (const side of ['initiator', 'responder'] as const) {
        const { conn, received, arrived } = await pair();
        const { send, receive } = states[side];
        const session = new SecureSession(conn, send, receive);
        const expected: Uint8Array[] = [];
        // After the handshake an even index is the initiator's (4, 6, ...), an odd one the responder's (3, 5, ...).
        v.messages.forEach((m, n) => {
          if (n < 3 || (n % 2 === 0) !== (side === 'initiator')) return;
          expect(session.sendPlaintext(fromHex(m.payload))).toBe(true);
          expected.push(encodeFrame(fromHex(m.ciphertext)));
          frames++;
        });
        const wire = concatBytes(...expected);
        await arrived(wire.length);
        expect(toHex(received())).toBe(toHex(wire));
        session.close('quit');
      }
    }
    // 26 transport messages in the four vectors, the largest a 64,103-byte body.
    expect(frames).toBe(26);
  });

  it('frameHeaderFor and the pieces give the bytes of encodeFrame, and refuse what no frame can hold', () => {
    for (const length of [1, 255, 256, 65_535]) {
      const body = new Uint8Array(length).map((_, i) => i * 7);
      for (const cut of [0, Math.floor(length / 2), length]) {
        const parts = [body.subarray(0, cut), body.subarray(cut)];
        expect(toHex(concatBytes(frameHeaderFor(parts), ...parts))).toBe(toHex(encodeFrame(body)));
      }
    }
    expect(() => frameHeaderFor([])).toThrow(RangeError);
    expect(() => frameHeaderFor([new Uint8Array(0)])).toThrow(RangeError);
    expect(() => frameHeaderFor([new Uint8Array(65_000), new Uint8Array(536)])).toThrow(RangeError);
    expect(() => frameHeaderFor([new Uint8Array(1), null as unknown as Uint8Array])).toThrow(TypeError);
    expect(() => frameHeaderFor(null as unknown as Uint8Array[])).toThrow(TypeError);
  });

  it('a 64 KiB frame written as pieces reaches the wire whole, behind and before other frames', async () => {
    const { conn, received, arrived } = await pair();
    const big = new Uint8Array(65_535).map((_, i) => i % 251);
    const parts = [big.subarray(0, 65_519), big.subarray(65_519)];
    expect(conn.writeFrame(Uint8Array.of(1))).toBe(true);
    expect(conn.writeFrameParts(parts)).toBe(true);
    expect(conn.writeFrame(Uint8Array.of(2))).toBe(true);
    const wire = concatBytes(encodeFrame(Uint8Array.of(1)), encodeFrame(big), encodeFrame(Uint8Array.of(2)));
    await arrived(wire.length);
    expect(toHex(received())).toBe(toHex(wire));
    conn.close();
    expect(conn.writeFrameParts(parts)).toBe(false);
  });
});

/**
 * Raw peers for adversarial tests: a bare TCP socket that writes whatever bytes a test wants, and
 * a hand-driven Noise initiator (HandshakeState + the P256 suite) that can complete a real
 * handshake and then send arbitrary plaintexts, tampered frames or replays to a real host.
 */
import { connect, type Socket } from 'node:net';
import { generateKeyPair, type KeyPair } from '../../src/core/crypto/p256.ts';
import { utf8 } from '../../src/core/crypto/bytes.ts';
import { fingerprintHex } from '../../src/core/crypto/fingerprint.ts';
import type { CipherState } from '../../src/core/noise/cipher-state.ts';
import { HandshakeState } from '../../src/core/noise/handshake-state.ts';
import { P256_AESGCM_SHA256, PARLEY_PROLOGUE } from '../../src/core/noise/suites.ts';
import { FrameDecoder, encodeFrame } from '../../src/core/protocol/frame.ts';

const EMPTY = new Uint8Array(0);

/** A bare socket to a host, collecting the frames it receives. */
export type RawSocket = {
  readonly socket: Socket;
  /** Frames received so far (copies). */
  readonly frames: Uint8Array[];
  /** Resolves when the socket is closed (by either side), with the time it happened. */
  readonly closed: Promise<number>;
  readonly isClosed: () => boolean;
  /** Writes raw bytes (no framing). */
  write(bytes: Uint8Array): void;
  /** Writes one frame (u16be length || body). */
  writeFrame(body: Uint8Array): void;
  /** The next frame not yet taken; rejects if the socket closes first or after timeoutMs. */
  nextFrame(timeoutMs?: number): Promise<Uint8Array>;
  destroy(): void;
};

/** Connects to 127.0.0.1:port (optionally from another loopback address). */
export function rawConnect(port: number, options: { localAddress?: string; host?: string } = {}): Promise<RawSocket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: options.host ?? '127.0.0.1', port, ...(options.localAddress ? { localAddress: options.localAddress } : {}) });
    socket.setNoDelay(true); // no Nagle: an attack frame must not wait for the host's delayed ACK
    const frames: Uint8Array[] = [];
    let taken = 0;
    let wake: (() => void) | null = null;
    let isClosed = false;
    let markClosed!: (t: number) => void;
    const closed = new Promise<number>((r) => (markClosed = r));
    const decoder = new FrameDecoder((f) => {
      frames.push(f.slice());
      wake?.();
    });
    socket.on('data', (chunk: Buffer) => {
      try {
        decoder.push(chunk);
      } catch {
        socket.destroy();
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      isClosed = true;
      markClosed(Date.now());
      wake?.();
    });
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.removeListener('error', reject);
      resolve({
        socket,
        frames,
        closed,
        isClosed: () => isClosed,
        write: (bytes) => void socket.write(bytes),
        writeFrame: (body) => void socket.write(encodeFrame(body)),
        nextFrame(timeoutMs = 5000) {
          return new Promise((res, rej) => {
            const timer = setTimeout(() => {
              wake = null;
              rej(new Error(`no frame within ${timeoutMs} ms`));
            }, timeoutMs);
            const check = (): void => {
              if (taken < frames.length) {
                clearTimeout(timer);
                wake = null;
                res(frames[taken++] as Uint8Array);
              } else if (isClosed) {
                clearTimeout(timer);
                wake = null;
                rej(new Error('the connection closed'));
              }
            };
            wake = check;
            check();
          });
        },
        destroy: () => socket.destroy(),
      });
    });
  });
}

/** An authenticated session driven by hand: the test chooses every plaintext and frame. */
export type RawSession = {
  readonly raw: RawSocket;
  readonly key: KeyPair;
  readonly fingerprint: string;
  /** The responder's name from its hello. */
  readonly remoteName: string;
  /** Encrypts a plaintext with the next send nonce (does not write it). */
  seal(plaintext: Uint8Array | string): Uint8Array;
  /** Encrypts and writes one plaintext (a string is UTF-8; an object is JSON). Returns the frame body. */
  send(plaintext: Uint8Array | string | object): Uint8Array;
  /** The next frame from the host, decrypted and parsed as JSON. */
  receive(timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Receives until a message of `type` arrives (skipping others); returns it. */
  receiveType(type: string, timeoutMs?: number): Promise<Record<string, unknown>>;
};

/** Options for a hand-driven initiator. */
export type RawHandshakeOptions = {
  readonly key?: KeyPair;
  readonly name?: string;
  /** Replaces the hello in message 3 (to send a bad one). */
  readonly helloPayload?: Uint8Array;
  readonly localAddress?: string;
};

/** Connects and runs the initiator's side of XX-P256 by hand; the host sees a normal peer. */
export async function rawJoin(port: number, options: RawHandshakeOptions = {}): Promise<RawSession> {
  const raw = await rawConnect(port, options.localAddress ? { localAddress: options.localAddress } : {});
  const key = options.key ?? generateKeyPair();
  const hs = new HandshakeState({ suite: P256_AESGCM_SHA256, pattern: 'XX', initiator: true, prologue: PARLEY_PROLOGUE, s: key });
  raw.writeFrame(hs.writeMessage());
  const hello = JSON.parse(new TextDecoder().decode(hs.readMessage(await raw.nextFrame()))) as { name: string };
  raw.writeFrame(hs.writeMessage(options.helloPayload ?? utf8(JSON.stringify({ v: 1, name: options.name ?? 'Raw' }))));
  const { send, receive } = hs.split();
  return makeSession(raw, key, hello.name, send, receive);
}

function makeSession(raw: RawSocket, key: KeyPair, remoteName: string, send: CipherState, receive: CipherState): RawSession {
  const toBytes = (p: Uint8Array | string | object): Uint8Array =>
    p instanceof Uint8Array ? p : typeof p === 'string' ? utf8(p) : utf8(JSON.stringify(p));
  const session: RawSession = {
    raw,
    key,
    fingerprint: fingerprintHex(key.publicKey),
    remoteName,
    seal: (p) => send.encryptWithAd(EMPTY, toBytes(p)),
    send(p) {
      const body = session.seal(toBytes(p));
      raw.writeFrame(body);
      return body;
    },
    async receive(timeoutMs) {
      const frame = await raw.nextFrame(timeoutMs);
      return JSON.parse(new TextDecoder().decode(receive.decryptWithAd(EMPTY, frame))) as Record<string, unknown>;
    },
    async receiveType(type, timeoutMs) {
      for (;;) {
        const m = await session.receive(timeoutMs);
        if (m['type'] === type) return m;
      }
    },
  };
  return session;
}

/**
 * The Parley handshake over a framed connection (PROTOCOL.md section 2), as straight-line async
 * steps in the manner of js-libp2p-noise's performHandshake:
 *
 *   initiator                          responder
 *   -> e                    (33 B)
 *                                      <- e, ee, s, es + hello
 *   [check the expected fingerprint before answering]
 *   -> s, se + hello
 *   Split(): initiator sends with c1, responder with c2.
 *
 * Any failure (a bad length, an invalid point, a failed decryption, a bad hello, the deadline)
 * throws HandshakeError; the caller closes the connection and nothing reaches the history.
 */
import { equalBytes, fromHex, toHex } from '../crypto/bytes.ts';
import { fingerprint, fingerprintHex } from '../crypto/fingerprint.ts';
import type { KeyPair } from '../crypto/p256.ts';
import { HandshakeState } from '../noise/handshake-state.ts';
import { NoiseError } from '../noise/errors.ts';
import { P256_AESGCM_SHA256, PARLEY_PROLOGUE } from '../noise/suites.ts';
import type { CipherState } from '../noise/cipher-state.ts';
import { ConnectionClosedError, type FrameChannel } from './frame-channel.ts';
import { cpuTurn } from './cpu-turns.ts';
import { HelloError, encodeHello, parseHello, type Hello, type HelloExtensions } from './hello.ts';

/** 10 seconds from the TCP connection being opened or accepted (PROTOCOL.md section 2). */
export const HANDSHAKE_TIMEOUT_MS = 10_000;
const MESSAGE_1_LENGTH = 33;

export type HandshakeFailure = 'fingerprint-mismatch' | 'handshake-timeout' | 'handshake-failed' | 'closed';

/** Why a handshake failed; `code` is what the CLI and the UI report. */
export class HandshakeError extends Error {
  override name = 'HandshakeError';
  readonly code: HandshakeFailure;
  /** The responder's fingerprint, for fingerprint-mismatch. */
  readonly presented: string | null;
  constructor(code: HandshakeFailure, message: string, presented: string | null = null) {
    super(message);
    this.code = code;
    this.presented = presented;
  }
}

export type HandshakeOptions = {
  readonly staticKey: KeyPair;
  readonly name: string;
  /** The hello's extension members (section 7): what this peer supports and its DHT key. */
  readonly extensions?: HelloExtensions;
  /** Initiator only: the fingerprint (64 hex) an invite promised; checked before message 3. */
  readonly expectedFingerprint?: string | null;
  /** Milliseconds left of the deadline (the caller started the clock when TCP opened). */
  readonly timeoutMs?: number;
  /** Responder only: called once message 1 arrived (the listener stops treating the peer as idle). */
  readonly onProgress?: () => void;
};

export type HandshakeResult = {
  readonly send: CipherState;
  readonly receive: CipherState;
  readonly remoteStatic: Uint8Array;
  readonly remoteFingerprint: string;
  readonly remoteName: string;
  /** The features both hellos listed (section 7: an extension is used only then). */
  readonly sharedFeatures: readonly string[];
  /** The peer's HyperDHT key from its hello, or null. */
  readonly remoteDht: string | null;
  /**
   * Responder only: the invite token from the joiner's hello (message 3), or null. An initiator
   * ignores an `invite` member in message 2 (it is validated, not used): only joiners present one.
   */
  readonly remoteInvite: string | null;
  readonly handshakeHash: Uint8Array;
};

/** Runs the initiator's side. */
export function initiatorHandshake(conn: FrameChannel, options: HandshakeOptions): Promise<HandshakeResult> {
  return withDeadline(conn, options.timeoutMs, async () => {
    const hs = new HandshakeState({ suite: P256_AESGCM_SHA256, pattern: 'XX', initiator: true, prologue: PARLEY_PROLOGUE, s: options.staticKey });
    try {
      await turn(conn);
      conn.writeFrame(hs.writeMessage());
      const m2 = await conn.readFrame();
      await turn(conn);
      const hello = parseHello(hs.readMessage(m2));
      const rs = hs.getRemoteStatic() as Uint8Array;
      // One decompression and hash of the peer's key, for both the check and the report.
      const presented = fingerprint(rs);
      const remoteFingerprint = toHex(presented);
      const expected = options.expectedFingerprint;
      // Constant-time is not needed for public data, but exact-length byte comparison avoids case games.
      if (expected != null && !equalBytes(presented, fromHex(expected))) {
        throw new HandshakeError('fingerprint-mismatch', 'the host presented a different identity than the invite', remoteFingerprint);
      }
      conn.writeFrame(hs.writeMessage(encodeHello(options.name, options.extensions)));
      return { ...finish(hs, rs, remoteFingerprint, hello, options.extensions), remoteInvite: null };
    } catch (err) {
      hs.destroy();
      throw err;
    }
  });
}

/** Runs the responder's side. */
export function responderHandshake(conn: FrameChannel, options: HandshakeOptions): Promise<HandshakeResult> {
  return withDeadline(conn, options.timeoutMs, async () => {
    const hs = new HandshakeState({ suite: P256_AESGCM_SHA256, pattern: 'XX', initiator: false, prologue: PARLEY_PROLOGUE, s: options.staticKey });
    try {
      const m1 = await conn.readFrame();
      if (m1.length !== MESSAGE_1_LENGTH) throw new HandshakeError('handshake-failed', 'message 1 must be exactly 33 bytes');
      options.onProgress?.();
      await turn(conn);
      hs.readMessage(m1, { maxPayloadLength: 0 });
      conn.writeFrame(hs.writeMessage(encodeHello(options.name, options.extensions)));
      const m3 = await conn.readFrame();
      await turn(conn);
      const hello = parseHello(hs.readMessage(m3));
      const rs = hs.getRemoteStatic() as Uint8Array;
      return finish(hs, rs, fingerprintHex(rs), hello, options.extensions);
    } catch (err) {
      hs.destroy();
      throw err;
    }
  });
}

/**
 * Waits for a turn before a step with DH operations in it (see cpu-turns.ts), and gives up if
 * the connection ended meanwhile (the deadline closes it): no DH for a peer that is gone.
 */
async function turn(conn: FrameChannel): Promise<void> {
  await cpuTurn();
  if (conn.closed) throw new ConnectionClosedError('closed');
}

function finish(hs: HandshakeState, rs: Uint8Array, remoteFingerprint: string, hello: Hello, ours: HelloExtensions | undefined): HandshakeResult {
  const { send, receive } = hs.split();
  const mine = ours?.features ?? [];
  const sharedFeatures = hello.features.filter((f) => mine.includes(f));
  return {
    send,
    receive,
    remoteStatic: rs,
    remoteFingerprint,
    remoteName: hello.name,
    sharedFeatures,
    remoteDht: hello.dht,
    remoteInvite: hello.invite,
    handshakeHash: hs.getHandshakeHash(),
  };
}

/** Runs the steps against the deadline; every failure becomes a HandshakeError. */
async function withDeadline(conn: FrameChannel, timeoutMs: number | undefined, steps: () => Promise<HandshakeResult>): Promise<HandshakeResult> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      conn.close('timeout');
      reject(new HandshakeError('handshake-timeout', 'the handshake did not complete within 10 seconds'));
    }, Math.max(0, timeoutMs ?? HANDSHAKE_TIMEOUT_MS));
  });
  try {
    return await Promise.race([steps(), deadline]);
  } catch (err) {
    throw toHandshakeError(err);
  } finally {
    clearTimeout(timer);
  }
}

function toHandshakeError(err: unknown): HandshakeError {
  if (err instanceof HandshakeError) return err;
  if (err instanceof ConnectionClosedError) {
    return new HandshakeError(err.reason === 'timeout' ? 'handshake-timeout' : 'closed', 'the connection closed during the handshake');
  }
  if (err instanceof NoiseError || err instanceof HelloError) return new HandshakeError('handshake-failed', err.message);
  // Anything else is a bug in this process, not the peer's doing: keep it loud.
  throw err;
}

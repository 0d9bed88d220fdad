/**
 * The transport phase (PROTOCOL.md section 4): every frame is EncryptWithAd(empty, JSON) of the
 * sending CipherState. Any failure (bad tag, bad JSON, a message out of bounds, nonce exhaustion)
 * ends the session at once and quietly. Keepalive: ping after `pingAfterMs` of silence and again
 * after every further `pingAfterMs`; drop after `idleTimeoutMs` of silence.
 */
import type { CipherState } from '../noise/cipher-state.ts';
import { NoiseError } from '../noise/errors.ts';
import type { FrameChannel } from './frame-channel.ts';
import type { FileMessage } from './file-messages.ts';
import { decodeTransport, withEncodedTransport, type TransportMessage, type TransportOptions } from './messages.ts';

const EMPTY = new Uint8Array(0);

export type SessionTimers = {
  /** Silence before a ping (30 s in the protocol). */
  readonly pingAfterMs: number;
  /** Silence before the connection is dropped (90 s in the protocol). */
  readonly idleTimeoutMs: number;
};

export const PROTOCOL_TIMERS: SessionTimers = { pingAfterMs: 30_000, idleTimeoutMs: 90_000 };

/** Why a session ended (the CLI's `disconnected` reasons). */
export type SessionEndReason = 'closed' | 'timeout' | 'protocol-error' | 'replaced' | 'quit';

/** What the session tells its owner. Every message but ping/pong goes up (those stay here). */
export type SessionHandlers = {
  readonly onMessage: (message: Exclude<TransportMessage, { type: 'ping' | 'pong' }>) => void;
  /** A file message (only where `files` was negotiated; section 9). */
  readonly onFileMessage?: (message: FileMessage) => void;
  /**
   * A file chunk's whole plaintext (only where `files` was negotiated). The handler owns the
   * bytes: unlike JSON plaintexts they are not wiped, since they go to disk as they are.
   */
  readonly onChunk?: (plaintext: Uint8Array) => void;
  readonly onEnd: (reason: SessionEndReason) => void;
};

/** An established, authenticated session with one peer. */
export class SecureSession {
  readonly #conn: FrameChannel;
  readonly #send: CipherState;
  readonly #receive: CipherState;
  readonly #timers: SessionTimers;
  readonly #options: TransportOptions;
  #handlers: SessionHandlers | null = null;
  #ended: SessionEndReason | null = null;
  #lastReceived = Date.now();
  #lastPing = 0;
  #timer: NodeJS.Timeout | null = null;
  /** Callbacks of probe(), in the order of their pings: pongs answer pings in order. */
  #probes: (() => void)[] = [];

  constructor(conn: FrameChannel, send: CipherState, receive: CipherState, timers: SessionTimers = PROTOCOL_TIMERS, options: TransportOptions = { files: false }) {
    this.#conn = conn;
    this.#options = options;
    this.#send = send;
    this.#receive = receive;
    this.#timers = timers;
  }

  /** Starts receiving. Frames that arrived with the last handshake message are delivered first. */
  start(handlers: SessionHandlers): void {
    if (this.#handlers) throw new Error('SecureSession.start: already started');
    this.#handlers = handlers;
    this.#conn.onClose((cause) => this.#end(cause === 'timeout' ? 'timeout' : cause === 'protocol-error' ? 'protocol-error' : 'closed'));
    this.#lastReceived = Date.now();
    this.#schedule(this.#timers.pingAfterMs);
    this.#conn.setFrameHandler((frame) => this.#onFrame(frame));
  }

  /** True until the session has ended. */
  get open(): boolean {
    return this.#ended === null;
  }

  /** True while the peer is not reading fast enough: hold further messages (see onceDrained). */
  get backpressured(): boolean {
    return this.#conn.backpressured;
  }

  /** Calls `listener` when the write buffer has drained; never if the session ends first. */
  onceDrained(listener: () => void): void {
    if (!this.#ended) this.#conn.onceDrained(() => this.#ended === null && listener());
  }

  /** What was negotiated for this session (section 7). */
  get options(): TransportOptions {
    return this.#options;
  }

  /** Encrypts and sends one message; false if the session has ended (the caller keeps it queued). */
  send(message: TransportMessage): boolean {
    // Sealed straight from the encoder's reused buffer: no copy of a long text's JSON.
    return withEncodedTransport(message, (plaintext) => this.sendPlaintext(plaintext));
  }

  /** Encrypts and sends one plaintext already encoded (a file chunk); false if the session has ended. */
  sendPlaintext(plaintext: Uint8Array): boolean {
    if (this.#ended) return false;
    let sealed: readonly Uint8Array[];
    try {
      // Ciphertext and tag as node:crypto gives them, written as the frame's body without joining them.
      sealed = this.#send.encryptWithAdParts(EMPTY, plaintext);
    } catch (err) {
      // Nonce exhaustion: this direction can never send again (PROTOCOL.md section 4).
      if (err instanceof NoiseError) {
        this.close('protocol-error');
        return false;
      }
      throw err;
    }
    return this.#conn.writeFrameParts(sealed);
  }

  /**
   * Sends a `ping` and calls `onPong` when its `pong` arrives: the peer answers once it has read
   * everything sent before the ping, so a file sender can bound the bytes in flight (section 4's
   * ping/pong, usable at any time). A keepalive ping's pong, or an unasked one, answers the
   * oldest probe a little early; that only lets a sender run slightly ahead. False if ended.
   */
  probe(onPong: () => void): boolean {
    if (!this.send({ type: 'ping' })) return false;
    this.#probes.push(onPong);
    return true;
  }

  /** Ends the session with the given reason. */
  close(reason: SessionEndReason): void {
    if (this.#ended) return;
    this.#end(reason);
    this.#conn.close(reason === 'protocol-error' ? 'protocol-error' : reason === 'timeout' ? 'timeout' : 'local');
  }

  #onFrame(frame: Uint8Array): void {
    if (this.#ended) return;
    let plaintext: Uint8Array;
    try {
      plaintext = this.#receive.decryptWithAd(EMPTY, frame);
    } catch (err) {
      if (err instanceof NoiseError) return this.close('protocol-error');
      throw err;
    }
    this.#lastReceived = Date.now();
    const decoded = decodeTransport(plaintext, this.#options);
    if (decoded.verdict === 'chunk') {
      this.#handlers?.onChunk?.(plaintext);
      return;
    }
    plaintext.fill(0);
    switch (decoded.verdict) {
      case 'close':
        return this.close('protocol-error');
      case 'ignore':
        return;
      case 'file':
        return this.#handlers?.onFileMessage?.(decoded.message);
      case 'deliver': {
        const m = decoded.message;
        if (m.type === 'ping') this.send({ type: 'pong' });
        else if (m.type === 'pong') this.#probes.shift()?.();
        else this.#handlers?.onMessage(m);
        return;
      }
    }
  }

  // One timer, re-armed lazily, instead of resetting a timer on every frame.
  #schedule(delayMs: number): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#tick(), Math.max(1, delayMs));
    this.#timer.unref();
  }

  #tick(): void {
    if (this.#ended) return;
    const now = Date.now();
    const silence = now - this.#lastReceived;
    if (silence >= this.#timers.idleTimeoutMs) return this.close('timeout');
    const { pingAfterMs } = this.#timers;
    if (silence >= pingAfterMs && now - this.#lastPing >= pingAfterMs) {
      this.#lastPing = now;
      this.send({ type: 'ping' });
    }
    const nextPing = Math.max(this.#lastReceived, this.#lastPing) + pingAfterMs;
    const drop = this.#lastReceived + this.#timers.idleTimeoutMs;
    this.#schedule(Math.min(nextPing, drop) - now);
  }

  #end(reason: SessionEndReason): void {
    if (this.#ended) return;
    this.#ended = reason;
    this.#probes = [];
    if (this.#timer) clearTimeout(this.#timer);
    this.#send.destroy();
    this.#receive.destroy();
    this.#handlers?.onEnd(reason);
  }
}

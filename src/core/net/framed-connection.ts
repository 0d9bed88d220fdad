/**
 * A carrier (a TCP socket or a HyperDHT stream, see carrier.ts) seen as a stream of frames
 * (PROTOCOL.md section 1).
 *
 * Two modes: during the handshake, frames are pulled one at a time with `readFrame()`; afterwards a
 * synchronous handler is pushed every frame. Memory stays bounded on purpose:
 * - a frame that arrives before anyone asked for it is queued, the decoder and the socket pause,
 *   and the rest of its chunk goes back to the socket unread (unshift): at most one frame beyond
 *   the one being processed is ever held. (Queuing the whole chunk instead turned 64 KiB of 3-byte
 *   frames into ~21,000 queued objects, ~2.5 MB of heap per connection: security review.);
 * - when the peer does not read what we write (acks, pongs), reading pauses once our write buffer
 *   passes WRITE_HIGH_WATER, so a peer cannot make us buffer its answers without bound.
 */
import { FrameDecoder, FrameError, encodeFrame, frameHeaderFor } from '../protocol/frame.ts';
import { ConnectionClosedError, type CloseCause, type FrameChannel } from '../protocol/frame-channel.ts';
import type { Carrier, CarrierPath } from './carrier.ts';

export { ConnectionClosedError, type CloseCause };

/** Reading pauses while this many bytes wait to be written to a slow peer. */
export const WRITE_HIGH_WATER = 1024 * 1024;

type Waiter = { resolve: (frame: Uint8Array) => void; reject: (err: Error) => void };

/** Frames over one carrier; see the module comment for the buffering rules. */
export class FramedConnection implements FrameChannel {
  readonly socket: Carrier;
  /** What carries the bytes (reported as `connected.path`). */
  readonly path: CarrierPath;
  readonly remoteAddress: string;
  readonly remotePort: number;
  #decoder: FrameDecoder;
  #queue: Uint8Array[] = [];
  #waiter: Waiter | null = null;
  #handler: ((frame: Uint8Array) => void) | null = null;
  #closed: CloseCause | null = null;
  #closeListeners: ((cause: CloseCause) => void)[] = [];
  #pausedForWrite = false;
  #pausedByOwner = false;
  /** After close('local' | 'timeout'): destroys a socket whose peer never finishes closing. */
  #lingerTimer: NodeJS.Timeout | null = null;

  constructor(socket: Carrier, path: CarrierPath = 'tcp') {
    this.socket = socket;
    this.path = path;
    this.remoteAddress = socket.remoteAddress ?? '';
    this.remotePort = socket.remotePort ?? 0;
    this.#decoder = new FrameDecoder((frame) => this.#onFrame(frame));
    socket.setNoDelay?.(true);
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('drain', () => this.#onDrain());
    socket.on('error', () => this.#finish('closed'));
    socket.on('close', () => {
      // The socket is gone: the fallback below has nothing left to do, and while armed it would
      // keep this connection (and its session) reachable for its 2 s, surviving young-generation
      // GCs into the old generation: ~400 KB promoted per scavenge at a handshake every ~2 ms.
      if (this.#lingerTimer) clearTimeout(this.#lingerTimer);
      this.#finish('closed');
    });
    socket.on('end', () => this.#finish('closed'));
  }

  /** Frames received but not read yet (handshake mode): never more than one. */
  get queuedFrames(): number {
    return this.#queue.length;
  }

  /** True once the connection has ended for any reason. */
  get closed(): boolean {
    return this.#closed !== null;
  }

  /** The next frame (handshake mode). Rejects with ConnectionClosedError if the connection ends first. */
  readFrame(): Promise<Uint8Array> {
    if (this.#handler) return Promise.reject(new Error('readFrame: the connection is in handler mode'));
    if (this.#waiter) return Promise.reject(new Error('readFrame: a read is already pending'));
    const next = this.#queue.shift();
    if (next) {
      this.#maybeResume();
      return Promise.resolve(next);
    }
    if (this.#closed) return Promise.reject(new ConnectionClosedError(this.#closed));
    this.#maybeResume();
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject };
    });
  }

  /**
   * Switches to handler mode: queued frames first, then every frame as it arrives, synchronously.
   * A frame is valid only during the call (its buffer is reused for the next one).
   */
  setFrameHandler(handler: (frame: Uint8Array) => void): void {
    this.#handler = handler;
    this.#decoder.reuseBodies();
    while (this.#queue.length > 0 && !this.#closed) handler(this.#queue.shift() as Uint8Array);
    this.#maybeResume();
  }

  /** Writes one frame; false if the connection is closed. */
  writeFrame(body: Uint8Array): boolean {
    if (this.#closed) return false;
    return this.#write(encodeFrame(body));
  }

  /**
   * Writes one frame whose body is the concatenation of `parts` (a sealed message's ciphertext and
   * tag): the header and the parts go out corked, as one writev, and the body is never copied.
   */
  writeFrameParts(parts: readonly Uint8Array[]): boolean {
    if (this.#closed) return false;
    const header = frameHeaderFor(parts);
    this.socket.cork?.();
    this.socket.write(header);
    for (const p of parts) this.socket.write(p);
    this.socket.uncork?.();
    return this.#afterWrite();
  }

  #write(frame: Uint8Array): boolean {
    this.socket.write(frame);
    return this.#afterWrite();
  }

  /** Pauses reading while the peer does not read what we write (see the module comment). */
  #afterWrite(): true {
    if (this.socket.writableLength > WRITE_HIGH_WATER && !this.#pausedForWrite) {
      this.#pausedForWrite = true;
      this.socket.pause();
    }
    return true;
  }

  /** True while more than WRITE_HIGH_WATER bytes wait to be written: a sender should hold back. */
  get backpressured(): boolean {
    return !this.#closed && this.socket.writableLength > WRITE_HIGH_WATER;
  }

  /** Calls `listener` once the write buffer has drained (never if the connection ends first). */
  onceDrained(listener: () => void): void {
    if (this.#closed) return;
    if (!this.backpressured) {
      queueMicrotask(listener);
      return;
    }
    this.socket.once('drain', () => {
      if (!this.#closed) listener();
    });
  }

  /**
   * Calls `listener` when the socket's write buffer has emptied (its real 'drain'), at once if
   * it is empty; never if the connection ends first. Unlike onceDrained, which fires at once
   * below WRITE_HIGH_WATER, this lets a file sender keep only a small window in flight.
   */
  onceWriteDrained(listener: () => void): void {
    if (this.#closed) return;
    if (this.socket.writableLength === 0) {
      queueMicrotask(() => !this.#closed && listener());
      return;
    }
    this.socket.once('drain', () => {
      if (!this.#closed) listener();
    });
  }

  /**
   * Stops (true) or restarts (false) reading for the owner's sake (a file receiver whose disk is
   * slower than the network). Frames already decoded are delivered; the rest stays in the socket.
   */
  setReadPaused(paused: boolean): void {
    if (this.#closed || paused === this.#pausedByOwner) return;
    this.#pausedByOwner = paused;
    if (paused) {
      this.#decoder.pause();
      this.socket.pause();
    } else this.#maybeResume();
  }

  /** Calls `listener` once when the connection ends (immediately if it already has). */
  onClose(listener: (cause: CloseCause) => void): void {
    if (this.#closed) listener(this.#closed);
    else this.#closeListeners.push(listener);
  }

  /**
   * Ends the connection. 'local' and 'timeout' flush what was written and half-close politely;
   * 'protocol-error' destroys at once (crypto failures are fatal and quiet: nothing more is sent).
   */
  close(cause: CloseCause = 'local'): void {
    if (this.#closed) return;
    this.#finish(cause);
    if (cause === 'protocol-error') this.socket.destroy();
    else {
      this.socket.end();
      // A peer that never reads would keep the socket half-open forever.
      this.#lingerTimer = setTimeout(() => this.socket.destroy(), 2000);
      this.#lingerTimer.unref();
    }
  }

  #onData(chunk: Buffer): void {
    if (this.#closed) return;
    if (this.#decoder.paused) {
      // Not expected (the socket pauses with the decoder), but never push into a paused decoder.
      this.socket.pause();
      this.socket.unshift(chunk);
      return;
    }
    let rest: Uint8Array | undefined;
    try {
      rest = this.#decoder.push(chunk);
    } catch (err) {
      if (err instanceof FrameError) {
        this.close('protocol-error');
        return;
      }
      throw err;
    }
    // A frame was queued: what followed it in the chunk stays in the socket until it is wanted.
    if (rest !== undefined && rest.length > 0 && !this.#closed) this.socket.unshift(Buffer.from(rest.buffer, rest.byteOffset, rest.length));
  }

  #onFrame(frame: Uint8Array): void {
    if (this.#closed) return;
    if (this.#handler) {
      this.#handler(frame);
      return;
    }
    if (this.#waiter) {
      const w = this.#waiter;
      this.#waiter = null;
      w.resolve(frame);
      return;
    }
    this.#queue.push(frame);
    this.#decoder.pause();
    this.socket.pause();
  }

  #onDrain(): void {
    if (this.#pausedForWrite) {
      this.#pausedForWrite = false;
      this.#maybeResume();
    }
  }

  #maybeResume(): void {
    if (this.#closed || this.#pausedForWrite || this.#pausedByOwner) return;
    if (this.#queue.length === 0 || this.#handler) {
      this.#decoder.resume();
      this.socket.resume();
    }
  }

  #finish(cause: CloseCause): void {
    if (this.#closed) return;
    this.#closed = cause;
    this.#queue = [];
    if (this.#waiter) {
      const w = this.#waiter;
      this.#waiter = null;
      w.reject(new ConnectionClosedError(cause));
    }
    const listeners = this.#closeListeners;
    this.#closeListeners = [];
    for (const l of listeners) l(cause);
    if (cause === 'closed') this.socket.destroy();
  }
}

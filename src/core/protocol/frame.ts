/**
 * Framing (PROTOCOL.md section 1): every message is `u16be(len) || body` with 1 <= len <= 65535.
 *
 * Backpressure design: `FrameDecoder.push` is synchronous and hands each complete body to the
 * callback before it returns, so the decoder itself only ever keeps the incomplete tail of a
 * frame (at most 2 + 65,534 bytes), never a queue. A consumer whose work per frame is
 * asynchronous calls `decoder.pause()` from the callback: `push` then stops at that frame
 * boundary and returns the rest of the chunk, unread. The socket consumer stops reading
 * (`socket.pause()`), gives the rest back to the stream (`socket.unshift(rest)`) or keeps it,
 * and later calls `decoder.resume()` and `socket.resume()` (or `push(rest)`). Unread bytes thus
 * stay in the socket's own bounded buffers and in TCP flow control, not in the decoder.
 */

/** Largest frame body (the u16 length field). */
export const MAX_FRAME_BODY = 65535;
/** Bytes of the length prefix. */
export const FRAME_HEADER_LENGTH = 2;
/** The most bytes a FrameDecoder ever holds unprocessed: one whole frame. */
export const MAX_BUFFERED_BYTES = FRAME_HEADER_LENGTH + MAX_FRAME_BODY;
/** Split frames up to this size get a fresh array even with reuseBodies(): small, and rare enough. */
const REUSE_MIN_BODY = 4096;

/** A framing violation (a zero length); the connection must be closed. */
export class FrameError extends Error {
  override name = 'FrameError';
}

/** Returns `u16be(body.length) || body`; RangeError for an empty body or one over 65535 bytes. */
export function encodeFrame(body: Uint8Array): Uint8Array {
  if (!(body instanceof Uint8Array)) throw new TypeError('encodeFrame: body must be a Uint8Array');
  if (body.length === 0 || body.length > MAX_FRAME_BODY) {
    throw new RangeError(`encodeFrame: body must be 1 to ${MAX_FRAME_BODY} bytes, got ${body.length}`);
  }
  const out = new Uint8Array(FRAME_HEADER_LENGTH + body.length);
  out[0] = body.length >>> 8;
  out[1] = body.length & 0xff;
  out.set(body, FRAME_HEADER_LENGTH);
  return out;
}

/**
 * The length prefix of a frame whose body is the concatenation of `parts` (written after it as
 * they are, see CipherState.encryptWithAdParts): header || parts... are the bytes of
 * encodeFrame(concatenation) without copying the body. RangeError for an empty body or one over 65535 bytes.
 */
export function frameHeaderFor(parts: readonly Uint8Array[]): Uint8Array {
  if (!Array.isArray(parts)) throw new TypeError('frameHeaderFor: parts must be an array of Uint8Array');
  let length = 0;
  for (const p of parts) {
    if (!(p instanceof Uint8Array)) throw new TypeError('frameHeaderFor: parts must be an array of Uint8Array');
    length += p.length;
  }
  if (length < 1 || length > MAX_FRAME_BODY) throw new RangeError(`frameHeaderFor: body must be 1 to ${MAX_FRAME_BODY} bytes, got ${length}`);
  return Uint8Array.of(length >>> 8, length & 0xff);
}

/**
 * Receives one complete frame body. It may be a view into the pushed chunk, or (after
 * `reuseBodies()`) into the decoder's own buffer: copy it to keep it past the call.
 */
export type FrameHandler = (body: Uint8Array) => void;

/**
 * Incremental frame decoder: correct under any chunking, linear in the bytes pushed, zero-copy
 * for frames that lie whole inside one chunk. After a FrameError (or an exception thrown by the
 * handler) it is dead and every later push throws FrameError.
 */
export class FrameDecoder {
  readonly #onFrame: FrameHandler;
  #headerHigh = -1; // first length byte when only one has arrived, else -1
  #body: Uint8Array | null = null; // the frame being assembled across chunks
  #filled = 0; // bytes of #body received so far
  #dead = false;
  #paused = false;
  #reuse = false; // reuseBodies() was called
  /** One buffer for every large frame split across chunks (reuseBodies), made at the first such frame. */
  #scratch: Uint8Array | null = null;

  constructor(onFrame: FrameHandler) {
    if (typeof onFrame !== 'function') throw new TypeError('FrameDecoder: onFrame must be a function');
    this.#onFrame = onFrame;
  }

  /** Bytes received but not yet delivered as a frame (never more than MAX_BUFFERED_BYTES). */
  get bufferedBytes(): number {
    if (this.#headerHigh >= 0) return 1;
    return this.#body === null ? 0 : FRAME_HEADER_LENGTH + this.#filled;
  }

  /** True after a FrameError or a throwing handler; the connection must be closed. */
  get dead(): boolean {
    return this.#dead;
  }

  /** True while the consumer has asked push() to stop at a frame boundary. */
  get paused(): boolean {
    return this.#paused;
  }

  /** Asks push() to stop after the frame being delivered; meant to be called from the handler. */
  pause(): void {
    this.#paused = true;
  }

  /**
   * From now on a frame split across chunks is assembled in one buffer reused for every frame, so
   * the handler must be done with each body when it returns (a transport session decrypts it at
   * once). Before, every such frame (nearly every 64 KiB file chunk: socket reads are 64 KiB too)
   * was a fresh 64 KiB array, garbage the receiver's GC then spent a fifth of its time on.
   * The buffer is made at the first split frame above REUSE_MIN_BODY, not here: a session that only
   * chats never needs it, and a host with a thousand idle sessions would hold 64 MiB of them.
   */
  reuseBodies(): void {
    this.#reuse = true;
  }

  /** Lets push() accept bytes again. */
  resume(): void {
    this.#paused = false;
  }

  /**
   * Consumes a chunk, delivering each complete frame to the handler synchronously. Returns the
   * unread rest of the chunk if the handler paused the decoder (a view, possibly empty), else
   * undefined. Throws FrameError on a zero length (frames before it were delivered).
   */
  push(chunk: Uint8Array): Uint8Array | undefined {
    if (this.#dead) throw new FrameError('frame decoder already failed');
    if (!(chunk instanceof Uint8Array)) throw new TypeError('FrameDecoder.push: chunk must be a Uint8Array');
    if (this.#paused) throw new Error('FrameDecoder.push: the decoder is paused; call resume() first');
    try {
      return this.#consume(chunk);
    } catch (error) {
      this.#dead = true;
      this.#body = null; // drop the partial frame
      throw error;
    }
  }

  #consume(chunk: Uint8Array): Uint8Array | undefined {
    const n = chunk.length;
    let i = 0;
    while (i < n) {
      if (this.#paused) return chunk.subarray(i);
      if (this.#body !== null) {
        // Continue a frame begun in an earlier chunk: copy only the missing bytes (linear overall).
        const take = Math.min(this.#body.length - this.#filled, n - i);
        this.#body.set(chunk.subarray(i, i + take), this.#filled);
        this.#filled += take;
        i += take;
        if (this.#filled === this.#body.length) {
          const body = this.#body;
          this.#body = null;
          this.#filled = 0;
          this.#onFrame(body); // fresh unless reuseBodies(): then the handler must not keep it
        }
        continue;
      }
      // Read the 2-byte length, possibly split across chunks.
      let length: number;
      if (this.#headerHigh >= 0) {
        length = (this.#headerHigh << 8) | (chunk[i] as number);
        this.#headerHigh = -1;
        i += 1;
      } else if (i + 1 < n) {
        length = ((chunk[i] as number) << 8) | (chunk[i + 1] as number);
        i += 2;
      } else {
        this.#headerHigh = chunk[i] as number;
        return undefined;
      }
      if (length === 0) throw new FrameError('frame with length 0');
      if (n - i >= length) {
        // The whole body is in this chunk: hand out a view, no copy.
        const body = chunk.subarray(i, i + length);
        i += length;
        this.#onFrame(body);
      } else {
        this.#body = this.#reuse && length > REUSE_MIN_BODY ? this.#scratchOf(length) : new Uint8Array(length);
        this.#filled = 0;
      }
    }
    return this.#paused ? chunk.subarray(n) : undefined;
  }

  #scratchOf(length: number): Uint8Array {
    this.#scratch ??= new Uint8Array(MAX_FRAME_BODY);
    return this.#scratch.subarray(0, length);
  }
}

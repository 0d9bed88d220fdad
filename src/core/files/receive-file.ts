/**
 * One accepted incoming file on one link: checks each chunk against what it expects (the next
 * offset, never beyond the size), copies it out of the session's plaintext (wiped after the
 * handler returns) into a WRITE_BLOCK buffer, and hands each full block (and the last, partial
 * one) to the part file: one disk write per ~16 chunks instead of one each. Reading pauses while
 * more than RECEIVE_QUEUE_HIGH bytes wait for the disk; the blocks are reused, so memory stays at
 * a few blocks whatever the file's size. The checks are synchronous, so a bad chunk closes the
 * connection before anything of it is written.
 */
import type { PartFile } from './part-file.ts';
import type { FileLink, FileVerdict } from './file-link.ts';
import { reclaimAfter } from './reclaim.ts';

/**
 * Received bytes are written to disk this many at a time. At most MAX_BLOCKS of them exist: 1 MiB
 * blocks held 4 MiB (P10.rss +13 MiB in all); 256 KiB writes keep the disk as busy.
 */
export const WRITE_BLOCK = 256 * 1024;
/**
 * Reading pauses while this many received bytes wait for the disk, and resumes below the low mark.
 * A paused receiver answers no ping either, which stalls the sender (FLIGHT_WINDOW): at 512 KiB it
 * paused often enough to cost P10 ~10 %.
 */
export const RECEIVE_QUEUE_HIGH = 4 * WRITE_BLOCK;
export const RECEIVE_QUEUE_LOW = 2 * WRITE_BLOCK;
/** Blocks queued (up to RECEIVE_QUEUE_HIGH, plus the one that crossed it) and the one being filled. */
const MAX_BLOCKS = RECEIVE_QUEUE_HIGH / WRITE_BLOCK + 2;

export type ReceiveHooks = {
  /** Every byte is written (not yet checked). */
  readonly onComplete: () => void;
  /** A write failed (no space, I/O): the file is abandoned. */
  readonly onWriteError: (error: unknown) => void;
  readonly onProgress: (bytes: number) => void;
};

export class ReceiveFile {
  readonly part: PartFile;
  readonly #link: FileLink;
  readonly #hooks: ReceiveHooks;
  /** The next offset the peer must send. */
  #expected: number;
  /** The block being filled, and how many of its bytes are. */
  #block: Buffer | null = null;
  #filled = 0;
  /** Written blocks, ready for reuse. */
  #spare: Buffer[] = [];
  /** Bytes handed to the chain and not written yet. */
  #queued = 0;
  #paused = false;
  #chain: Promise<void> = Promise.resolve();
  #failed = false;

  constructor(part: PartFile, link: FileLink, hooks: ReceiveHooks) {
    this.part = part;
    this.#link = link;
    this.#hooks = hooks;
    this.#expected = part.held;
  }

  /** Checks and queues one chunk (PROTOCOL.md section 9): a wrong offset or a byte beyond the size closes. */
  onChunk(offset: number, data: Uint8Array): FileVerdict {
    if (offset !== this.#expected) return { verdict: 'close', reason: `chunk at offset ${offset}, ${this.#expected} expected` };
    if (offset + data.length > this.part.size) return { verdict: 'close', reason: `chunk beyond the size ${this.part.size}` };
    if (this.#failed) return { verdict: 'ok' }; // abandoned: the cancel is on its way
    this.#expected += data.length;
    reclaimAfter(data.length);
    for (let at = 0; at < data.length; ) {
      this.#block ??= this.#spare.pop() ?? Buffer.allocUnsafe(Math.min(WRITE_BLOCK, this.part.size - offset - at));
      const take = Math.min(this.#block.length - this.#filled, data.length - at);
      this.#block.set(data.subarray(at, at + take), this.#filled);
      this.#filled += take;
      at += take;
      if (this.#filled === this.#block.length) this.#flush();
    }
    if (this.#expected === this.part.size) this.#flush();
    return { verdict: 'ok' };
  }

  /** Resolves once every queued block is written (or abandoned). */
  settled(): Promise<void> {
    return this.#chain;
  }

  /** Stops writing after what was received: the link ended. fsyncs so the recorded count holds. */
  async suspend(): Promise<void> {
    this.#flush();
    await this.#chain;
    this.#resume();
    if (!this.#failed) await this.part.checkpoint().catch(() => undefined);
    await this.part.close();
  }

  /** Drops everything: cancelled. */
  async discard(): Promise<void> {
    this.#failed = true;
    this.#block = null;
    this.#spare = [];
    await this.#chain;
    this.#resume();
    await this.part.discard();
  }

  /** Queues the filled part of the current block for the disk. */
  #flush(): void {
    const block = this.#block;
    const length = this.#filled;
    if (block === null || length === 0) return;
    this.#block = null;
    this.#filled = 0;
    this.#queued += length;
    if (!this.#paused && this.#queued > RECEIVE_QUEUE_HIGH) {
      this.#paused = true;
      this.#link.setReadPaused(true);
    }
    this.#chain = this.#chain.then(async () => {
      if (this.#failed) return;
      try {
        await this.part.append(block.subarray(0, length));
      } catch (error) {
        this.#failed = true;
        this.#resume();
        this.#hooks.onWriteError(error);
        return;
      }
      this.#queued -= length;
      // A full-sized block is kept for the next bytes: all of them, so blocks are never garbage (a
      // dropped one lives long enough to reach V8's old generation, which only a full GC frees).
      // Reading pauses above RECEIVE_QUEUE_HIGH, so there are at most MAX_BLOCKS.
      if (block.length === WRITE_BLOCK && this.#spare.length < MAX_BLOCKS) this.#spare.push(block);
      if (this.#paused && this.#queued < RECEIVE_QUEUE_LOW) this.#resume();
      this.#hooks.onProgress(this.part.held);
      if (this.part.held === this.part.size) this.#hooks.onComplete();
    });
  }

  #resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.#link.setReadPaused(false);
  }
}

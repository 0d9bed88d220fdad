/**
 * One accepted incoming file on one link: checks each chunk against what it expects (the next
 * offset, never beyond the size), copies it out of the session's plaintext (wiped after the
 * handler returns) and queues it for the part file, pausing the link's reading while more than
 * RECEIVE_QUEUE_HIGH bytes wait for the disk. The checks are synchronous, so a bad chunk closes
 * the connection before anything of it is written.
 */
import type { PartFile } from './part-file.ts';
import type { FileLink, FileVerdict } from './file-link.ts';

/** Reading pauses while this many received bytes wait for the disk, and resumes below the low mark. */
export const RECEIVE_QUEUE_HIGH = 8 * 1024 * 1024;
export const RECEIVE_QUEUE_LOW = 2 * 1024 * 1024;

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
    const copy = Uint8Array.from(data);
    this.#queued += copy.length;
    if (!this.#paused && this.#queued > RECEIVE_QUEUE_HIGH) {
      this.#paused = true;
      this.#link.setReadPaused(true);
    }
    const last = this.#expected === this.part.size;
    this.#chain = this.#chain.then(async () => {
      if (this.#failed) return;
      try {
        await this.part.append(copy);
      } catch (error) {
        this.#failed = true;
        this.#resume();
        this.#hooks.onWriteError(error);
        return;
      }
      this.#queued -= copy.length;
      if (this.#paused && this.#queued < RECEIVE_QUEUE_LOW) this.#resume();
      this.#hooks.onProgress(this.part.held);
      if (last) this.#hooks.onComplete();
    });
    return { verdict: 'ok' };
  }

  /** Resolves once every queued chunk is written (or abandoned). */
  settled(): Promise<void> {
    return this.#chain;
  }

  /** Stops writing after what is queued: the link ended. fsyncs so the recorded count holds. */
  async suspend(): Promise<void> {
    await this.#chain;
    this.#resume();
    if (!this.#failed) await this.part.checkpoint().catch(() => undefined);
    await this.part.close();
  }

  /** Drops everything: cancelled. */
  async discard(): Promise<void> {
    this.#failed = true;
    await this.#chain;
    this.#resume();
    await this.part.discard();
  }

  #resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.#link.setReadPaused(false);
  }
}

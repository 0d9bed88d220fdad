/**
 * The sending side of the transfers on one link: reads each accepted file from disk one chunk at a
 * time, hashing what it reads, and writes chunks only while the connection's write buffer holds
 * less than SEND_WINDOW. Chat messages are written straight to the connection by the service, so
 * one typed during a transfer waits behind at most SEND_WINDOW of chunks (a few frames), never
 * behind the file. Several files share the link round-robin, one chunk each in turn; every read
 * is awaited, so the event loop runs between chunks. Memory: one chunk buffer per file.
 */
import { createHash, type Hash } from 'node:crypto';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { CHUNK_HEADER_LENGTH, MAX_CHUNK_DATA, writeChunkHeader } from '../protocol/file-messages.ts';
import type { Transfer } from '../storage/transfers-repo.ts';
import { hashFilePrefix } from './disk.ts';
import type { FileLink } from './file-link.ts';

/** Chunks are written only while fewer bytes than this wait in the connection's write buffer (~4 chunks). */
export const SEND_WINDOW = 4 * (CHUNK_HEADER_LENGTH + MAX_CHUNK_DATA + 18);

/** How the pump reports each file's fate. */
export type SendHooks = {
  /** Every byte from the accepted offset is written and the whole file hashed to the offer's SHA-256. */
  readonly onAllSent: (transfer: Transfer) => void;
  /** The source no longer matches the offer (size, mtime or content): cancel with `changed`. */
  readonly onChanged: (transfer: Transfer) => void;
  /** The source could not be read. */
  readonly onReadError: (transfer: Transfer, error: Error) => void;
  readonly onProgress: (transfer: Transfer, bytes: number) => void;
};

type Job = { transfer: Transfer; offset: number; handle: FileHandle; hash: Hash; buffer: Buffer; stopped: boolean };

/** True if the source file still has the size and modification time it had when offered. */
export async function sourceUnchanged(transfer: Transfer): Promise<boolean> {
  const source = transfer.paths.source;
  if (source === undefined) return false;
  const s = await stat(source, { bigint: true }).catch(() => null);
  return s !== null && s.isFile() && Number(s.size) === transfer.sourceSize && Number(s.mtimeNs / 1000n) === transfer.sourceMtimeUs;
}

export class SendPump {
  readonly #link: FileLink;
  readonly #hooks: SendHooks;
  #ring: Job[] = [];
  #jobs = new Map<string, Job>();
  #running = false;
  #closed = false;
  #wake: (() => void) | null = null;

  constructor(link: FileLink, hooks: SendHooks) {
    this.#link = link;
    this.#hooks = hooks;
  }

  /** Ids of the files being sent. */
  get active(): string[] {
    return [...this.#jobs.keys()];
  }

  /**
   * Starts (or restarts, after a new file-accept) sending `transfer` from `offset`: checks the
   * source is unchanged and hashes its first `offset` bytes before the first chunk.
   */
  async start(transfer: Transfer, offset: number): Promise<void> {
    this.stop(transfer.id);
    if (!(await sourceUnchanged(transfer))) return this.#hooks.onChanged(transfer);
    const source = transfer.paths.source as string;
    let handle: FileHandle;
    const hash = createHash('sha256');
    try {
      if (offset > 0) await hashFilePrefix(source, hash, offset);
      handle = await open(source, 'r');
    } catch (error) {
      return this.#hooks.onReadError(transfer, error as Error);
    }
    if (this.#closed || this.#jobs.has(transfer.id)) {
      await handle.close();
      return;
    }
    const job: Job = { transfer, offset, handle, hash, buffer: Buffer.allocUnsafe(CHUNK_HEADER_LENGTH + MAX_CHUNK_DATA), stopped: false };
    this.#jobs.set(transfer.id, job);
    this.#ring.push(job);
    void this.#loop();
  }

  /** Stops sending one file (cancelled, or re-accepted at another offset). */
  stop(id: string): void {
    const job = this.#jobs.get(id);
    if (job === undefined) return;
    this.#finish(job);
  }

  /** Stops everything (the link ended). */
  close(): void {
    this.#closed = true;
    for (const job of [...this.#jobs.values()]) this.#finish(job);
    this.#wake?.();
  }

  #finish(job: Job): void {
    job.stopped = true;
    this.#jobs.delete(job.transfer.id);
    this.#ring = this.#ring.filter((j) => j !== job);
    void job.handle.close().catch(() => undefined);
  }

  async #loop(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    try {
      while (this.#ring.length > 0 && !this.#closed) {
        if (this.#link.pendingWriteBytes >= SEND_WINDOW) {
          await new Promise<void>((resolve) => {
            this.#wake = resolve;
            this.#link.onceDrained(resolve);
          });
          this.#wake = null;
          continue;
        }
        const job = this.#ring.shift() as Job;
        if (await this.#step(job)) this.#ring.push(job);
      }
    } finally {
      this.#running = false;
    }
  }

  /** Sends the next chunk of `job`; false when the job is over. */
  async #step(job: Job): Promise<boolean> {
    const { transfer } = job;
    const size = transfer.size;
    if (job.offset < size) {
      let bytesRead: number;
      try {
        ({ bytesRead } = await job.handle.read(job.buffer, CHUNK_HEADER_LENGTH, Math.min(MAX_CHUNK_DATA, size - job.offset), job.offset));
      } catch (error) {
        if (job.stopped) return false;
        this.#finish(job);
        this.#hooks.onReadError(transfer, error as Error);
        return false;
      }
      if (job.stopped) return false;
      if (bytesRead === 0) {
        this.#finish(job);
        this.#hooks.onChanged(transfer); // the file shrank
        return false;
      }
      const data = job.buffer.subarray(CHUNK_HEADER_LENGTH, CHUNK_HEADER_LENGTH + bytesRead);
      job.hash.update(data);
      // The last chunk goes out only if the whole file still hashes to the offer.
      if (job.offset + bytesRead === size && job.hash.copy().digest('hex') !== transfer.sha256) {
        this.#finish(job);
        this.#hooks.onChanged(transfer);
        return false;
      }
      writeChunkHeader(job.buffer, transfer.id, job.offset);
      if (!this.#link.sendChunk(job.buffer.subarray(0, CHUNK_HEADER_LENGTH + bytesRead))) {
        this.#finish(job);
        return false;
      }
      job.offset += bytesRead;
      this.#hooks.onProgress(transfer, job.offset);
      if (job.offset < size) return true;
    }
    this.#finish(job);
    if (job.hash.digest('hex') !== transfer.sha256) this.#hooks.onChanged(transfer); // only reachable for size 0
    else this.#hooks.onAllSent(transfer);
    return false;
  }
}

/**
 * The sending side of the transfers on one link: reads each accepted file from disk READ_CHUNKS
 * chunks at a time (one readv into a buffer laid out as chunk plaintexts, each chunk's data after
 * room for its header, so nothing is copied), with the next block read while the current one is
 * sent, hashing what it sends, and writes chunks only while the connection's write buffer holds
 * less than SEND_WINDOW and the peer has answered a ping (a probe, sent every PROBE_EVERY bytes)
 * for all but FLIGHT_WINDOW of what was sent: the write buffer alone would let the kernel's
 * socket buffers (megabytes on loopback) fill whenever the receiver is the slower side. Chat
 * messages are written straight to the connection by the service, so one typed during a transfer
 * waits behind at most FLIGHT_WINDOW of chunks (a few frames), never behind the file: the pump
 * yields to the event loop after every chunk. Several files share the
 * link round-robin, one chunk each in turn. Memory: two blocks per file being sent.
 */
import { createHash, type Hash } from 'node:crypto';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { CHUNK_HEADER_LENGTH, MAX_CHUNK_DATA, writeChunkHeader } from '../protocol/file-messages.ts';
import type { Transfer } from '../storage/transfers-repo.ts';
import { hashFilePrefix } from './disk.ts';
import type { FileLink } from './file-link.ts';
import { reclaimAfter } from './reclaim.ts';

/** Chunks are written only while fewer bytes than this wait in the connection's write buffer (~4 chunks). */
export const SEND_WINDOW = 4 * (CHUNK_HEADER_LENGTH + MAX_CHUNK_DATA + 18);
/**
 * Chunk bytes sent and not yet known to be read by the peer: sending waits above this. A chat message
 * waits behind up to this much: 1 MiB put P10.rtt at 2–3.4× the idle round trip, 512 KiB at
 * 1.4–2.3×, for the same throughput (A/B runs on the busy build machine).
 */
export const FLIGHT_WINDOW = 512 * 1024;
/** A probe (ping) goes out after this many chunk bytes. */
export const PROBE_EVERY = 128 * 1024;
/** Chunks sent per event-loop turn at most (a chat message, an ack or a cancel waits behind at most these). */
export const CHUNKS_PER_TURN = 4;
/**
 * Chunks read from disk at once (~512 KiB): one disk read per 8 chunks instead of one each. Two such
 * buffers per file being sent; 16 chunks (1 MiB each) read no faster here and cost 1 MiB more RSS.
 */
export const READ_CHUNKS = 8;
const SLOT = CHUNK_HEADER_LENGTH + MAX_CHUNK_DATA;

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

/** Chunks read from disk, laid out as plaintexts: slot i at i * SLOT, its data after the header's room. */
type Block = { readonly buffer: Buffer; readonly lengths: number[]; next: number };

type Job = {
  readonly transfer: Transfer;
  /** The next byte to send. */
  offset: number;
  /** The next byte to read (ahead of `offset` by the blocks read and not sent yet). */
  readAt: number;
  readonly handle: FileHandle;
  readonly hash: Hash;
  /** Two buffers, read into in turn: one is sent from while the other is being read. */
  readonly buffers: Buffer[];
  turn: number;
  block: Block | null;
  ahead: Promise<Block | Error> | null;
  stopped: boolean;
};

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
  /** Chunk bytes sent on the link; sent as of the last probe; known read by the peer. */
  #sent = 0;
  #probed = 0;
  #answered = 0;

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
    const slots = Math.max(1, Math.min(READ_CHUNKS, Math.ceil((transfer.size - offset) / MAX_CHUNK_DATA)));
    const buffers = [Buffer.allocUnsafe(slots * SLOT)];
    if (transfer.size - offset > slots * MAX_CHUNK_DATA) buffers.push(Buffer.allocUnsafe(slots * SLOT));
    const job: Job = { transfer, offset, readAt: offset, handle, hash, buffers, turn: 0, block: null, ahead: null, stopped: false };
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
      let turn = 0;
      while (this.#ring.length > 0 && !this.#closed) {
        if (this.#sent - this.#answered >= FLIGHT_WINDOW) {
          await new Promise<void>((resolve) => (this.#wake = resolve)); // the probe's answer, or close()
          this.#wake = null;
          continue;
        }
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
        // Let the event loop run every few chunks: a chat message, an ack or a cancel goes out now.
        if (++turn % CHUNKS_PER_TURN === 0) await nextTurn();
      }
    } finally {
      this.#running = false;
    }
  }

  /** Counts a chunk sent, and probes every PROBE_EVERY bytes. */
  #afterChunk(length: number): void {
    this.#sent += length;
    if (this.#sent - this.#probed < PROBE_EVERY) return;
    const mark = this.#sent;
    this.#probed = mark;
    const asked = this.#link.probe(() => {
      this.#answered = Math.max(this.#answered, mark);
      this.#wake?.();
    });
    if (!asked) this.#answered = mark; // the link ended: the next send fails and ends the job
  }

  /** Reads the next block of `job` into its next buffer; an Error instead of a rejection (a read may be left unawaited). */
  async #readBlock(job: Job): Promise<Block | Error> {
    const buffer = job.buffers[job.turn % job.buffers.length] as Buffer;
    job.turn++;
    const at = job.readAt;
    const views: Buffer[] = [];
    for (let left = job.transfer.size - at, i = 0; left > 0 && (i + 1) * SLOT <= buffer.length; left -= MAX_CHUNK_DATA, i++) {
      views.push(buffer.subarray(i * SLOT + CHUNK_HEADER_LENGTH, i * SLOT + CHUNK_HEADER_LENGTH + Math.min(MAX_CHUNK_DATA, left)));
    }
    try {
      let { bytesRead } = await job.handle.readv(views, at);
      job.readAt = at + bytesRead;
      const lengths: number[] = [];
      for (const v of views) {
        if (bytesRead === 0) break;
        lengths.push(Math.min(v.length, bytesRead));
        bytesRead -= Math.min(v.length, bytesRead);
      }
      return { buffer, lengths, next: 0 };
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    }
  }

  /** Sends the next chunk of `job`; false when the job is over. */
  async #step(job: Job): Promise<boolean> {
    const { transfer } = job;
    const size = transfer.size;
    if (job.offset < size) {
      if (job.block === null || job.block.next === job.block.lengths.length) {
        job.block = null;
        const got = await (job.ahead ?? this.#readBlock(job));
        job.ahead = null;
        if (job.stopped) return false;
        if (got instanceof Error) {
          this.#finish(job);
          this.#hooks.onReadError(transfer, got);
          return false;
        }
        if (got.lengths.length === 0) {
          this.#finish(job);
          this.#hooks.onChanged(transfer); // the file shrank
          return false;
        }
        job.block = got;
        // The other buffer's chunks are all sent (sendChunk consumes them): read ahead into it.
        if (job.readAt < size) job.ahead = this.#readBlock(job);
      }
      const block = job.block;
      const slot = block.next++ * SLOT;
      const length = block.lengths[block.next - 1] as number;
      const plaintext = block.buffer.subarray(slot, slot + CHUNK_HEADER_LENGTH + length);
      job.hash.update(plaintext.subarray(CHUNK_HEADER_LENGTH));
      // The last chunk goes out only if the whole file still hashes to the offer.
      if (job.offset + length === size && job.hash.copy().digest('hex') !== transfer.sha256) {
        this.#finish(job);
        this.#hooks.onChanged(transfer);
        return false;
      }
      writeChunkHeader(plaintext, transfer.id, job.offset);
      if (!this.#link.sendChunk(plaintext)) {
        this.#finish(job);
        return false;
      }
      job.offset += length;
      reclaimAfter(length);
      this.#afterChunk(length);
      this.#hooks.onProgress(transfer, job.offset);
      if (job.offset < size) return true;
    }
    this.#finish(job);
    if (job.hash.digest('hex') !== transfer.sha256) this.#hooks.onChanged(transfer); // only reachable for size 0
    else this.#hooks.onAllSent(transfer);
    return false;
  }
}

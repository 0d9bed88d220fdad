/**
 * File transfers (PROTOCOL.md section 9): the sender's and receiver's state machines over
 * FileLinks, durable in the transfers repository, so any later connection resumes what an
 * interrupted one left. The service calls `connect(peer, link | null)` (null: no `files`),
 * `onMessage` / `onChunk`, `disconnect`; the user `offerFile`, `accept`, `cancel`. An offer is a
 * message of the conversation: the outbox sends `offerFor(transfer)` for unacked 'file' rows.
 */
import { unlink } from 'node:fs/promises';
import type { CancelReason, FileMessage, FileOfferMessage } from '../protocol/file-messages.ts';
import type { Transfer, TransfersRepo } from '../storage/transfers-repo.ts';
import { freeBytes } from './disk.ts';
import { DEFAULT_MAX_FILE_SIZE, type FileEvent, type FileLink, type FileVerdict, progressThrottle, type TransferEngineOptions } from './file-link.ts';
import { PartFile, PartFileError } from './part-file.ts';
import { ReceiveFile } from './receive-file.ts';
import { reserveTarget, safeFileName } from './safe-name.ts';
import { SendPump } from './send-pump.ts';
import { createOffer, FileCommandError } from './offer-file.ts';
import { isFinal, owedMessage, stateForReason } from './transfer-states.ts';

type PeerState = { link: FileLink | null; pump: SendPump | null; cancelled: Set<string> };

export class TransferEngine {
  readonly #repo: TransfersRepo;
  readonly #emit: (event: FileEvent) => void;
  #autoDir: string | null;
  readonly #autoFrom: (peer: string) => boolean;
  #maxSize: number;
  readonly #now: () => number;
  readonly #log: (message: string) => void;
  readonly #peers = new Map<string, PeerState>();
  readonly #receiving = new Map<string, ReceiveFile>();
  /** Part files still being flushed and closed after a link ended: a new receiver waits for them. */
  readonly #suspending = new Map<string, Promise<void>>();
  readonly #throttles = new Map<string, (bytes: number, size: number) => boolean>();

  constructor(options: TransferEngineOptions) {
    this.#repo = options.repo;
    this.#emit = options.emit;
    this.#autoDir = options.autoAcceptDir ?? null;
    this.#autoFrom = options.autoAcceptFrom ?? (() => true);
    this.#maxSize = options.maxFileSize ?? DEFAULT_MAX_FILE_SIZE;
    this.#now = options.now ?? Date.now;
    this.#log = options.log ?? (() => undefined);
  }


  /** Changes the auto-accept folder and the size cap for offers that arrive from now on (the app's Settings). */
  setLimits(autoAcceptDir: string | null, maxFileSize: number): void {
    this.#autoDir = autoAcceptDir;
    this.#maxSize = maxFileSize;
  }

  /** Hashes `path` and stores an offer to `peer` (the outbox then sends it); FileCommandError for an unreadable path. */
  async offerFile(peer: string, path: string): Promise<Transfer> {
    const state = this.#peers.get(peer);
    if (state !== undefined && state.link === null) throw new FileCommandError('file-error', 'the peer is connected without files support');
    return createOffer(this.#repo, peer, path);
  }

  /** The `file` message for an unacked offer row (kind 'file'), for the outbox. */
  offerFor(transfer: Transfer): FileOfferMessage {
    return { type: 'file', id: transfer.id, ts: transfer.ts, name: transfer.name, size: transfer.size, sha256: transfer.sha256 };
  }

  /** Accepts an incoming offer into `dir` (also after a restart: resumes what is held). */
  async accept(id: string, dir: string): Promise<void> {
    const t = this.#repo.listById(id).find((x) => x.direction === 'in');
    if (t === undefined) throw new FileCommandError('bad-input', `no incoming file ${id}`);
    if (t.state !== 'offered' && t.state !== 'accepted' && t.state !== 'transferring') throw new FileCommandError('bad-input', `file ${id} is ${t.state}`);
    await this.#accept(t, dir);
  }

  /** Declines an offer or stops a transfer, either side. */
  async cancel(id: string): Promise<void> {
    const list = this.#repo.listById(id).filter((t) => !isFinal(t.state));
    if (list.length === 0) throw new FileCommandError('bad-input', `no unfinished file ${id}`);
    for (const t of list) await this.#end(t, t.direction === 'in' && t.state === 'offered' ? 'declined' : 'cancelled', 'local');
  }


  /** A session with `peer` started; `link` is null when `files` was not negotiated on it. */
  connect(peer: string, link: FileLink | null): void {
    this.disconnect(peer);
    this.#peers.set(peer, { link, pump: null, cancelled: new Set() });
    void this.#resumeAll(peer, link).catch((e: Error) => this.#log(`files: resuming with ${peer.slice(0, 8)} failed: ${e.message}`));
  }

  /** The session with `peer` ended: senders stop, receivers fsync what they hold. */
  disconnect(peer: string): void {
    const state = this.#peers.get(peer);
    if (state === undefined) return;
    this.#peers.delete(peer);
    state.pump?.close();
    for (const [key, r] of this.#receiving) {
      if (!key.startsWith(`${peer}/`)) continue;
      this.#receiving.delete(key);
      const id = key.slice(peer.length + 1);
      const done = r.suspend().then(() => {
        const now = this.#repo.get(peer, 'in', id);
        if (now !== null && !isFinal(now.state)) this.#repo.setBytes(peer, 'in', id, r.part.held);
        this.#suspending.delete(key);
      });
      this.#suspending.set(key, done);
    }
  }

  /** A file message on a link with `files` (decoded by decodeFileMessage). */
  onMessage(peer: string, m: FileMessage): FileVerdict {
    const state = this.#peers.get(peer);
    if (state?.link == null) return { verdict: 'ok' }; // section 9: ignored without files
    switch (m.type) {
      case 'file':
        return this.#onOffer(peer, m);
      case 'file-accept': {
        const t = this.#repo.get(peer, 'out', m.id);
        if (t === null) return { verdict: 'ok' };
        if (m.offset > t.size) return { verdict: 'close', reason: `file-accept offset ${m.offset} beyond the size ${t.size}` };
        void this.#startSending(peer, t, m.offset);
        return { verdict: 'ok' };
      }
      case 'file-cancel':
        for (const direction of ['in', 'out'] as const) {
          const t = this.#repo.get(peer, direction, m.id);
          if (t !== null && !isFinal(t.state)) void this.#end(t, m.reason ?? 'cancelled', 'peer');
        }
        return { verdict: 'ok' };
      case 'file-done': {
        const t = this.#repo.get(peer, 'out', m.id);
        if (t === null || isFinal(t.state)) return { verdict: 'ok' };
        state.pump?.stop(m.id);
        this.#repo.update(peer, 'out', m.id, { state: 'done', bytes: t.size });
        this.#emit({ type: 'file-sent', peer, id: m.id });
        return { verdict: 'ok' };
      }
    }
  }

  /** A chunk (decoded by decodeChunk) on a link with `files`; `close` for one nobody asked for. */
  onChunk(peer: string, chunk: { id: string; offset: number; data: Uint8Array }): FileVerdict {
    const state = this.#peers.get(peer);
    if (state?.link == null) return { verdict: 'close', reason: 'a chunk without files negotiated' };
    const r = this.#receiving.get(`${peer}/${chunk.id}`);
    if (r === undefined) {
      if (state.cancelled.has(chunk.id)) return { verdict: 'ok' }; // in flight when we cancelled
      return { verdict: 'close', reason: `a chunk for file ${chunk.id}, which is not accepted` };
    }
    return r.onChunk(chunk.offset, chunk.data);
  }

  /** Stops every transfer (the service is shutting down); receivers keep what they hold. */
  async close(): Promise<void> {
    for (const peer of [...this.#peers.keys()]) this.disconnect(peer);
    await Promise.all(this.#suspending.values());
  }


  #onOffer(peer: string, m: FileOfferMessage): FileVerdict {
    let result: { inserted: boolean; transfer: Transfer };
    try {
      result = this.#repo.insertIncoming(peer, m);
    } catch (error) {
      if (error instanceof RangeError) return { verdict: 'ack', id: m.id }; // an id already used by a text: ack, keep the text
      throw error;
    }
    const t = result.transfer;
    if (result.inserted) {
      this.#emit({ type: 'file-offer', peer, id: t.id, name: t.name, size: t.size, sha256: t.sha256 });
      if (t.size > this.#maxSize) void this.#end(t, 'too-large', 'local');
      else if (this.#autoDir !== null && this.#autoFrom(peer)) void this.#accept(t, this.#autoDir).catch((e: Error) => this.#fileError(t, e));
    }
    return { verdict: 'ack', id: m.id };
  }

  /** Auto-accepts the offers from `peer` still waiting (a held request was just accepted). */
  acceptHeld(peer: string): void {
    const dir = this.#autoDir;
    if (dir === null || !this.#autoFrom(peer)) return;
    for (const t of this.#repo.listUnfinished(peer)) {
      if (t.direction === 'in' && t.state === 'offered') void this.#accept(t, dir).catch((e: Error) => this.#fileError(t, e));
    }
  }

  async #accept(t: Transfer, dir: string): Promise<void> {
    const key = `${t.peer}/${t.id}`;
    if (this.#receiving.has(key)) return;
    let partPath = t.paths.part;
    if (partPath === undefined || t.paths.dir !== dir) {
      if (partPath === undefined && (await freeBytes(dir)) < t.size) return this.#end(t, 'no-space', 'local');
      const reserved = await reserveTarget(dir, safeFileName(t.name), '.part');
      await reserved.handle.close();
      partPath = reserved.path;
      t = this.#repo.update(t.peer, 'in', t.id, { state: 'accepted', bytes: 0, paths: { dir, part: partPath } });
    }
    const link = this.#peers.get(t.peer)?.link;
    if (link) await this.#openReceiver(t, link);
  }

  /** Opens the part, checks the space still needed, and asks the peer for the bytes from what is held. */
  async #openReceiver(t: Transfer, link: FileLink): Promise<void> {
    const key = `${t.peer}/${t.id}`;
    await this.#suspending.get(key);
    const fresh = this.#repo.get(t.peer, 'in', t.id);
    if (fresh === null || isFinal(fresh.state)) return;
    t = fresh;
    if (this.#receiving.has(key) || t.paths.part === undefined) return;
    const part = await PartFile.open(t.paths.part, t.size, t.bytes, { onCheckpoint: (n) => this.#repo.setBytes(t.peer, 'in', t.id, n) });
    if ((await freeBytes(t.paths.dir ?? t.paths.part).catch(() => Infinity)) < t.size - part.held) {
      await part.close();
      return this.#end(t, 'no-space', 'local');
    }
    if (this.#peers.get(t.peer)?.link !== link || this.#receiving.has(key)) return part.close();
    const progress = this.#throttle(t);
    const receiver = new ReceiveFile(part, link, {
      onProgress: (bytes) => progress(bytes, t.size) && this.#emit({ type: 'file-progress', peer: t.peer, id: t.id, direction: 'in', bytes, size: t.size }),
      onComplete: () => void this.#finishReceiving(t, receiver),
      onWriteError: (error) => void this.#end(t, error instanceof PartFileError && error.code === 'no-space' ? 'no-space' : 'cancelled', 'local', String(error)),
    });
    this.#receiving.set(key, receiver);
    this.#repo.update(t.peer, 'in', t.id, { state: part.held > 0 ? 'transferring' : 'accepted', bytes: part.held });
    link.sendJson({ type: 'file-accept', id: t.id, offset: part.held });
    this.#emit({ type: 'file-accepted', peer: t.peer, id: t.id, direction: 'in', offset: part.held, size: t.size });
    if (t.size === 0) await this.#finishReceiving(t, receiver);
  }

  async #finishReceiving(t: Transfer, r: ReceiveFile): Promise<void> {
    const key = `${t.peer}/${t.id}`;
    await r.settled();
    if (this.#receiving.get(key) !== r) return;
    this.#receiving.delete(key);
    let path: string;
    try {
      path = await r.part.finish(t.sha256, safeFileName(t.name), t.paths.dir);
    } catch (error) {
      const reason: CancelReason = error instanceof PartFileError && error.code !== 'io' ? error.code : 'cancelled';
      return this.#end(t, reason, 'local', String(error));
    }
    this.#repo.update(t.peer, 'in', t.id, { state: 'done', bytes: t.size, paths: { dir: t.paths.dir ?? '', final: path } });
    this.#sendFinal(t, { type: 'file-done', id: t.id });
    this.#emit({ type: 'file-received', peer: t.peer, id: t.id, path, size: t.size, sha256: t.sha256 });
  }

  async #startSending(peer: string, t: Transfer, offset: number): Promise<void> {
    const state = this.#peers.get(peer);
    if (!state?.link) return;
    if (isFinal(t.state)) {
      // Accepted again after we ended it (our cancel was lost): say so again; a done transfer needs nothing.
      if (t.state !== 'done') state.link.sendJson(owedMessage(t));
      return;
    }
    t = this.#repo.update(peer, 'out', t.id, { state: 'transferring', bytes: offset });
    this.#emit({ type: 'file-accepted', peer, id: t.id, direction: 'out', offset, size: t.size });
    this.#throttle(t);
    state.pump ??= new SendPump(state.link, {
      onAllSent: () => undefined, // done when the receiver says file-done
      onChanged: (x) => void this.#end(x, 'changed', 'local'),
      onReadError: (x, e) => void this.#end(x, 'cancelled', 'local', `cannot read the file: ${e.message}`),
      onProgress: (x, bytes) => {
        if (!this.#throttles.get(`${peer}/${x.id}`)?.(bytes, x.size)) return;
        this.#repo.setBytes(peer, 'out', x.id, bytes);
        this.#emit({ type: 'file-progress', peer, id: x.id, direction: 'out', bytes, size: x.size });
      },
    });
    await state.pump.start(t, offset);
  }

  async #resumeAll(peer: string, link: FileLink | null): Promise<void> {
    for (const t of this.#repo.listOwed(peer)) {
      if (link === null) break;
      if (link.sendJson(owedMessage(t))) this.#confirmFinal(link, t);
    }
    for (const t of this.#repo.listUnfinished(peer)) {
      if (link === null) {
        if (t.direction === 'out') await this.#end(t, 'unsupported', 'local');
        continue;
      }
      if (this.#peers.get(peer)?.link !== link) return;
      if (t.direction === 'in' && t.state !== 'offered') await this.#openReceiver(t, link).catch((e: Error) => this.#fileError(t, e));
    }
  }

  /** Ends a transfer with `reason` (final), tells the peer when it is ours to tell, and cleans up. */
  async #end(t: Transfer, reason: CancelReason, by: 'local' | 'peer', detail?: string): Promise<void> {
    const current = this.#repo.get(t.peer, t.direction, t.id);
    if (current === null || isFinal(current.state)) return;
    const state = this.#peers.get(t.peer);
    if (t.direction === 'out') state?.pump?.stop(t.id);
    const key = `${t.peer}/${t.id}`;
    const r = t.direction === 'in' ? this.#receiving.get(key) : undefined;
    if (t.direction === 'in') {
      this.#receiving.delete(key);
      state?.cancelled.add(t.id);
    }
    const updated = this.#repo.update(t.peer, t.direction, t.id, { state: stateForReason(reason), reason, endedBy: by });
    if (r !== undefined) await r.discard();
    else if (t.direction === 'in' && current.paths.part !== undefined) await unlink(current.paths.part).catch(() => undefined);
    if (by === 'local' && reason !== 'unsupported') this.#sendFinal(updated, { type: 'file-cancel', id: t.id, reason });
    if (detail !== undefined) this.#log(`files: ${t.id}: ${detail}`);
    this.#throttles.delete(key);
    this.#emit({ type: 'file-cancelled', peer: t.peer, id: t.id, direction: t.direction, reason, by });
  }

  /**
   * Sends a final message (file-done / file-cancel). It stays owed, and is sent again on the next
   * connection, until the peer has read it: a final has no ack, and one written into a socket that
   * dies is lost — a sender would then wait for ever on a transfer its receiver has finished.
   */
  #sendFinal(t: Transfer, m: FileMessage): void {
    const link = this.#peers.get(t.peer)?.link;
    this.#repo.update(t.peer, t.direction, t.id, { finalOwed: m.type === 'file-done' ? 'file-done' : 'file-cancel' });
    if (link?.sendJson(m)) this.#confirmFinal(link, t);
  }

  /** A pong after the final shows the peer has read it (frames are read in order): no longer owed. */
  #confirmFinal(link: FileLink, t: Transfer): void {
    link.probe(() => {
      if (this.#repo.get(t.peer, t.direction, t.id)?.finalOwed != null) this.#repo.update(t.peer, t.direction, t.id, { finalOwed: null });
    });
  }

  #fileError(t: Transfer, e: Error): void {
    this.#emit({ type: 'file-error', peer: t.peer, id: t.id, message: e.message });
  }

  #throttle(t: Transfer): (bytes: number, size: number) => boolean {
    const key = `${t.peer}/${t.id}`;
    const f = this.#throttles.get(key) ?? progressThrottle(this.#now);
    this.#throttles.set(key, f);
    return f;
  }
}

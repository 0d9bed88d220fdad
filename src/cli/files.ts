/**
 * Files in the headless peer (CLI.md "Additions"): the send-file, accept-file and cancel-file
 * commands, the file-* events, and what `quit` waits for.
 *
 * Progress: `file-progress` at most 4 a second per file on both sides (the last byte always
 * shows). It is also printed when a transfer starts or resumes, with `bytes` = the offset the
 * receiver asked for: after an interruption it shows the transfer going on from what was held.
 *
 * Quitting (quit, end of input, SIGINT/SIGTERM) waits for transfers in flight with a connected
 * peer to reach a final state (received, sent, cancelled), as long as they move: a transfer that
 * made no progress for STALL_MS no longer holds the exit, and an offer of ours that the peer has
 * not started (it waits for its user's decision) holds it only for OFFER_GRACE_MS. An offer being
 * hashed when quit comes is finished and queued first.
 */
import type { ParleyService } from '../core/service/parley-service.ts';
import { ServiceError } from '../core/service/errors.ts';
import type { FileEventDto } from '../shared/dto.ts';
import type { InputLine } from './input.ts';
import type { Output } from './output.ts';

/** Quitting gives up on a transfer that moved no byte for this long. */
export const STALL_MS = 10_000;
/** Quitting waits this long for the peer to start on an offer of ours. */
export const OFFER_GRACE_MS = 3000;
/** At most 4 progress events a second per file (CLI.md). */
const PROGRESS_MS = 250;

type Tracked = { peer: string; started: boolean; last: number };
type FileCommand = Extract<InputLine, { kind: 'send-file' | 'accept-file' | 'cancel-file' }>;

/** See the module comment. */
export class CliFiles {
  readonly #service: ParleyService;
  readonly #out: Output;
  /** Transfers this run took part in that are not final yet, by id. */
  readonly #tracked = new Map<string, Tracked>();
  readonly #printed = new Map<string, number>();
  readonly #running = new Set<Promise<void>>();
  /** Called with the id of an offer we sent, so that quit waits for its ack like a text's. */
  readonly #onOffer: (id: string) => void;

  constructor(service: ParleyService, out: Output, onOffer: (id: string) => void) {
    this.#service = service;
    this.#out = out;
    this.#onOffer = onOffer;
  }

  /** Runs a file command; its result or error is printed when it settles. */
  command(line: FileCommand): void {
    const run = this.#run(line).catch((err: unknown) => {
      if (err instanceof ServiceError) this.#out.emit({ event: 'error', code: err.code, message: err.message });
      else this.#out.emit({ event: 'error', code: 'file-error', message: err instanceof Error ? err.message : String(err) });
    });
    this.#running.add(run);
    void run.finally(() => this.#running.delete(run));
  }

  /** Prints a file event of the service. */
  onEvent(e: FileEventDto): void {
    const out = this.#out;
    switch (e.type) {
      case 'file-offer':
        return out.emit({ event: 'file-offer', peer: e.peer, id: e.id, name: e.name, size: e.size, sha256: e.sha256 });
      case 'file-accepted':
        this.#touch(e.id, e.peer, true);
        this.#printed.delete(e.id); // a start or resume always shows
        return this.#progress(e.peer, e.id, e.offset, e.size);
      case 'file-progress':
        this.#touch(e.id, e.peer, true);
        return this.#progress(e.peer, e.id, e.bytes, e.size);
      case 'file-received':
        this.#end(e.id);
        return out.emit({ event: 'file-received', peer: e.peer, id: e.id, path: e.path, size: e.size, sha256: e.sha256 });
      case 'file-sent':
        this.#end(e.id);
        return out.emit({ event: 'file-sent', peer: e.peer, id: e.id });
      case 'file-cancelled':
        this.#end(e.id);
        return out.emit({ event: 'file-cancelled', peer: e.peer, id: e.id, reason: e.reason });
      case 'file-error':
        return out.emit({ event: 'error', code: 'file-error', message: `file ${e.id}: ${e.message}` });
    }
  }

  /** Resolves once commands in progress are done and transfers in flight have ended or stalled (see the module comment). */
  async settle(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
    for (;;) {
      const connected = new Set(this.#service.connectedPeers());
      const now = Date.now();
      const waiting = [...this.#tracked.values()].some((t) => connected.has(t.peer) && now - t.last < (t.started ? STALL_MS : OFFER_GRACE_MS));
      if (!waiting) return;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async #run(line: FileCommand): Promise<void> {
    switch (line.kind) {
      case 'send-file': {
        if (!this.#service.hasContact(line.peer)) throw new ServiceError('no-peer', `no contact with fingerprint ${line.peer}`);
        const m = await this.#service.sendFile(line.peer, line.path);
        const f = m.file;
        if (f === undefined) throw new Error('sendFile returned no transfer');
        this.#touch(m.id, m.peer, false);
        if (m.state !== 'delivered') this.#onOffer(m.id);
        this.#out.emit({ event: 'file-sending', peer: m.peer, id: m.id, name: f.name, size: f.size, sha256: f.sha256 });
        return;
      }
      case 'accept-file':
        if (!isId(line.id)) throw new ServiceError('bad-input', 'id is not a file id');
        return this.#service.acceptFile(line.id, line.dir ?? undefined);
      case 'cancel-file':
        if (!isId(line.id)) throw new ServiceError('bad-input', 'id is not a file id');
        return this.#service.cancelFile(line.id);
    }
  }

  #progress(peer: string, id: string, bytes: number, size: number): void {
    const now = Date.now();
    const last = this.#printed.get(id);
    if (last !== undefined && bytes < size && now - last < PROGRESS_MS) return;
    this.#printed.set(id, now);
    this.#out.emit({ event: 'file-progress', peer, id, bytes, size });
  }

  #touch(id: string, peer: string, started: boolean): void {
    const t = this.#tracked.get(id);
    this.#tracked.set(id, { peer, started: started || (t?.started ?? false), last: Date.now() });
  }

  #end(id: string): void {
    this.#tracked.delete(id);
    this.#printed.delete(id);
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
function isId(x: string): boolean {
  return UUID.test(x);
}

/**
 * The service's files part (PROTOCOL.md section 9): it owns the TransferEngine and wires it to the
 * sessions. Each session with `files` negotiated gets a FileLink over its own connection (the
 * socket's real write buffer and 'drain', and a read pause the connection respects); a session
 * without it is announced to the engine as `null`, so offers to that peer fail or are cancelled
 * (`unsupported`). File messages and chunks come here from the session lifecycle; the engine's
 * verdicts become acks or a protocol-error close. Offers travel in the outbox (delivery.ts), which
 * asks `offerBytes` for each unacked file row.
 */
import { FileCommandError } from '../files/offer-file.ts';
import type { FileLink } from '../files/file-link.ts';
import { TransferEngine } from '../files/transfer-engine.ts';
import { isFinal } from '../files/transfer-states.ts';
import { decodeChunk, encodeFileMessage, type FileMessage } from '../protocol/file-messages.ts';
import type { Transfer } from '../storage/transfers-repo.ts';
import type { FileDto, FileEventDto, FileState, MessageDto } from '../../shared/dto.ts';
import type { ContactView } from './contact-view.ts';
import { ServiceError } from './errors.ts';
import type { EventHub } from './events.ts';
import type { PeerLink } from './peer-link.ts';
import type { ServiceStore } from './service-store.ts';
import { FILES_FEATURE } from './session-table.ts';

/** Incoming files (ServiceOptions.files). */
export type FilesSettings = {
  /**
   * The downloads folder: `acceptFile` without a folder saves here, and offers are accepted into it
   * by themselves (from every contact, or only verified ones with `autoAcceptVerified`). Null: every
   * offer waits for `acceptFile(id, dir)`.
   */
  readonly acceptDir: string | null;
  /** Larger offers are declined by themselves (`too-large`). */
  readonly maxFileSize: number;
  /** Auto-accept into `acceptDir` only from verified contacts (the app's setting; off: from everyone). */
  readonly autoAcceptVerified?: boolean;
};

type Parts = {
  readonly store: ServiceStore;
  readonly hub: EventHub;
  readonly contacts: ContactView;
  readonly link: (peer: string) => PeerLink | undefined;
  /** Sends what the outbox holds for the link (a new offer goes out in order behind it). */
  readonly flush: (link: PeerLink) => void;
  readonly blockOnKeyChange: boolean;
  readonly settings: FilesSettings | undefined;
  readonly log: (line: string) => void;
};

/** A FileLink over one session's connection (see the module comment). */
function fileLinkOf(link: PeerLink): FileLink {
  const { session, conn } = link;
  return {
    sendJson: (m) => session.sendPlaintext(encodeFileMessage(m)),
    sendChunk: (plaintext) => session.sendPlaintext(plaintext),
    probe: (onAnswer) => session.probe(onAnswer),
    get pendingWriteBytes() {
      return conn.socket.writableLength;
    },
    onceDrained: (cb) => conn.onceWriteDrained(cb),
    setReadPaused: (paused) => conn.setReadPaused(paused),
  };
}

/** True if the session negotiated `files`. */
export function hasFiles(link: PeerLink): boolean {
  return link.features.includes(FILES_FEATURE);
}

/** See the module comment. */
export class FileTransfers {
  readonly #p: Parts;
  #settings: FilesSettings | undefined;
  readonly #engine: TransferEngine;
  /** The link the engine was last told about, per peer (a replaced link must not disconnect its successor). */
  readonly #current = new Map<string, PeerLink>();

  constructor(parts: Parts) {
    this.#p = parts;
    this.#settings = parts.settings;
    const s = parts.settings;
    this.#engine = new TransferEngine({
      repo: parts.store.transfers,
      emit: (e) => this.#onEngineEvent(e),
      autoAcceptDir: s?.autoAcceptVerified ? null : (s?.acceptDir ?? null),
      // A held message request's offers wait like its texts: a stranger cannot fill the disk unasked.
      autoAcceptFrom: (peer) => parts.store.contacts.get(peer)?.status !== 'request',
      ...(s ? { maxFileSize: s.maxFileSize } : {}),
      log: parts.log,
    });
  }

  /** A session started (after the outbox: offers go first, then resumes). */
  connect(link: PeerLink): void {
    this.#current.set(link.peer, link);
    this.#engine.connect(link.peer, hasFiles(link) ? fileLinkOf(link) : null);
  }

  /** A session ended: senders stop, receivers keep what they hold. */
  disconnect(link: PeerLink): void {
    if (this.#current.get(link.peer) !== link) return;
    this.#current.delete(link.peer);
    this.#engine.disconnect(link.peer);
  }

  /** A file message (only delivered where `files` was negotiated). */
  onMessage(link: PeerLink, m: FileMessage): void {
    this.#act(link, this.#engine.onMessage(link.peer, m));
  }

  /** A chunk plaintext (only delivered where `files` was negotiated). */
  onChunk(link: PeerLink, plaintext: Uint8Array): void {
    const c = decodeChunk(plaintext);
    if (c.verdict === 'close') {
      this.#p.log(`closing the session with ${link.peer.slice(0, 16)}: ${c.reason}`);
      link.session.close('protocol-error');
      return;
    }
    this.#act(link, this.#engine.onChunk(link.peer, c.chunk));
  }

  /** The `file` message for an unacked offer row, or null when it must not go out on this link. */
  offerBytes(link: PeerLink, id: string): Uint8Array | null {
    if (!hasFiles(link)) return null;
    const t = this.#p.store.transfers.get(link.peer, 'out', id);
    if (t === null || isFinal(t.state)) return null;
    return encodeFileMessage(this.#engine.offerFor(t));
  }

  /** Hashes the file and queues its offer to `peer` (sent now if connected). */
  async send(peer: string, path: string): Promise<MessageDto> {
    this.#p.contacts.require(peer);
    if (this.#p.blockOnKeyChange && this.#p.store.trust.get(peer)?.blocking) {
      throw new ServiceError('send-blocked', "this contact's key changed or its name belongs to another contact: verify it or accept the new key first");
    }
    const t = await this.#command(() => this.#engine.offerFile(peer, path));
    const link = this.#p.link(peer);
    if (link && !link.outbox.waiting) this.#p.flush(link);
    this.#p.contacts.changed(peer);
    return this.toDto(this.#p.store.transfers.get(peer, 'out', t.id) ?? t);
  }

  /** Accepts an incoming offer into `dir` (default: the downloads folder); resumes what is held. */
  async accept(id: string, dir?: string): Promise<void> {
    const target = dir ?? this.#settings?.acceptDir ?? null;
    if (target === null) throw new ServiceError('bad-input', 'no folder to save the file in: give one');
    await this.#command(() => this.#engine.accept(id, target));
  }

  /** Declines an offer or stops a transfer, either side. */
  async cancel(id: string): Promise<void> {
    await this.#command(() => this.#engine.cancel(id));
  }

  /** New settings for offers that arrive from now on (the app's Settings). */
  setSettings(settings: FilesSettings): void {
    this.#settings = settings;
    this.#engine.setLimits(settings.autoAcceptVerified ? null : settings.acceptDir, settings.maxFileSize);
  }

  /** A received file that passed its check: its name and where it was saved; else null. */
  saved(peer: string, id: string): { readonly name: string; readonly path: string; readonly size: number } | null {
    const t = this.#p.store.transfers.get(peer, 'in', id);
    if (t === null || t.state !== 'done' || t.paths.final === undefined) return null;
    return { name: t.name, path: t.paths.final, size: t.size };
  }

  /** A message request was accepted: its offers waiting are auto-accepted now if the settings say so. */
  requestAccepted(peer: string): void {
    this.#engine.acceptHeld(peer);
  }

  /** Offers with `peer` not finished yet (offered, waiting or transferring), oldest first. */
  unfinished(peer: string): MessageDto[] {
    this.#p.contacts.require(peer);
    return this.#p.store.transfers.listUnfinished(peer).map((t) => this.toDto(t));
  }

  /** The source paths of outgoing offers not finished yet (any peer). */
  sources(): string[] {
    return this.#p.store.transfers.listSending().flatMap((t) => (t.paths.source === undefined ? [] : [t.paths.source]));
  }

  /** A history row of kind 'file' with its transfer (`dto` is the message as toMessageDto made it). */
  withFile(dto: MessageDto): MessageDto {
    if (dto.kind !== 'file') return dto;
    // dto.key: the key the offer was exchanged with (dto.peer is the thread, issue 12).
    const t = this.#p.store.transfers.get(dto.key, dto.direction, dto.id);
    return t === null ? dto : { ...dto, file: this.#fileDto(t) };
  }

  /** The offer of a transfer as a history row. */
  toDto(t: Transfer): MessageDto {
    return {
      peer: t.peer,
      id: t.id,
      seq: t.seq,
      direction: t.direction,
      ts: t.ts,
      storedAt: t.createdAt,
      text: t.name,
      state: t.delivery,
      kind: 'file',
      file: this.#fileDto(t),
      key: t.peer,
      replyTo: null,
      reactTo: null,
    };
  }

  /** Stops every transfer; receivers fsync what they hold. Call before the store closes. */
  close(): Promise<void> {
    return this.#engine.close();
  }

  #fileDto(t: Transfer): FileDto {
    const moving = t.state === 'transferring' && this.#current.has(t.peer);
    const state: FileState = t.state === 'accepted' || (t.state === 'transferring' && !moving) ? 'waiting' : t.state === 'transferring' ? 'transferring' : t.state;
    return { name: t.name, size: t.size, sha256: t.sha256, state, bytes: t.bytes, reason: t.reason, endedBy: t.endedBy, path: t.paths.final ?? null };
  }

  #act(link: PeerLink, verdict: ReturnType<TransferEngine['onChunk']>): void {
    if (verdict.verdict === 'ack') link.session.send({ type: 'ack', id: verdict.id });
    else if (verdict.verdict === 'close') {
      this.#p.log(`closing the session with ${link.peer.slice(0, 16)}: ${verdict.reason}`);
      link.session.close('protocol-error');
    }
  }

  async #command<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof FileCommandError) throw new ServiceError(error.code, error.message);
      throw error;
    }
  }

  #onEngineEvent(e: FileEventDto): void {
    const { hub, contacts, store } = this.#p;
    const settings = this.#settings;
    hub.emit(e);
    if (e.type !== 'file-offer') {
      if (e.type !== 'file-progress') contacts.changed(e.peer);
      return;
    }
    const t = store.transfers.get(e.peer, 'in', e.id);
    // An offer from a message request is held like its texts (issue 12): not a `message` to notify.
    const held = store.contacts.get(e.peer)?.status === 'request';
    if (t !== null) hub.emit({ type: held ? 'request-message' : 'message', message: this.toDto(t) });
    contacts.changed(e.peer);
    // The app's "auto-accept from verified contacts": the engine itself auto-accepts from everyone.
    if (settings?.autoAcceptVerified && settings.acceptDir !== null && e.size <= settings.maxFileSize && store.contacts.get(e.peer)?.verified) {
      const dir = settings.acceptDir;
      void this.#engine.accept(e.id, dir).catch((error: Error) => hub.emit({ type: 'file-error', peer: e.peer, id: e.id, message: error.message }));
    }
  }
}

/**
 * ParleyService: the core's one face. Commands in (host, join, send, verify, …), typed events out
 * (ParleyEvent). The desktop app's IPC, the headless peer and the end-to-end test bridge are thin
 * adapters over it. It coordinates its parts (service-parts.ts): the Connector (TCP and the DHT),
 * Reach, Hosting, the SessionTable and SessionLifecycle, Delivery, FileTransfers, the TrustGate
 * (warnings, verification, requests, invite tokens), People, Conversations, Rejoining, ContactView.
 */
import { spkiPem } from '../crypto/fingerprint.ts';
import type { SettingsRepo } from '../storage/settings-repo.ts';
import type { ContactDto, HistoryPage, HostingDto, IdentityDto, InviteDto, KeyChangeDto, MessageDto, NearbyDto, SearchPageDto, SendOptions, VerificationMethod } from '../../shared/dto.ts';
import { MULTICAST_DISCOVERY } from '../net/discovery.ts';
import { isValidLocalName } from '../../shared/text.ts';
import { ServiceError } from './errors.ts';
import type { EventListener } from './events.ts';
import { joinTarget, type JoinTargetOptions } from './joining.ts';
import { buildParts, type ServiceOptions, type ServiceParts } from './service-parts.ts';
import type { ServiceStore } from './service-store.ts';
import type { FilesSettings } from './file-transfers.ts';

export type { ServiceOptions, ServiceStore };

/** See the module comment. */
export class ParleyService {
  readonly #opts: ServiceOptions;
  readonly #p: ServiceParts;
  #closed = false;

  constructor(options: ServiceOptions) {
    this.#opts = options;
    this.#p = buildParts(options, () => this.#closed);
  }

  /** Subscribes to events; returns the unsubscribe function. */
  on(listener: EventListener): () => void {
    return this.#p.hub.on(listener);
  }
  /** Our identity as the UI shows it. */
  identity(): IdentityDto {
    const { publicKey, fingerprint } = this.#p.store.identity;
    return { fingerprint, publicKeyPem: spkiPem(publicKey), name: this.#p.store.settings.getDisplayName(), keyProtection: this.#opts.keyProtection };
  }

  /** Sets the display name sent in the hello. */
  setName(name: string): IdentityDto {
    if (!isValidLocalName(name)) throw new ServiceError('bad-input', 'a display name is 0 to 64 characters without control characters');
    this.#p.store.settings.setDisplayName(name);
    return this.identity();
  }

  /** Where the data lives (shown in Settings). */
  get dataDir(): string {
    return this.#p.store.dir;
  }

  /** Direct access for adapters that need settings (default port). */
  get settings(): SettingsRepo {
    return this.#p.store.settings;
  }

  // ---------------------------------------------------------------- hosting

  /**
   * Starts listening on bind:port (port 0 = any free port) and, with `dht`, on HyperDHT too
   * (PROTOCOL.md section 8; `hosting-changed` follows as the DHT's reachability settles).
   */
  async host(options: { port: number; bind: string; dht?: boolean; announce?: boolean }): Promise<HostingDto> {
    this.#assertOpen();
    return this.#p.hosting.start(options);
  }

  /** A new invite with its own token, one-time unless `reusable` (docs/PROTOCOL.md section 10.1); needs hosting. */
  createInvite(options: { reusable: boolean }): InviteDto {
    return this.#p.hosting.createInvite(options);
  }

  /** Ends every invite token; the host screen gets a new invite (joiners with an old link become requests). */
  revokeInvites(): HostingDto | null {
    return this.#p.hosting.revokeInvites();
  }

  /** Stops accepting new connections (TCP and DHT); established sessions go on. */
  async stopHosting(): Promise<void> {
    await this.#p.hosting.stop();
  }

  /** The current hosting state, or null. */
  hosting(): HostingDto | null {
    return this.#p.hosting.current;
  }

  /** Hosts advertising on the local network for `timeoutMs` (claims only: joining one never verifies it). */
  async browseNearby(timeoutMs: number): Promise<NearbyDto[]> {
    this.#assertOpen();
    const own = this.#p.store.identity.fingerprint;
    const found = await (this.#opts.discovery ?? MULTICAST_DISCOVERY).browse({ timeoutMs, log: (line) => this.#opts.log?.(line) });
    return found.filter((h) => h.fingerprint !== own);
  }

  /** "Get a new reachable address": a new DHT key pair; old invites stop working through the DHT, contacts learn it (`reach` or the next hello). */
  async newDhtKey(): Promise<HostingDto | null> {
    this.#assertOpen();
    if (!this.#p.reach) throw new ServiceError('bad-input', 'reaching peers through the DHT is not enabled');
    const key = await this.#p.reach.rotate();
    for (const peer of this.#p.sessions.peers()) this.#p.sessions.get(peer)?.session.send({ type: 'reach', dht: key });
    this.#p.hosting.rekeyed(key);
    return this.#p.hosting.current;
  }

  // ---------------------------------------------------------------- joining

  /**
   * Joins an invite or HOST:PORT. With an invite's `dht` and the DHT enabled, TCP and the DHT race
   * and the first session that authenticates with the invite's fingerprint is kept. Resolves with
   * the peer's fingerprint once the session is up. `onProgress` hears each step on each path;
   * `verifyByInvite: false` (a host found on the local network: anyone there can advertise
   * anything, section 8) still insists on the invite's fingerprint but never marks it verified.
   */
  async join(target: string, options: JoinTargetOptions = {}): Promise<{ peer: string }> {
    this.#assertOpen();
    const peer = await joinTarget(target, this.#p.connector, this.#p.reach, options);
    this.#p.rejoin.joined(peer);
    return { peer };
  }

  /**
   * Rejoins, with the usual backoff, every contact that is not connected now and that this node
   * can try to reach: one it joined before (a saved address) or, with the DHT enabled, one that
   * announced a DHT key. The desktop app calls it at start so that conversations come back by
   * themselves. Returns how many were scheduled. A saved address that now answers with another
   * key raises key-changed as a manual join would, and is not tried again.
   */
  rejoinKnown(): number {
    this.#assertOpen();
    return this.#p.rejoin.known((peer) => this.#p.sessions.has(peer));
  }

  /** "Try now": one rejoin attempt at once; whether the contact is connected after it (false: no way to reach it). */
  async rejoinNow(peer: string): Promise<boolean> {
    this.#assertOpen();
    this.#p.contacts.require(peer);
    return this.#p.sessions.has(peer) || this.#p.rejoin.now(peer);
  }

  /** Closes the session with a peer and stops rejoining it. */
  disconnect(peer: string): void {
    this.#p.contacts.require(peer);
    // Offline but being rejoined: stopping the attempts is what the user asked for (a success, not 'no-peer').
    const wasRejoining = this.#p.rejoin.stop(peer);
    const link = this.#p.sessions.get(peer);
    if (!link) {
      if (wasRejoining) return;
      throw new ServiceError('no-peer', 'that contact is not connected');
    }
    link.session.close('quit');
  }

  // ---------------------------------------------------------------- messages and contacts

  /** Stores a message (optionally a reply or reaction) and sends it now if connected; resent until acked. */
  send(peer: string, text: string, options?: SendOptions): MessageDto {
    this.#assertOpen();
    return this.#p.delivery.send(peer, text, options);
  }

  /** A page of the thread (every key of the person), oldest first: newest, before, after or around a seq. */
  history(peer: string, page: HistoryPage): MessageDto[] {
    return this.#p.conversations.history(peer, page);
  }

  /** The thread's earlier keys: the inline "key changed" events (each after the message with its afterSeq). */
  keyHistory(peer: string): KeyChangeDto[] {
    return this.#p.conversations.keyHistory(peer);
  }

  /** Text search over every thread, at most SEARCH_SCAN_ROWS decrypted per call; go on with `next`. */
  search(query: string, cursor: number | null = null): SearchPageDto {
    return this.#p.conversations.search(query, cursor);
  }

  // ---------------------------------------------------------------- files (PROTOCOL.md section 9, file-transfers.ts)

  /** Hashes the file and queues its offer (resent until acked); `file-error`: unreadable, or the connected peer lacks `files`. */
  sendFile(peer: string, path: string): Promise<MessageDto> {
    this.#assertOpen();
    return this.#p.files.send(peer, path);
  }
  /** Accepts an offer into `dir` (default: the downloads folder), resuming what is held; `bad-input`: unknown id. */
  acceptFile(id: string, dir?: string): Promise<void> {
    this.#assertOpen();
    return this.#p.files.accept(id, dir);
  }
  /** Declines an offer or stops a transfer, on either side; `bad-input`: unknown or finished id. */
  cancelFile(id: string): Promise<void> {
    this.#assertOpen();
    return this.#p.files.cancel(id);
  }
  /** Changes the files settings (download folder, size cap, auto-accept) for offers that arrive from now on. */
  setFileSettings(settings: FilesSettings): void {
    this.#p.files.setSettings(settings);
  }
  /** A received file that passed its SHA-256 check (name, saved path, size), else null: what main may open or preview. */
  savedFile(peer: string, id: string): { readonly name: string; readonly path: string; readonly size: number } | null {
    return this.#p.files.saved(peer, id);
  }
  /** The offers with `peer` not finished yet, with their transfer. */
  transfers(peer: string): MessageDto[] {
    return this.#p.files.unfinished(peer);
  }
  /** The files that outgoing offers not finished yet read from, with every peer (main keeps a pasted image until then). */
  filesBeingSent(): string[] {
    return this.#p.files.sources();
  }

  // ---------------------------------------------------------------- people (issue 12)

  /** Accepts a message request (its waiting offers are auto-accepted if the files settings say so). */
  acceptRequest(peer: string): ContactDto {
    const dto = this.#p.people.accept(peer);
    this.#p.files.requestAccepted(peer);
    return dto;
  }
  /** Blocks a key: its session ends, and it is refused at every later handshake, silently. */
  block(peer: string): ContactDto {
    return this.#p.people.block(peer);
  }
  /** Unblocks a key (it is a contact again). */
  unblock(peer: string): ContactDto {
    return this.#p.people.unblock(peer);
  }

  /** Sets the local nickname (null: none). */
  rename(peer: string, nickname: string | null): ContactDto {
    return this.#p.people.rename(peer, nickname);
  }

  /** Deletes the contact and its whole history now (the UI confirms first). */
  deleteContact(peer: string): void {
    this.#p.people.remove(peer);
  }

  /** Marks the contact verified (the user compared fingerprints or safety numbers). */
  verify(peer: string, method: VerificationMethod): ContactDto {
    return this.#p.trust.verify(peer, method);
  }

  /** Removes the verification. */
  unverify(peer: string): ContactDto {
    return this.#p.trust.unverify(peer);
  }

  /** The user accepts a changed key without verifying it: sending is allowed, the contact stays unverified. */
  acceptKey(peer: string): ContactDto {
    return this.#p.trust.acceptKey(peer);
  }

  /** Marks the conversation read. */
  markRead(peer: string): void {
    this.#p.contacts.require(peer);
    this.#p.store.contacts.markRead(peer);
    this.#p.contacts.changed(peer);
  }

  /** Whether a contact exists. */
  hasContact(peer: string): boolean {
    return this.#p.contacts.has(peer);
  }

  /** Every contact, most recent first. */
  contacts(): ContactDto[] {
    return this.#p.contacts.list();
  }

  /** The contact, or null. */
  contact(peer: string): ContactDto | null {
    return this.#p.contacts.get(peer);
  }

  /** Fingerprints of connected peers. */
  connectedPeers(): string[] {
    return this.#p.sessions.peers();
  }

  /** Closes every connection ('quit') and the listener, then the store. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#p.rejoin.stopAll();
    const stopping = this.#p.connector.close();
    this.#p.sessions.closeAll('quit');
    await stopping;
    await this.#p.files.close(); // receivers fsync what they hold before the store closes
    await this.#p.reach?.close();
    await this.#p.hosting.clear();
    this.#p.store.close();
  }

  #assertOpen(): void {
    if (this.#closed) throw new ServiceError('internal', 'the service is closed');
  }
}

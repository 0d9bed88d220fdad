/**
 * ParleyService: the core's one face. Commands in (host, join, send, verify, …), typed events out
 * (ParleyEvent). The desktop app's IPC, the headless peer and the end-to-end test bridge are thin
 * adapters over it. It coordinates its parts: the Connector (authenticated connections over TCP
 * and the DHT), Reach (HyperDHT), Hosting, the SessionTable (one session per peer) and the
 * SessionLifecycle (what happens to each), Delivery (outbox and inbox), FileTransfers, the
 * TrustGate (warnings and verification), Rejoining (with backoff) and the ContactView (DTOs).
 */
import { spkiPem } from '../crypto/fingerprint.ts';
import type { ListenerLimits } from '../net/listener.ts';
import type { HelloExtensions } from '../protocol/hello.ts';
import type { SessionTimers } from '../protocol/secure-session.ts';
import type { SettingsRepo } from '../storage/settings-repo.ts';
import type { ContactDto, HostingDto, IdentityDto, KeyProtection, MessageDto, NearbyDto, VerificationMethod } from '../../shared/dto.ts';
import { MULTICAST_DISCOVERY, type Discovery } from '../net/discovery.ts';
import { isValidLocalName } from '../../shared/text.ts';
import { Reach, type DhtSettings } from './reach.ts';
import type { BackoffPolicy } from './backoff.ts';
import { Connector } from './connector.ts';
import { ContactView } from './contact-view.ts';
import { Delivery } from './delivery.ts';
import { toMessageDto } from './dto.ts';
import { ServiceError } from './errors.ts';
import { EventHub, type EventListener } from './events.ts';
import { FileTransfers, type FilesSettings } from './file-transfers.ts';
import { Hosting } from './hosting.ts';
import { joinTarget, type JoinTargetOptions } from './joining.ts';
import { Rejoining } from './rejoining.ts';
import type { ServiceStore } from './service-store.ts';
import { SessionLifecycle } from './session-lifecycle.ts';
import { FILES_FEATURE, SessionTable } from './session-table.ts';
import { TrustGate } from './trust-gate.ts';

export type { ServiceStore };

export type ServiceOptions = {
  readonly store: ServiceStore;
  readonly keyProtection: KeyProtection;
  /** Rejoin contacts this node joined, with backoff, after a connection drops (default true). */
  readonly autoReconnect?: boolean;
  /** Hold sending to a contact with a blocking trust warning until the user decides (default true). */
  readonly blockOnKeyChange?: boolean;
  readonly sessionTimers?: SessionTimers;
  readonly handshakeTimeoutMs?: number;
  readonly connectTimeoutMs?: number;
  readonly backoff?: BackoffPolicy;
  readonly listenerLimits?: Partial<ListenerLimits>;
  /** Reach peers through HyperDHT too (PROTOCOL.md section 8); absent: TCP only. */
  readonly dht?: DhtSettings;
  /** Incoming files (see FilesSettings); absent: offers wait for acceptFile(id, dir), 4 GiB cap. */
  readonly files?: FilesSettings;
  /** Local network discovery (default: real multicast DNS-SD; end-to-end tests pass a stand-in). */
  readonly discovery?: Discovery;
  /** Diagnostics for humans (never key material). */
  readonly log?: (line: string) => void;
};

/** See the module comment. */
export class ParleyService {
  readonly #store: ServiceStore;
  readonly #opts: ServiceOptions;
  readonly #hub: EventHub;
  readonly #sessions: SessionTable;
  readonly #contacts: ContactView;
  readonly #delivery: Delivery;
  readonly #files: FileTransfers;
  readonly #trust: TrustGate;
  readonly #connector: Connector;
  readonly #reach: Reach | null;
  readonly #hosting: Hosting;
  readonly #rejoin: Rejoining;
  readonly #lifecycle: SessionLifecycle;
  #closed = false;

  constructor(options: ServiceOptions) {
    const { store } = options;
    const log = (line: string): void => options.log?.(line);
    this.#store = store;
    this.#opts = options;
    this.#hub = new EventHub(log);
    this.#sessions = new SessionTable({ ownFingerprint: store.identity.fingerprint, ...(options.sessionTimers ? { timers: options.sessionTimers } : {}), hub: this.#hub, log });
    this.#contacts = new ContactView(store, (peer) => this.#sessions.get(peer)?.connection ?? null, this.#hub);
    const link = (peer: string) => this.#sessions.get(peer);
    const blockOnKeyChange = options.blockOnKeyChange ?? true;
    this.#delivery = new Delivery({ store, hub: this.#hub, contacts: this.#contacts, link, blockOnKeyChange, offer: (l, id) => this.#files.offerBytes(l, id) });
    this.#files = new FileTransfers({ store, hub: this.#hub, contacts: this.#contacts, link, flush: (l) => this.#delivery.flush(l), blockOnKeyChange, settings: options.files, log });
    this.#trust = new TrustGate(store, this.#hub, this.#contacts);
    this.#connector = new Connector({
      identity: store.identity,
      displayName: () => store.settings.getDisplayName(),
      extensions: () => this.#helloExtensions(),
      handshakeTimeoutMs: options.handshakeTimeoutMs,
      connectTimeoutMs: options.connectTimeoutMs,
      listenerLimits: options.listenerLimits,
      onAuthenticated: (conn, result, ctx) => this.#lifecycle.authenticated(conn, result, ctx),
      log,
    });
    this.#reach = options.dht
      ? new Reach({ store, settings: options.dht, accept: (conn) => this.#connector.acceptCarried(conn), onChange: () => this.#hosting.changed(), log })
      : null;
    this.#hosting = new Hosting({ store, connector: this.#connector, reach: () => this.#reach, hub: this.#hub, discovery: options.discovery ?? MULTICAST_DISCOVERY, log });
    const reach = () => this.#reach;
    const { autoReconnect: enabled = true, backoff } = options;
    this.#rejoin = new Rejoining({ store, connector: this.#connector, reach, enabled, backoff, shouldTry: (peer) => !this.#closed && !this.#sessions.has(peer), log });
    const parts = { sessions: this.#sessions, contacts: this.#contacts, delivery: this.#delivery, files: this.#files, trust: this.#trust, rejoin: this.#rejoin };
    this.#lifecycle = new SessionLifecycle({ store, hub: this.#hub, ...parts, closed: () => this.#closed });
  }

  /** Subscribes to events; returns the unsubscribe function. */
  on(listener: EventListener): () => void {
    return this.#hub.on(listener);
  }

  /** Our identity as the UI shows it. */
  identity(): IdentityDto {
    const { publicKey, fingerprint } = this.#store.identity;
    return { fingerprint, publicKeyPem: spkiPem(publicKey), name: this.#store.settings.getDisplayName(), keyProtection: this.#opts.keyProtection };
  }

  /** Sets the display name sent in the hello. */
  setName(name: string): IdentityDto {
    if (!isValidLocalName(name)) throw new ServiceError('bad-input', 'a display name is 0 to 64 characters without control characters');
    this.#store.settings.setDisplayName(name);
    return this.identity();
  }

  /** Where the data lives (shown in Settings). */
  get dataDir(): string {
    return this.#store.dir;
  }
  /** Direct access for adapters that need settings (default port). */
  get settings(): SettingsRepo {
    return this.#store.settings;
  }

  // ---------------------------------------------------------------- hosting

  /**
   * Starts listening on bind:port (port 0 = any free port) and, with `dht`, on HyperDHT too
   * (PROTOCOL.md section 8; `hosting-changed` follows as the DHT's reachability settles).
   */
  async host(options: { port: number; bind: string; dht?: boolean; announce?: boolean }): Promise<HostingDto> {
    this.#assertOpen();
    return this.#hosting.start(options);
  }

  /** Stops accepting new connections (TCP and DHT); established sessions go on. */
  async stopHosting(): Promise<void> {
    await this.#hosting.stop();
  }
  /** The current hosting state, or null. */
  hosting(): HostingDto | null {
    return this.#hosting.current;
  }

  /** Hosts advertising on the local network for `timeoutMs` (claims only: joining one never verifies it). */
  async browseNearby(timeoutMs: number): Promise<NearbyDto[]> {
    this.#assertOpen();
    const log = (line: string): void => this.#opts.log?.(line);
    const own = this.#store.identity.fingerprint;
    return (await (this.#opts.discovery ?? MULTICAST_DISCOVERY).browse({ timeoutMs, log })).filter((h) => h.fingerprint !== own);
  }

  /**
   * "Get a new reachable address": a new DHT key pair. Old invites stop working through the DHT;
   * connected contacts are told at once (`reach`), the others learn it from the next hello.
   */
  async newDhtKey(): Promise<HostingDto | null> {
    this.#assertOpen();
    if (!this.#reach) throw new ServiceError('bad-input', 'reaching peers through the DHT is not enabled');
    const key = await this.#reach.rotate();
    for (const peer of this.#sessions.peers()) this.#sessions.get(peer)?.session.send({ type: 'reach', dht: key });
    this.#hosting.rekeyed(key);
    return this.#hosting.current;
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
    const peer = await joinTarget(target, this.#connector, this.#reach, options);
    this.#rejoin.joined(peer);
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
    return this.#rejoin.known((peer) => this.#sessions.has(peer));
  }

  /** Closes the session with a peer and stops rejoining it. */
  disconnect(peer: string): void {
    this.#contacts.require(peer);
    // A contact that is offline but being rejoined: stopping the attempts is what the user asked
    // for, so that is a success, not 'no-peer' (the UI would report a failure that did not happen).
    const wasRejoining = this.#rejoin.stop(peer);
    const link = this.#sessions.get(peer);
    if (!link) {
      if (wasRejoining) return;
      throw new ServiceError('no-peer', 'that contact is not connected');
    }
    link.session.close('quit');
  }

  // ---------------------------------------------------------------- messages and contacts

  /** Stores a message for a known peer and sends it now if connected; it is resent until acked. */
  send(peer: string, text: string): MessageDto {
    this.#assertOpen();
    return this.#delivery.send(peer, text);
  }

  /** A page of history, oldest first: the newest `limit`, or the `limit` before `before` (a seq). */
  history(peer: string, page: { before: number | null; limit: number }): MessageDto[] {
    this.#contacts.require(peer);
    const rows = page.before === null ? this.#store.messages.latest(peer, page.limit) : this.#store.messages.before(peer, page.before, page.limit);
    return rows.map((m) => this.#files.withFile(toMessageDto(m)));
  }

  // ---------------------------------------------------------------- files (PROTOCOL.md section 9, file-transfers.ts)

  /** Hashes the file and queues its offer (resent until acked); `file-error`: unreadable, or the connected peer lacks `files`. */
  sendFile(peer: string, path: string): Promise<MessageDto> {
    this.#assertOpen();
    return this.#files.send(peer, path);
  }
  /** Accepts an offer into `dir` (default: the downloads folder), resuming what is held; `bad-input`: unknown id. */
  acceptFile(id: string, dir?: string): Promise<void> {
    this.#assertOpen();
    return this.#files.accept(id, dir);
  }
  /** Declines an offer or stops a transfer, on either side; `bad-input`: unknown or finished id. */
  cancelFile(id: string): Promise<void> {
    this.#assertOpen();
    return this.#files.cancel(id);
  }
  /** The offers with `peer` not finished yet, with their transfer. */
  transfers(peer: string): MessageDto[] {
    return this.#files.unfinished(peer);
  }

  /** Marks the contact verified (the user compared fingerprints or safety numbers). */
  verify(peer: string, method: VerificationMethod): ContactDto {
    return this.#trust.verify(peer, method);
  }
  /** Removes the verification. */
  unverify(peer: string): ContactDto {
    return this.#trust.unverify(peer);
  }
  /** The user accepts a changed key without verifying it: sending is allowed, the contact stays unverified. */
  acceptKey(peer: string): ContactDto {
    return this.#trust.acceptKey(peer);
  }

  /** Marks the conversation read. */
  markRead(peer: string): void {
    this.#contacts.require(peer);
    this.#store.contacts.markRead(peer);
    this.#contacts.changed(peer);
  }
  /** Whether a contact exists. */
  hasContact(peer: string): boolean {
    return this.#contacts.has(peer);
  }
  /** Every contact, most recent first. */
  contacts(): ContactDto[] {
    return this.#contacts.list();
  }
  /** The contact, or null. */
  contact(peer: string): ContactDto | null {
    return this.#contacts.get(peer);
  }
  /** Fingerprints of connected peers. */
  connectedPeers(): string[] {
    return this.#sessions.peers();
  }

  /** Closes every connection ('quit') and the listener, then the store. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#rejoin.stopAll();
    const stopping = this.#connector.close();
    this.#sessions.closeAll('quit');
    await stopping;
    await this.#files.close(); // receivers fsync what they hold before the store closes
    await this.#reach?.close();
    await this.#hosting.clear();
    this.#store.close();
  }

  // What this node announces in its hello (PROTOCOL.md section 7).
  #helloExtensions(): HelloExtensions {
    return { features: [FILES_FEATURE], dht: this.#reach?.key ?? null };
  }
  #assertOpen(): void {
    if (this.#closed) throw new ServiceError('internal', 'the service is closed');
  }
}

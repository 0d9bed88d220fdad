/**
 * ParleyService: the core's one face. Commands in (host, join, send, verify, …), typed events out
 * (ParleyEvent). The desktop app's IPC, the headless peer and the end-to-end test bridge are thin
 * adapters over it. It coordinates its parts: the Connector (making authenticated connections),
 * the SessionTable (one session per peer), Delivery (outbox and inbox), the TrustGate (warnings
 * and verification), the Reconnector (rejoining with backoff) and the ContactView (DTOs).
 */
import { spkiPem } from '../crypto/fingerprint.ts';
import type { FramedConnection } from '../net/framed-connection.ts';
import type { ListenerLimits } from '../net/listener.ts';
import { formatInvite, InviteError, parseJoinTarget } from '../protocol/invite.ts';
import type { HandshakeResult } from '../protocol/perform-handshake.ts';
import type { SessionEndReason, SessionTimers } from '../protocol/secure-session.ts';
import type { SettingsRepo } from '../storage/settings-repo.ts';
import type { ContactDto, HostingDto, IdentityDto, KeyProtection, MessageDto, VerificationMethod } from '../../shared/dto.ts';
import { isValidLocalName } from '../../shared/text.ts';
import { reachableAddresses, splitAddress } from './addresses.ts';
import { Reach, type DhtSettings } from './reach.ts';
import type { BackoffPolicy } from './backoff.ts';
import { Connector, type AuthContext, type JoinAttempt } from './connector.ts';
import { ContactView } from './contact-view.ts';
import { Delivery } from './delivery.ts';
import { toMessageDto } from './dto.ts';
import { ServiceError } from './errors.ts';
import { EventHub, type EventListener } from './events.ts';
import type { PeerLink } from './peer-link.ts';
import { Reconnector } from './reconnector.ts';
import type { ServiceStore } from './service-store.ts';
import { SessionTable } from './session-table.ts';
import type { HelloExtensions } from '../protocol/hello.ts';
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
  readonly #trust: TrustGate;
  readonly #connector: Connector;
  readonly #rejoin: Reconnector;
  readonly #reach: Reach | null;
  /** Contacts the user joined (see #rejoinable). */
  readonly #joined = new Set<string>();
  #hosting: HostingDto | null = null;
  #closed = false;

  constructor(options: ServiceOptions) {
    const { store } = options;
    const log = (line: string): void => options.log?.(line);
    this.#store = store;
    this.#opts = options;
    this.#hub = new EventHub(log);
    this.#sessions = new SessionTable({ ownFingerprint: store.identity.fingerprint, ...(options.sessionTimers ? { timers: options.sessionTimers } : {}), hub: this.#hub, log });
    this.#contacts = new ContactView(store, (peer) => this.#sessions.get(peer)?.connection ?? null, this.#hub);
    this.#delivery = new Delivery({ store, hub: this.#hub, contacts: this.#contacts, link: (peer) => this.#sessions.get(peer), blockOnKeyChange: options.blockOnKeyChange ?? true });
    this.#trust = new TrustGate(store, this.#hub, this.#contacts);
    this.#connector = new Connector({
      identity: store.identity,
      displayName: () => store.settings.getDisplayName(),
      extensions: () => this.#helloExtensions(),
      handshakeTimeoutMs: options.handshakeTimeoutMs,
      connectTimeoutMs: options.connectTimeoutMs,
      listenerLimits: options.listenerLimits,
      onAuthenticated: (conn, result, ctx) => this.#authenticated(conn, result, ctx),
      log,
    });
    this.#reach = options.dht
      ? new Reach({ store, settings: options.dht, accept: (conn) => this.#connector.acceptCarried(conn), onChange: () => this.#hostingChanged(), log })
      : null;
    this.#rejoin = new Reconnector({
      policy: options.backoff,
      dial: (peer) => this.#redial(peer),
      shouldTry: (peer) => !this.#closed && !this.#sessions.has(peer),
      log,
    });
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
   * (PROTOCOL.md section 8). The DHT key is known at once (the invite carries it); announcing
   * goes on in the background and `hosting-changed` tells how it went (reachability).
   */
  async host(options: { port: number; bind: string; dht?: boolean }): Promise<HostingDto> {
    this.#assertOpen();
    if (this.#connector.listening) throw new ServiceError('bad-input', `already hosting on ${this.#hosting?.host}:${this.#hosting?.port}`);
    if (options.dht && !this.#reach) throw new ServiceError('bad-input', 'reaching peers through the DHT is not enabled');
    const { host, port } = await this.#connector.listen(options.bind, options.port);
    this.#hosting = this.#hostingDto(host, port, null);
    if (options.dht && this.#reach) {
      const reach = this.#reach;
      this.#hosting = this.#hostingDto(host, port, reach.keyOf());
      reach.listen().then(
        () => this.#hostingChanged(),
        (err: unknown) => {
          this.#log(`listening on the DHT failed: ${err instanceof Error ? err.message : String(err)}`);
          this.#hostingChanged();
        },
      );
    }
    this.#hub.emit({ type: 'listening', hosting: this.#hosting });
    return this.#hosting;
  }

  /** Stops accepting new connections (TCP and DHT); established sessions go on. */
  async stopHosting(): Promise<void> {
    this.#hosting = null;
    await this.#reach?.stopListening();
    if (!(await this.#connector.stopListening())) throw new ServiceError('not-hosting', 'not hosting');
    this.#hub.emit({ type: 'stopped-hosting' });
  }

  /** The current hosting state, or null. */
  hosting(): HostingDto | null {
    return this.#hosting;
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
    if (this.#hosting) {
      this.#hosting = this.#hostingDto(this.#hosting.host, this.#hosting.port, key);
      this.#hub.emit({ type: 'hosting-changed', hosting: this.#hosting });
    }
    return this.#hosting;
  }

  #hostingDto(host: string, port: number, dht: string | null): HostingDto {
    const addresses = reachableAddresses(host);
    const name = this.#store.settings.getDisplayName();
    const invite = formatInvite({ host: addresses[0] ?? host, port, fp: this.#store.identity.fingerprint, dht, name: name === '' ? null : name });
    return { host, port, invite, addresses, dht, reachability: dht === null ? null : (this.#reach?.reachability ?? { state: 'checking', reason: 'Starting the DHT…' }) };
  }

  #hostingChanged(): void {
    if (!this.#hosting || this.#hosting.dht === null) return;
    this.#hosting = { ...this.#hosting, reachability: this.#reach?.reachability ?? null };
    this.#hub.emit({ type: 'hosting-changed', hosting: this.#hosting });
  }

  // ---------------------------------------------------------------- joining

  /**
   * Joins an invite or HOST:PORT. With an invite's `dht` and the DHT enabled, TCP and the DHT race
   * and the first session that authenticates with the invite's fingerprint is kept. Resolves with
   * the peer's fingerprint once the session is up.
   */
  async join(target: string): Promise<{ peer: string }> {
    this.#assertOpen();
    let parsed;
    try {
      parsed = parseJoinTarget(target);
    } catch (err) {
      if (err instanceof InviteError) throw new ServiceError('bad-input', err.message);
      throw err;
    }
    let peer: string;
    if (parsed.kind === 'address') peer = await this.#connector.dial(parsed.host, parsed.port, null);
    else {
      const { host, port, fp, dht } = parsed.invite;
      const attempts = [this.#connector.tcpAttempt(host, port)];
      if (dht !== null && this.#reach) attempts.push(this.#reach.attempt(dht));
      peer = await this.#connector.join(attempts, fp);
    }
    this.#joined.add(peer);
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
    if (!(this.#opts.autoReconnect ?? true)) return 0;
    let scheduled = 0;
    for (const c of this.#store.contacts.list()) {
      if (this.#sessions.has(c.fingerprint) || this.#rejoin.has(c.fingerprint) || this.#rejoinAttempts(c.fingerprint).length === 0) continue;
      if (c.lastAddress !== null) this.#joined.add(c.fingerprint);
      this.#rejoin.schedule(c.fingerprint);
      scheduled++;
    }
    return scheduled;
  }

  // The ways to reach a known contact now: its saved TCP address (without an expected key, so that
  // another key answering there is noticed as key-changed) and its DHT key (expecting the contact:
  // a DHT key is only a locator).
  #rejoinAttempts(peer: string): JoinAttempt[] {
    const attempts: JoinAttempt[] = [];
    const address = this.#store.contacts.get(peer)?.lastAddress ?? null;
    if (address !== null) {
      const [host, port] = splitAddress(address);
      attempts.push(this.#connector.tcpAttempt(host, port));
    }
    const dht = this.#reach ? this.#store.reach.getDhtKey(peer) : null;
    if (dht !== null && this.#reach) attempts.push({ ...this.#reach.attempt(dht, "the contact's DHT key"), expected: peer });
    return attempts;
  }

  // Rejoined after a drop: a contact the user joined (now or, through rejoinKnown, in an earlier
  // run) — not whoever answered at an address on another contact's behalf — or, with the DHT on,
  // a contact that gave us its DHT key (either side may then reach the other, section 8).
  #rejoinable(peer: string): boolean {
    if (!(this.#opts.autoReconnect ?? true)) return false;
    if (this.#joined.has(peer)) return true;
    return this.#reach !== null && this.#store.reach.getDhtKey(peer) !== null;
  }

  async #redial(peer: string): Promise<string | null> {
    const attempts = this.#rejoinAttempts(peer);
    return attempts.length === 0 ? null : this.#connector.join(attempts, null, false);
  }

  /** Closes the session with a peer and stops rejoining it. */
  disconnect(peer: string): void {
    this.#contacts.require(peer);
    // A contact that is offline but being rejoined: stopping the attempts is what the user asked
    // for, so that is a success, not 'no-peer' (the UI would report a failure that did not happen).
    const wasRejoining = this.#rejoin.has(peer);
    this.#rejoin.cancel(peer);
    this.#joined.delete(peer);
    const link = this.#sessions.get(peer);
    if (!link) {
      if (wasRejoining) return;
      throw new ServiceError('no-peer', 'that contact is not connected');
    }
    link.session.close('quit');
  }

  // ---------------------------------------------------------------- sessions

  #authenticated(conn: FramedConnection, result: HandshakeResult, ctx: AuthContext): void {
    if (this.#closed) {
      conn.close('local');
      return;
    }
    const peer = result.remoteFingerprint;
    const now = Date.now();
    if (!this.#sessions.admits(peer, ctx, now)) {
      conn.close('local'); // simultaneous join: the other connection wins on both sides
      return;
    }
    // Trust first: the user is warned before any message is exchanged with a new key.
    this.#trust.admit(result, ctx);
    // The DHT key from the hello (or its absence): a locator for reconnecting, never trust.
    this.#store.reach.setDhtKey(peer, result.remoteDht);
    const link = this.#sessions.open(conn, result, ctx, now);
    this.#rejoin.reset(peer);
    const contact = this.#store.contacts.get(peer);
    this.#hub.emit({ type: 'connected', peer, name: result.remoteName, verified: contact?.verified ?? false, safetyNumber: this.#contacts.safetyNumber(peer), connection: link.connection });
    this.#contacts.changed(peer);
    this.#sessions.start(link, {
      onMessage: (l, m) => this.#dispatch(l, m),
      onEnd: (l, reason) => this.#onEnd(l, reason),
    });
    this.#delivery.flush(link);
  }

  #dispatch(link: PeerLink, m: Parameters<Parameters<SessionTable['start']>[1]['onMessage']>[1]): void {
    switch (m.type) {
      case 'msg':
        return this.#delivery.onMsg(link, m);
      case 'ack':
        this.#delivery.onAck(link.peer, m.id);
        return;
      case 'reach':
        this.#store.reach.setDhtKey(link.peer, m.dht);
        return;
    }
  }

  #onEnd(link: PeerLink, reason: SessionEndReason): void {
    this.#hub.emit({ type: 'disconnected', peer: link.peer, reason });
    this.#contacts.changed(link.peer);
    if (reason === 'quit' || reason === 'replaced' || this.#closed || this.#sessions.has(link.peer)) return;
    if (this.#rejoinable(link.peer)) this.#rejoin.schedule(link.peer);
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
    return rows.map(toMessageDto);
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
    this.#rejoin.cancelAll();
    const stopping = this.#connector.close();
    this.#sessions.closeAll('quit');
    await stopping;
    await this.#reach?.close();
    this.#hosting = null;
    this.#store.close();
  }

  // What this node announces in its hello (PROTOCOL.md section 7).
  #helloExtensions(): HelloExtensions {
    return { features: [], dht: this.#reach?.key ?? null };
  }

  #log(line: string): void {
    this.#opts.log?.(line);
  }

  #assertOpen(): void {
    if (this.#closed) throw new ServiceError('internal', 'the service is closed');
  }
}

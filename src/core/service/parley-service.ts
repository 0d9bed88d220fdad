/**
 * ParleyService: the core's one face. Commands in (host, join, send, verify, …), typed events out
 * (ParleyEvent). The desktop app's IPC, the headless peer and the end-to-end test bridge are thin
 * adapters over it. It owns the listener, the dialer, every session, the outbox and trust.
 */
import { safetyNumberFromHex } from '../crypto/safety-number.ts';
import { isFingerprintHex, spkiPem } from '../crypto/fingerprint.ts';
import type { FramedConnection } from '../net/framed-connection.ts';
import type { ListenerLimits } from '../net/listener.ts';
import { formatInvite, InviteError, parseJoinTarget } from '../protocol/invite.ts';
import { isValidDisplayName } from '../protocol/hello.ts';
import { validateOutgoingText } from '../protocol/messages.ts';
import type { HandshakeResult } from '../protocol/perform-handshake.ts';
import { SecureSession, PROTOCOL_TIMERS, type SessionEndReason, type SessionTimers } from '../protocol/secure-session.ts';
import type { ContactSummary } from '../storage/contacts-repo.ts';
import type { Store } from '../storage/data-dir.ts';
import type { StoredMessage } from '../storage/message-codec.ts';
import type { SettingsRepo } from '../storage/settings-repo.ts';
import type { ContactDto, HostingDto, IdentityDto, KeyProtection, MessageDto, ParleyEvent, VerificationMethod } from '../../shared/dto.ts';
import { formatAddress, reachableAddresses } from './addresses.ts';
import type { BackoffPolicy } from './backoff.ts';
import { Connector, type AuthContext } from './connector.ts';
import { describeWarning, toContactDto, toMessageDto } from './dto.ts';
import { ServiceError } from './errors.ts';
import { keepNewer, type PeerLink } from './peer-link.ts';
import { Reconnector } from './reconnector.ts';
import { assessIdentity } from './trust.ts';

/** What the service needs of an open data directory. */
export type ServiceStore = Pick<Store, 'dir' | 'identity' | 'contacts' | 'messages' | 'settings' | 'trust' | 'close'>;

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
  /** Diagnostics for humans (never key material). */
  readonly log?: (line: string) => void;
};

type Listener_ = (event: ParleyEvent) => void;

/** See the module comment. */
export class ParleyService {
  readonly #store: ServiceStore;
  readonly #opts: ServiceOptions;
  readonly #links = new Map<string, PeerLink>();
  readonly #listeners = new Set<Listener_>();
  readonly #connector: Connector;
  readonly #rejoin: Reconnector;
  #hosting: HostingDto | null = null;
  #closed = false;

  constructor(options: ServiceOptions) {
    this.#store = options.store;
    this.#opts = options;
    this.#connector = new Connector({
      identity: options.store.identity,
      displayName: () => options.store.settings.getDisplayName(),
      handshakeTimeoutMs: options.handshakeTimeoutMs,
      connectTimeoutMs: options.connectTimeoutMs,
      listenerLimits: options.listenerLimits,
      onAuthenticated: (conn, result, ctx) => this.#authenticated(conn, result, ctx),
      log: (line) => this.#log(line),
    });
    this.#rejoin = new Reconnector({
      policy: options.backoff,
      dial: (host, port) => this.#connector.dial(host, port, null),
      shouldTry: (peer) => !this.#closed && !this.#links.has(peer),
      log: (line) => this.#log(line),
    });
  }

  /** Subscribes to events; returns the unsubscribe function. */
  on(listener: Listener_): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Our identity as the UI shows it. */
  identity(): IdentityDto {
    const { publicKey, fingerprint } = this.#store.identity;
    return { fingerprint, publicKeyPem: spkiPem(publicKey), name: this.#store.settings.getDisplayName(), keyProtection: this.#opts.keyProtection };
  }

  /** Sets the display name sent in the hello. */
  setName(name: string): IdentityDto {
    if (!isValidDisplayName(name)) throw new ServiceError('bad-input', 'a display name is 0 to 64 characters without control characters');
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

  /** Starts listening on bind:port (port 0 = any free port). */
  async host(options: { port: number; bind: string }): Promise<HostingDto> {
    this.#assertOpen();
    if (this.#connector.listening) throw new ServiceError('bad-input', `already hosting on ${this.#hosting?.host}:${this.#hosting?.port}`);
    const { host, port } = await this.#connector.listen(options.bind, options.port);
    const addresses = reachableAddresses(host);
    const name = this.#store.settings.getDisplayName();
    const invite = formatInvite({ host: addresses[0] ?? host, port, fp: this.#store.identity.fingerprint, name: name === '' ? null : name });
    this.#hosting = { host, port, invite, addresses };
    this.#emit({ type: 'listening', hosting: this.#hosting });
    return this.#hosting;
  }

  /** Stops accepting new connections; established sessions go on. */
  async stopHosting(): Promise<void> {
    this.#hosting = null;
    if (!(await this.#connector.stopListening())) throw new ServiceError('not-hosting', 'not hosting');
    this.#emit({ type: 'stopped-hosting' });
  }

  /** The current hosting state, or null. */
  hosting(): HostingDto | null {
    return this.#hosting;
  }

  // ---------------------------------------------------------------- joining

  /** Joins an invite or HOST:PORT. Resolves with the peer's fingerprint once the session is up. */
  async join(target: string): Promise<{ peer: string }> {
    this.#assertOpen();
    let parsed;
    try {
      parsed = parseJoinTarget(target);
    } catch (err) {
      if (err instanceof InviteError) throw new ServiceError('bad-input', err.message);
      throw err;
    }
    const [host, port, expected] =
      parsed.kind === 'invite' ? [parsed.invite.host, parsed.invite.port, parsed.invite.fp] : [parsed.host, parsed.port, null];
    const peer = await this.#connector.dial(host, port, expected);
    if (this.#opts.autoReconnect ?? true) this.#rejoin.remember(peer, formatAddress(host, port));
    return { peer };
  }

  /**
   * Rejoins, with the usual backoff, every contact this node joined in an earlier run (those with a
   * saved address) that is not connected now: the desktop app calls it at start so that
   * conversations come back by themselves. Returns how many were scheduled. A saved address that
   * now answers with another key raises key-changed as a manual join would, and is not tried again.
   */
  rejoinKnown(): number {
    this.#assertOpen();
    if (!(this.#opts.autoReconnect ?? true)) return 0;
    let scheduled = 0;
    for (const c of this.#store.contacts.list()) {
      if (c.lastAddress === null || this.#links.has(c.fingerprint) || this.#rejoin.has(c.fingerprint)) continue;
      this.#rejoin.remember(c.fingerprint, c.lastAddress);
      this.#rejoin.schedule(c.fingerprint);
      scheduled++;
    }
    return scheduled;
  }

  /** Closes the session with a peer and stops rejoining it. */
  disconnect(peer: string): void {
    this.#requireContact(peer);
    // A contact that is offline but being rejoined: stopping the attempts is what the user asked
    // for, so that is a success, not 'no-peer' (the UI would report a failure that did not happen).
    const wasRejoining = this.#rejoin.has(peer);
    this.#rejoin.cancel(peer);
    const link = this.#links.get(peer);
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
    const { contacts } = this.#store;
    const now = Date.now();
    const known = contacts.get(peer);
    const link = { peer, initiator: ctx.initiator, establishedAt: now, address: ctx.address };
    const existing = this.#links.get(peer);
    if (existing && !keepNewer(existing, link, this.#store.identity.fingerprint, now)) {
      conn.close('local'); // simultaneous join: the other connection wins on both sides
      return;
    }
    // Trust first: the user is warned before any message is exchanged with a new key.
    const warning = assessIdentity(contacts, known, peer, result.remoteName, ctx.address);
    contacts.upsertSeen({ publicKey: result.remoteStatic, name: result.remoteName, ...(ctx.address ? { address: ctx.address } : {}) });
    if (warning) {
      this.#store.trust.set(peer, { code: warning.code, replaces: warning.previous.fingerprint, blocking: warning.blocking });
      this.#emit({ type: 'warning', code: warning.code, peer, previous: warning.previous.fingerprint, message: describeWarning(warning.code, result.remoteName, warning.previous.name) });
    }
    if (ctx.viaInvite && !contacts.get(peer)?.verified && this.#store.trust.get(peer) === null) {
      // An invite carried this fingerprint and it matched: that is a verification (section 6) —
      // unless this identity has an open warning. An invite is only a link that anyone can send
      // (with any &name=): it must not turn a key-changed or name-collision warning, raised now or
      // before, into "verified" (section 6: after a warning the new identity is unverified).
      contacts.verify(peer, 'invite');
      this.#store.trust.clear(peer);
      this.#emit({ type: 'verified', peer, verified: true });
    }
    if (existing) existing.session.close('replaced'); // its 'disconnected' comes before our 'connected'
    const session = new SecureSession(conn, result.send, result.receive, this.#opts.sessionTimers ?? PROTOCOL_TIMERS);
    const current: PeerLink = { ...link, session, outbox: { through: 0, waiting: false } };
    this.#links.set(peer, current);
    this.#rejoin.reset(peer);
    const contact = contacts.get(peer);
    this.#emit({ type: 'connected', peer, name: result.remoteName, verified: contact?.verified ?? false, safetyNumber: this.#safetyNumber(peer) });
    this.#emitContact(peer);
    session.start({
      onMessage: (m) => (m.type === 'msg' ? this.#onMsg(current, m) : this.#onAck(peer, m.id)),
      onEnd: (reason) => this.#onEnd(current, reason),
    });
    this.#flushOutbox(current);
  }

  #onMsg(link: PeerLink, m: { id: string; ts: number; text: string }): void {
    // Stored (and committed) before the ack; a duplicate is acked again, not stored twice.
    let r: ReturnType<ServiceStore['messages']['insertIncoming']>;
    try {
      r = this.#store.messages.insertIncoming(link.peer, { id: m.id, ts: m.ts, text: m.text });
    } catch (err) {
      // The disk is full, the database locked or damaged: no ack, so the sender keeps the message
      // and resends it on a later connection. Ending this session is all that is needed; a storage
      // failure must not become an uncaught exception in the socket handler (the app's main process).
      this.#log(`could not store a message from ${link.peer.slice(0, 16)}: ${err instanceof Error ? err.message : String(err)}`);
      this.#emit({ type: 'error', code: 'internal', message: 'a received message could not be stored; the sender keeps it and will resend it' });
      link.session.close('closed');
      return;
    }
    link.session.send({ type: 'ack', id: m.id });
    if (r.inserted) {
      this.#emit({ type: 'message', message: toMessageDto(r.message) });
      this.#emitContact(link.peer);
    }
  }

  #onAck(peer: string, id: string): void {
    if (this.#store.messages.markDelivered(peer, id)) this.#emit({ type: 'message-state', peer, id, state: 'delivered' });
  }

  #onEnd(link: PeerLink, reason: SessionEndReason): void {
    if (this.#links.get(link.peer) === link) this.#links.delete(link.peer);
    this.#emit({ type: 'disconnected', peer: link.peer, reason });
    this.#emitContact(link.peer);
    if (reason !== 'quit' && reason !== 'replaced' && !this.#closed && !this.#links.has(link.peer)) this.#rejoin.schedule(link.peer);
  }

  // Sends the unacked messages in order, but only while the peer keeps reading: a long outbox
  // (or a peer that never reads) would otherwise pile up in the socket's write buffer.
  #flushOutbox(link: PeerLink): void {
    link.outbox.waiting = false;
    for (const m of this.#store.messages.listUnacked(link.peer)) {
      if (m.seq <= link.outbox.through) continue;
      if (link.session.backpressured) {
        link.outbox.waiting = true;
        link.session.onceDrained(() => this.#flushOutbox(link));
        return;
      }
      if (!this.#transmit(link, m)) return;
    }
  }

  #transmit(link: PeerLink, m: StoredMessage): boolean {
    if (!link.session.send({ type: 'msg', id: m.id, ts: m.ts, text: m.text })) return false;
    link.outbox.through = Math.max(link.outbox.through, m.seq);
    if (m.state === 'queued' && this.#store.messages.markSent(link.peer, m.id)) {
      this.#emit({ type: 'message-state', peer: link.peer, id: m.id, state: 'sent' });
    }
    return true;
  }

  // ---------------------------------------------------------------- messages and contacts

  /** Stores a message for a known peer and sends it now if connected; it is resent until acked. */
  send(peer: string, text: string): MessageDto {
    this.#assertOpen();
    const check = validateOutgoingText(text);
    if (check === 'too-long') throw new ServiceError('message-too-long', 'a message is at most 16,000 characters');
    if (check !== 'ok') throw new ServiceError('bad-input', check === 'empty' ? 'the message is empty' : 'the message holds a character that cannot be sent');
    this.#requireContact(peer);
    if ((this.#opts.blockOnKeyChange ?? true) && this.#store.trust.get(peer)?.blocking) {
      throw new ServiceError('send-blocked', "this contact's key changed or its name belongs to another contact: verify it or accept the new key first");
    }
    const stored = this.#store.messages.insertOutgoing(peer, text);
    const link = this.#links.get(peer);
    // transmit() marks it sent exactly when it went out; its ack cannot have arrived yet (that
    // takes I/O), so no need to re-read the outbox, which cost O(queued) per message.
    // Behind a waiting outbox (or a full write buffer) it queues, so the peer gets messages in order.
    let state = stored.state;
    if (link && !link.outbox.waiting) {
      if (link.session.backpressured) this.#flushOutbox(link);
      else if (this.#transmit(link, stored)) state = 'sent';
    }
    this.#emitContact(peer);
    return toMessageDto({ ...stored, state });
  }

  /** A page of history, oldest first: the newest `limit`, or the `limit` before `before` (a seq). */
  history(peer: string, page: { before: number | null; limit: number }): MessageDto[] {
    this.#requireContact(peer);
    const rows = page.before === null ? this.#store.messages.latest(peer, page.limit) : this.#store.messages.before(peer, page.before, page.limit);
    return rows.map(toMessageDto);
  }

  /** Marks the contact verified (the user compared fingerprints or safety numbers). */
  verify(peer: string, method: VerificationMethod): ContactDto {
    this.#requireContact(peer);
    this.#store.contacts.verify(peer, method);
    this.#store.trust.clear(peer);
    this.#emit({ type: 'verified', peer, verified: true });
    return this.#emitContact(peer) as ContactDto;
  }

  /** Removes the verification. */
  unverify(peer: string): ContactDto {
    this.#requireContact(peer);
    this.#store.contacts.unverify(peer);
    this.#emit({ type: 'verified', peer, verified: false });
    return this.#emitContact(peer) as ContactDto;
  }

  /** The user accepts a changed key without verifying it: sending is allowed, the contact stays unverified. */
  acceptKey(peer: string): ContactDto {
    this.#requireContact(peer);
    this.#store.trust.clear(peer);
    return this.#emitContact(peer) as ContactDto;
  }

  /** Marks the conversation read. */
  markRead(peer: string): void {
    this.#requireContact(peer);
    this.#store.contacts.markRead(peer);
    this.#emitContact(peer);
  }

  /** Whether a contact exists. */
  hasContact(peer: string): boolean {
    return isFingerprintHex(peer) && this.#store.contacts.get(peer) !== null;
  }

  /** Every contact, most recent first. */
  contacts(): ContactDto[] {
    return this.#store.contacts.list().map((c) => this.#toContactDto(c));
  }

  /** The contact, or null. */
  contact(peer: string): ContactDto | null {
    // One row, not the whole list: this runs for every contact-changed event (each message,
    // each connection), where listing every contact made 1,000 joins O(n²).
    if (!isFingerprintHex(peer)) return null;
    const summary = this.#store.contacts.summary(peer);
    return summary ? this.#toContactDto(summary) : null;
  }

  /** Fingerprints of connected peers. */
  connectedPeers(): string[] {
    return [...this.#links.keys()];
  }

  /** Closes every connection ('quit') and the listener, then the store. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#rejoin.cancelAll();
    const stopping = this.#connector.close();
    for (const link of [...this.#links.values()]) link.session.close('quit');
    await stopping;
    this.#hosting = null;
    this.#store.close();
  }

  #toContactDto(c: ContactSummary): ContactDto {
    return toContactDto(c, { online: this.#links.has(c.fingerprint), mark: this.#store.trust.get(c.fingerprint), safetyNumber: this.#safetyNumber(c.fingerprint) });
  }

  #safetyNumber(peer: string): string {
    return safetyNumberFromHex(this.#store.identity.fingerprint, peer);
  }

  #emitContact(peer: string): ContactDto | null {
    const contact = this.contact(peer);
    if (contact) this.#emit({ type: 'contact-changed', contact });
    return contact;
  }

  #emit(event: ParleyEvent): void {
    for (const l of this.#listeners) {
      try {
        l(event);
      } catch (err) {
        this.#log(`event listener failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }

  #requireContact(peer: string): void {
    if (!this.hasContact(peer)) throw new ServiceError('no-peer', `no contact with fingerprint ${String(peer).slice(0, 80)}`);
  }

  #assertOpen(): void {
    if (this.#closed) throw new ServiceError('internal', 'the service is closed');
  }

  #log(line: string): void {
    this.#opts.log?.(line);
  }
}

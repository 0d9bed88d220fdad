/**
 * What happens to an authenticated connection, in order: the simultaneous-join rule, trust (the
 * user is warned before any message is exchanged with a new key), the contact's DHT key, the
 * session and its `connected` event, then the outbox and the file transfers; every message is routed to its part; the end
 * is reported and, where it applies, rejoining is scheduled.
 */
import type { FramedConnection } from '../net/framed-connection.ts';
import type { HandshakeResult } from '../protocol/perform-handshake.ts';
import type { SessionEndReason } from '../protocol/secure-session.ts';
import type { AuthContext } from './connector.ts';
import { ServiceError } from './errors.ts';
import type { PeerLink } from './peer-link.ts';
import type { ServiceParts } from './service-parts.ts';
import type { SessionRoutes } from './session-table.ts';

/** The parts of the service a session passes through (see service-parts.ts). */
type Parts = Pick<ServiceParts, 'store' | 'hub' | 'sessions' | 'contacts' | 'delivery' | 'files' | 'trust' | 'rejoin'> & {
  readonly closed: () => boolean;
  readonly log: (line: string) => void;
};

/** See the module comment. */
export class SessionLifecycle {
  readonly #p: Parts;

  constructor(parts: Parts) {
    this.#p = parts;
  }

  /** Takes a connection whose handshake completed (the Connector's onAuthenticated). */
  authenticated(conn: FramedConnection, result: HandshakeResult, ctx: AuthContext): void {
    const { store, hub, sessions, contacts, trust, rejoin, delivery } = this.#p;
    if (this.#p.closed()) {
      conn.close('local');
      return;
    }
    const peer = result.remoteFingerprint;
    if (store.contacts.get(peer)?.status === 'blocked') {
      // Refused now that message 3 (or 2) authenticated the key: before any message, no event, no
      // request. A join the user started gets an error; an inbound one is only logged.
      conn.close('local');
      if (ctx.initiator) throw new ServiceError('contact-blocked', 'you blocked this contact: unblock it to talk again');
      this.#p.log(`refused a blocked key ${peer.slice(0, 16)}`);
      return;
    }
    const now = Date.now();
    if (!sessions.admits(peer, ctx, now)) {
      conn.close('local'); // simultaneous join: the other connection wins on both sides
      return;
    }
    const admitted = trust.admit(result, ctx);
    // The DHT key from the hello (or its absence): a locator for reconnecting, never trust.
    store.reach.setDhtKey(peer, result.remoteDht);
    const link = sessions.open(conn, result, ctx, now);
    rejoin.connected(peer);
    const contact = store.contacts.get(peer);
    hub.emit({ type: 'connected', peer, name: result.remoteName, verified: contact?.verified ?? false, safetyNumber: contacts.safetyNumber(peer), connection: link.connection });
    const dto = contacts.changed(peer);
    if (admitted.request && dto) hub.emit({ type: 'request', contact: dto });
    // Before the session starts: frames that came with the handshake's last message are delivered
    // at start, and a file-accept among them must find the engine connected.
    this.#p.files.connect(link);
    sessions.start(link, {
      onMessage: (l, m) => this.#dispatch(l, m),
      onFileMessage: (l, m) => this.#p.files.onMessage(l, m),
      onChunk: (l, plaintext) => this.#p.files.onChunk(l, plaintext),
      onEnd: (l, reason) => this.#ended(l, reason),
    });
    delivery.flush(link);
  }

  #dispatch(link: PeerLink, m: Parameters<SessionRoutes['onMessage']>[1]): void {
    switch (m.type) {
      case 'msg':
        return this.#p.delivery.onMsg(link, m);
      case 'ack':
        this.#p.delivery.onAck(link.peer, m.id);
        return;
      case 'reach':
        this.#p.store.reach.setDhtKey(link.peer, m.dht);
        return;
    }
  }

  #ended(link: PeerLink, reason: SessionEndReason): void {
    const { hub, contacts, sessions, rejoin } = this.#p;
    this.#p.files.disconnect(link);
    hub.emit({ type: 'disconnected', peer: link.peer, reason });
    contacts.changed(link.peer);
    if (reason === 'quit' || reason === 'replaced' || this.#p.closed() || sessions.has(link.peer)) return;
    rejoin.ended(link.peer);
  }
}

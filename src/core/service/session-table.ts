/**
 * The authenticated sessions, one per peer: the replacement and simultaneous-join rule of
 * PROTOCOL.md section 4, and the guard around every dispatch. Whatever a handler throws (the
 * database locked or full while storing, a bug) is caught, logged, reported as an `error` event
 * and ends that session only: it never escapes into the socket's data handler, where it would be
 * an uncaught exception in the app's main process (issue 11 item 5).
 */
import type { FramedConnection } from '../net/framed-connection.ts';
import type { FileMessage } from '../protocol/file-messages.ts';
import type { HandshakeResult } from '../protocol/perform-handshake.ts';
import { SecureSession, PROTOCOL_TIMERS, type SessionEndReason, type SessionHandlers, type SessionTimers } from '../protocol/secure-session.ts';
import type { AuthContext } from './connector.ts';
import { describeConnection } from './connection-info.ts';
import type { EventHub } from './events.ts';
import { keepNewer, type PeerLink } from './peer-link.ts';

/** Where a session's traffic goes once it is started. */
export type SessionRoutes = {
  readonly onMessage: (link: PeerLink, message: Parameters<SessionHandlers['onMessage']>[0]) => void;
  readonly onFileMessage?: (link: PeerLink, message: FileMessage) => void;
  readonly onChunk?: (link: PeerLink, plaintext: Uint8Array) => void;
  readonly onEnd: (link: PeerLink, reason: SessionEndReason) => void;
};

/** The feature names this build understands (PROTOCOL.md section 7). */
export const FILES_FEATURE = 'files';

/** See the module comment. */
export class SessionTable {
  readonly #links = new Map<string, PeerLink>();
  readonly #own: string;
  readonly #timers: SessionTimers;
  readonly #hub: EventHub;
  readonly #log: (line: string) => void;

  constructor(options: { ownFingerprint: string; timers?: SessionTimers; hub: EventHub; log: (line: string) => void }) {
    this.#own = options.ownFingerprint;
    this.#timers = options.timers ?? PROTOCOL_TIMERS;
    this.#hub = options.hub;
    this.#log = options.log;
  }

  /** The current session with the peer, if any. */
  get(peer: string): PeerLink | undefined {
    return this.#links.get(peer);
  }

  /** True while a session with the peer is up. */
  has(peer: string): boolean {
    return this.#links.has(peer);
  }

  /** Fingerprints of connected peers. */
  peers(): string[] {
    return [...this.#links.keys()];
  }

  /** Whether a new connection from `peer` should be kept over the current one (section 4). */
  admits(peer: string, ctx: AuthContext, now: number): boolean {
    const existing = this.#links.get(peer);
    return !existing || keepNewer(existing, { peer, initiator: ctx.initiator, establishedAt: now, address: ctx.address }, this.#own, now);
  }

  /**
   * Makes the session for an admitted connection the current one, closing the older with
   * 'replaced' first (its `disconnected` comes before the newer's `connected`). Not started yet.
   */
  open(conn: FramedConnection, result: HandshakeResult, ctx: AuthContext, now: number): PeerLink {
    const peer = result.remoteFingerprint;
    this.#links.get(peer)?.session.close('replaced');
    const files = result.sharedFeatures.includes(FILES_FEATURE);
    const session = new SecureSession(conn, result.send, result.receive, this.#timers, { files });
    const link: PeerLink = { peer, conn, initiator: ctx.initiator, establishedAt: now, address: ctx.address, path: conn.path, connection: describeConnection(conn), session, features: result.sharedFeatures, outbox: { through: 0, waiting: false, pending: [] } };
    this.#links.set(peer, link);
    return link;
  }

  /** Starts receiving on the link, every handler guarded (see the module comment). */
  start(link: PeerLink, routes: SessionRoutes): void {
    const { onChunk, onFileMessage } = routes;
    link.session.start({
      onMessage: this.#guard(link, (m) => routes.onMessage(link, m)),
      ...(onFileMessage ? { onFileMessage: this.#guard(link, (m: FileMessage) => onFileMessage(link, m)) } : {}),
      ...(onChunk ? { onChunk: this.#guard(link, (bytes: Uint8Array) => onChunk(link, bytes)) } : {}),
      onEnd: (reason) => {
        if (this.#links.get(link.peer) === link) this.#links.delete(link.peer);
        routes.onEnd(link, reason);
      },
    });
  }

  /** Closes every session with the reason. */
  closeAll(reason: SessionEndReason): void {
    for (const link of [...this.#links.values()]) link.session.close(reason);
  }

  #guard<A>(link: PeerLink, handler: (arg: A) => void): (arg: A) => void {
    return (arg) => {
      try {
        handler(arg);
      } catch (err) {
        // Nothing was acknowledged for what failed, so the peer keeps it and resends it later.
        this.#log(`handling a message from ${link.peer.slice(0, 16)} failed: ${err instanceof Error ? err.message : String(err)}`);
        this.#hub.emit({ type: 'error', code: 'internal', message: 'a message from a contact could not be handled (storage failed?): that connection was closed; what was not acknowledged will be sent again' });
        link.session.close('closed');
      }
    };
  }
}

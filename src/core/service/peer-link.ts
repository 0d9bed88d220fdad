/**
 * One authenticated connection with a peer, as the service tracks it: the session, which side
 * initiated it (for the simultaneous-join rule of PROTOCOL.md section 4), and when it was made.
 */
import type { CarrierPath } from '../net/carrier.ts';
import type { FramedConnection } from '../net/framed-connection.ts';
import type { ConnectionDto } from '../../shared/dto.ts';
import type { SecureSession } from '../protocol/secure-session.ts';
import type { StoredMessage } from '../storage/message-codec.ts';

export type PeerLink = {
  readonly peer: string;
  readonly session: SecureSession;
  /** The connection under the session: file transfers need its real write buffer and a read pause. */
  readonly conn: FramedConnection;
  /** True when this node opened the TCP connection. */
  readonly initiator: boolean;
  readonly establishedAt: number;
  /** host:port we dialled, when we initiated. */
  readonly address: string | null;
  /** What carries the bytes. */
  readonly path: CarrierPath;
  /** How the peer is reached (path, same network, relayed), as the UI shows it. */
  readonly connection: ConnectionDto;
  /** The features both hellos listed (PROTOCOL.md section 7). */
  readonly features: readonly string[];
  /**
   * The outbox on this connection: the highest seq handed to the session so far, whether the rest
   * waits for the write buffer to drain (then new messages queue behind it, keeping order), and the
   * rest of the page read from storage that is not sent yet.
   */
  readonly outbox: { through: number; waiting: boolean; pending: StoredMessage[] };
};

/**
 * Within this long after a connection was established, a connection in the other direction counts
 * as "both joined at once" (PROTOCOL.md section 4) rather than a replacement. The protocol says
 * "at the same moment"; a handshake may take up to 10 s, so that is the window.
 */
export const SIMULTANEOUS_WINDOW_MS = 10_000;

/**
 * Which connection both sides keep when two exist with the same peer. The newer replaces the older,
 * except for simultaneous joins in opposite directions: then both keep the one whose initiator has
 * the smaller fingerprint (lowercase hex compares like the bytes).
 */
export function keepNewer(older: PeerLink, newer: Pick<PeerLink, 'peer' | 'initiator' | 'establishedAt' | 'address'>, ownFingerprint: string, now: number): boolean {
  const simultaneous = older.initiator !== newer.initiator && now - older.establishedAt < SIMULTANEOUS_WINDOW_MS;
  if (!simultaneous) return true;
  const initiatorOf = (l: { initiator: boolean; peer: string }): string => (l.initiator ? ownFingerprint : l.peer);
  return initiatorOf(newer) < initiatorOf(older);
}

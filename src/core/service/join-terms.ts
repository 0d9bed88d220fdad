/**
 * The terms of a join (Connector.join): its steps for the UI, its options (cancel included), one
 * way to reach a host, and which failure to report when every way failed.
 */
import type { FramedConnection } from '../net/framed-connection.ts';
import { ServiceError } from './errors.ts';

/** The steps of a join the UI shows (the result is the last step: connected). */
export type JoinStep = 'finding' | 'path' | 'securing';

/** One step reached on one path: 'finding' as a TCP dial or a DHT lookup starts, 'path' once it opened, 'securing' as the handshake runs. */
export type JoinProgress = { readonly step: JoinStep; readonly path: 'tcp' | 'dht' };

/**
 * How a join is made: whether a matching fingerprint verifies the contact (an invite the user was
 * given; default: when a fingerprint is expected), progress for the UI, the invite token to
 * present in the hello (PROTOCOL.md section 10.1), and `signal` to cancel it: dials stop, handshakes
 * in progress are closed, the join rejects with `cancelled`, and nothing is added or connected.
 */
export type JoinOptions = {
  readonly viaInvite?: boolean;
  readonly onProgress?: (progress: JoinProgress) => void;
  readonly token?: string | null;
  readonly signal?: AbortSignal | undefined;
};

/** The error of a join cancelled through its signal. */
export function joinCancelled(): ServiceError {
  return new ServiceError('cancelled', 'the join was cancelled');
}

/**
 * One way to reach a host: where (for messages), the address to remember (TCP only), how to open
 * it, and optionally its own expected fingerprint (a rejoin through a contact's DHT key expects
 * that contact, while its saved TCP address is tried without, so a changed key there is noticed).
 */
export type JoinAttempt = {
  readonly where: string;
  readonly address: string | null;
  /** What carries it (for progress; TCP when absent). */
  readonly path?: 'tcp' | 'dht';
  /** Opens it; `signal` (a cancelled join) may stop it early — a connection opened anyway is closed by join(). */
  readonly open: (signal?: AbortSignal) => Promise<FramedConnection>;
  readonly expected?: string | null;
};

// Which failure to report when every path failed: a fingerprint mismatch first (a possible
// interception must never be hidden behind "unreachable"), then handshake failures, then the DHT's
// diagnostics (they say why, e.g. both NATs refused a direct path), then TCP's.
const FAILURE_RANK = ['fingerprint-mismatch', 'handshake-failed', 'handshake-timeout', 'holepunch-failed', 'peer-not-found', 'dht-unreachable'];

/** The most telling of the failures of every way tried (see FAILURE_RANK). */
export function rankFailure(errors: readonly unknown[]): unknown {
  const rank = (e: unknown): number => {
    const i = e instanceof ServiceError ? FAILURE_RANK.indexOf(e.code) : -1;
    return i < 0 ? FAILURE_RANK.length : i;
  };
  return [...errors].sort((a, b) => rank(a) - rank(b))[0];
}

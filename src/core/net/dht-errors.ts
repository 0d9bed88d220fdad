/** Failures of the DHT transport, as error codes (CLI.md "Additions") with plain-words messages. */

export type DhtFailure = 'dht-unreachable' | 'peer-not-found' | 'holepunch-failed' | 'connect-failed';

/** A failed DHT operation; `code` is what the CLI and the UI report, `message` a sentence for people. */
export class DhtError extends Error {
  override name = 'DhtError';
  readonly code: DhtFailure;
  /** HyperDHT's own code (e.g. HOLEPUNCH_ABORTED), for logs; '' when the failure is Parley's own. */
  readonly dhtCode: string;
  constructor(code: DhtFailure, message: string, causeCode = '') {
    super(message);
    this.code = code;
    this.dhtCode = causeCode;
  }
}

export const UNREACHABLE_MESSAGE =
  'No DHT bootstrap node answered: this computer seems to be offline, or the network blocks the UDP traffic the DHT needs.';

/** HyperDHT's holepunch failures: both sides found each other but no direct path opened. */
const HOLEPUNCH_CODES = new Set([
  'HOLEPUNCH_ABORTED',
  'HOLEPUNCH_DOUBLE_RANDOMIZED_NATS',
  'HOLEPUNCH_PROBE_TIMEOUT',
  'CANNOT_HOLEPUNCH',
  'REMOTE_NOT_HOLEPUNCHABLE',
  'REMOTE_NOT_HOLEPUNCHING',
  'HOLEPUNCH_INVALID',
  'BAD_HOLEPUNCH_REPLY',
]);

/**
 * Maps an error from HyperDHT's connect to a DhtError. `bootstrapped` is false when the DHT knows
 * no node at all: HyperDHT then still reports PEER_NOT_FOUND, but the truth is that nothing
 * answered.
 */
export function describeDhtFailure(err: unknown, context: { bootstrapped: boolean; relayed: boolean }): DhtError {
  const code = typeof err === 'object' && err !== null && typeof (err as { code?: unknown }).code === 'string' ? (err as { code: string }).code : '';
  if (!context.bootstrapped) return new DhtError('dht-unreachable', UNREACHABLE_MESSAGE, code);
  // PEER_CONNECTION_FAILED: announcements were found but no node could hand the handshake on,
  // which in practice means the host stopped and its announcement has not expired yet.
  if (code === 'PEER_NOT_FOUND' || code === 'PEER_CONNECTION_FAILED') {
    return new DhtError(
      'peer-not-found',
      'Nobody is listening on that DHT address: the host is not running Parley right now, or it has a new address (ask for a new invite).',
      code,
    );
  }
  if (HOLEPUNCH_CODES.has(code)) {
    return new DhtError(
      'holepunch-failed',
      context.relayed
        ? 'The peer was found, but neither a direct path nor the relay worked.'
        : "The peer was found, but both sides' routers refused a direct path. Let the other side host instead, join from the same network, or set up a relay.",
      code,
    );
  }
  if (code === 'RELAY_ABORTED') {
    return new DhtError('connect-failed', 'The peer was found, but the relay did not connect the two sides (is the relay running?).', code);
  }
  const detail = code !== '' ? code : err instanceof Error ? err.message : String(err);
  return new DhtError('connect-failed', `Could not connect through the DHT (${detail}).`, code);
}

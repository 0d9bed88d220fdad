/**
 * The closed set of error and warning codes shared by the core, the CLI and the UI.
 * The CLI prints them in its JSON events (CLI.md); the UI turns them into sentences with hints.
 */
export const ERROR_CODES = [
  'fingerprint-mismatch',
  'port-in-use',
  'data-dir',
  'connect-failed',
  'connect-refused',
  'connect-timeout',
  'connect-unreachable',
  'handshake-failed',
  'handshake-timeout',
  'bad-input',
  'no-peer',
  'message-too-long',
  'send-blocked',
  'unseal-failed',
  'not-hosting',
  'dht-unreachable',
  'peer-not-found',
  'holepunch-failed',
  'file-error',
  'contact-blocked',
  'request-pending',
  'cancelled',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export const WARNING_CODES = ['key-changed', 'name-collision'] as const;
export type WarningCode = (typeof WARNING_CODES)[number];

/** Type guard for ErrorCode. */
export function isErrorCode(x: unknown): x is ErrorCode {
  return typeof x === 'string' && (ERROR_CODES as readonly string[]).includes(x);
}

/** Plain-words explanation and a hint for each error code, for people (the UI and CLI logs). */
export const ERROR_HINTS: Readonly<Record<ErrorCode, string>> = {
  'fingerprint-mismatch':
    'The host answered with a different identity than the invite promised. Someone may be intercepting the connection: do not proceed, and check the invite with the host another way.',
  'port-in-use': 'That port is already taken on this computer. Choose another port, or stop the program using it.',
  'data-dir': 'Parley cannot use its data folder. Check that it exists, is yours and is writable.',
  'connect-failed': 'Could not connect to that address.',
  'connect-refused': 'Nobody is listening there. Is the host running Parley and hosting on that port?',
  'connect-timeout': 'The host did not answer in time. A firewall or NAT may be in the way, or the address is wrong.',
  'connect-unreachable': 'That address cannot be reached from this computer. Check the address and your network.',
  'handshake-failed': 'The secure handshake failed: the other side is not speaking Parley, or the connection was tampered with.',
  'handshake-timeout':
    'The connection opened, but the host did not finish the secure handshake within 10 seconds: it may be busy, or something on the way is holding the traffic back.',
  'bad-input': 'That input is not valid.',
  'no-peer': 'There is no such contact, or it is not connected.',
  'message-too-long': 'Messages are limited to 16,000 characters.',
  'send-blocked': "This contact's key changed. Re-verify it or accept the new key before sending.",
  'unseal-failed': 'Parley cannot unlock its stored data with this key or passphrase. Nothing was changed or deleted.',
  'not-hosting': 'Parley is not hosting.',
  'dht-unreachable':
    'Parley could not reach the peer-to-peer network: no bootstrap node answered. This computer may be offline, or a firewall blocks UDP. Check your connection, or connect on the same network instead.',
  'peer-not-found':
    'Nobody is listening on that network key: the host is not running Parley right now, or it got a new reachable address. Ask the host to start hosting and send a fresh invite.',
  'holepunch-failed':
    'Both networks refused a direct path (both routers change ports). Let the other person host instead, meet on the same network, or set up a relay in Settings.',
  'file-error': 'A file could not be read or written.',
  'contact-blocked': 'You blocked this contact. Unblock it first.',
  'request-pending': 'This is a message request. Accept it before replying.',
  cancelled: 'You cancelled it: nothing was connected.',
  internal: 'Something went wrong inside Parley.',
};

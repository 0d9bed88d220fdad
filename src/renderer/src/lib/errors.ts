/** Error codes as people read them: a short title and the shared hint (ERROR_HINTS), plus how serious it is. */
import { ERROR_HINTS, isErrorCode, type ErrorCode } from '../../../shared/errors.ts';
import type { ParleyError } from '../../../shared/result.ts';

const TITLES: Readonly<Record<ErrorCode, string>> = {
  'fingerprint-mismatch': 'Wrong identity — possible interception',
  'port-in-use': 'That port is in use',
  'data-dir': 'The data folder cannot be used',
  'connect-failed': 'Could not connect',
  'connect-refused': 'Connection refused',
  'connect-timeout': 'No answer from the host',
  'connect-unreachable': 'Address unreachable',
  'handshake-failed': 'The secure handshake failed',
  'handshake-timeout': 'The secure handshake timed out',
  'bad-input': 'Check what you entered',
  'no-peer': 'Contact not connected',
  'message-too-long': 'Message too long',
  'send-blocked': 'Sending is paused',
  'unseal-failed': 'Cannot unlock',
  'not-hosting': 'Not hosting',
  'dht-unreachable': 'Offline from the peer-to-peer network',
  'peer-not-found': 'Nobody at that address',
  'holepunch-failed': 'No direct path between your networks',
  'file-error': 'File problem',
  'contact-blocked': 'Contact blocked',
  'request-pending': 'Message request',
  cancelled: 'Cancelled',
  internal: 'Something went wrong',
};

/**
 * Codes whose core message restates the hint in other words (src/core/net/dht-errors.ts: "Nobody is
 * listening on that DHT address…", "No DHT bootstrap node answered…"): shown again as "Details",
 * the same advice stood three times in the join card, with "What to do" under it.
 */
const PARAPHRASED: ReadonlySet<ErrorCode> = new Set(['peer-not-found', 'dht-unreachable']);

/** An error as the UI shows it. */
export type DescribedError = {
  readonly code: ErrorCode | 'unknown';
  readonly title: string;
  readonly hint: string;
  /** The core's own sentence, when it adds something to the hint. */
  readonly detail: string | null;
  /** Security-relevant: shown in the danger style and never as a passing toast. */
  readonly serious: boolean;
};

/** The core's message as a sentence: a capital first letter and a full stop. */
function asSentence(s: string): string {
  const t = s.trim();
  const capital = t.charAt(0).toUpperCase() + t.slice(1);
  return /[.!?…]$/.test(capital) ? capital : `${capital}.`;
}

/** Turns an error from the API or an 'error' event into a title, a hint and a severity. */
export function describeError(error: { readonly code: string; readonly message: string } | ParleyError): DescribedError {
  if (!isErrorCode(error.code)) {
    return { code: 'unknown', title: 'Something went wrong', hint: error.message || ERROR_HINTS.internal, detail: null, serious: false };
  }
  // The shared hint for bad input says only that it is not valid; the core's message says what is wrong, so it is the hint.
  if (error.code === 'bad-input' && error.message.trim() !== '') {
    return { code: error.code, title: TITLES[error.code], hint: asSentence(error.message), detail: null, serious: false };
  }
  const hint = ERROR_HINTS[error.code];
  const message = error.message.trim();
  const detail = message !== '' && message !== hint && !PARAPHRASED.has(error.code) ? message : null;
  return { code: error.code, title: TITLES[error.code], hint, detail, serious: error.code === 'fingerprint-mismatch' };
}

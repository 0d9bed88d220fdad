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
  'bad-input': 'That input is not valid',
  'no-peer': 'Contact not connected',
  'message-too-long': 'Message too long',
  'send-blocked': 'Sending is paused',
  'unseal-failed': 'Cannot unlock',
  'not-hosting': 'Not hosting',
  internal: 'Something went wrong',
};

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

/** Turns an error from the API or an 'error' event into a title, a hint and a severity. */
export function describeError(error: { readonly code: string; readonly message: string } | ParleyError): DescribedError {
  if (!isErrorCode(error.code)) {
    return { code: 'unknown', title: 'Something went wrong', hint: error.message || ERROR_HINTS.internal, detail: null, serious: false };
  }
  const hint = ERROR_HINTS[error.code];
  const detail = error.message && error.message !== hint ? error.message : null;
  return { code: error.code, title: TITLES[error.code], hint, detail, serious: error.code === 'fingerprint-mismatch' };
}

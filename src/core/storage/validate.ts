/**
 * Argument checks for the repositories: everything that reaches the store may come from a peer
 * or a user. Wrong types throw TypeError, wrong values RangeError, both naming the argument.
 */
import { isFingerprintHex } from '../crypto/fingerprint.ts';
import { PUBLIC_KEY_LENGTH } from '../crypto/p256.ts';
import { isMessageId, isTimestamp } from '../protocol/messages.ts';
import { countCodePoints, hasControlChars, hasLoneSurrogate, MAX_NAME_CODE_POINTS, MAX_TEXT_CODE_POINTS } from '../../shared/text.ts';
import type { VerificationMethod } from '../../shared/dto.ts';

// host:port as it was typed to join: a bracketed IPv6 address or a host without ':' and a decimal port.
const ADDRESS_RE = /^(?:\[[0-9A-Za-z:.%_-]+\]|[^\s:[\]/?#@]+):(?:[1-9][0-9]{0,4})$/;
const MAX_ADDRESS_LENGTH = 300;
const VERIFICATION_METHODS: readonly VerificationMethod[] = ['safety-number', 'fingerprint', 'invite'];

/** A fingerprint: 64 lowercase hex digits. */
export function assertFingerprint(name: string, x: unknown): asserts x is string {
  if (typeof x !== 'string') throw new TypeError(`${name} must be a string`);
  if (!isFingerprintHex(x)) throw new RangeError(`${name} must be 64 lowercase hex digits`);
}

/** A message id: a UUID in its 36-character lowercase form (PROTOCOL.md section 4). */
export function assertMessageId(name: string, x: unknown): asserts x is string {
  if (typeof x !== 'string') throw new TypeError(`${name} must be a string`);
  if (!isMessageId(x)) throw new RangeError(`${name} must be a lowercase 8-4-4-4-12 UUID`);
}

/** A time in Unix ms: an integer from 0 to 2^53 − 1. */
export function assertTimestamp(name: string, x: unknown): asserts x is number {
  if (typeof x !== 'number') throw new TypeError(`${name} must be a number`);
  if (!isTimestamp(x)) throw new RangeError(`${name} must be an integer from 0 to 2^53 - 1`);
}

/** A message text: 1 to 16,000 code points, well-formed, no control characters but TAB and LF. */
export function assertText(name: string, x: unknown): asserts x is string {
  if (typeof x !== 'string') throw new TypeError(`${name} must be a string`);
  if (x.length === 0 || countCodePoints(x) > MAX_TEXT_CODE_POINTS) {
    throw new RangeError(`${name} must hold 1 to ${MAX_TEXT_CODE_POINTS} code points`);
  }
  if (hasLoneSurrogate(x)) throw new RangeError(`${name} must not contain unpaired surrogates`);
  if (hasControlChars(x, true)) throw new RangeError(`${name} must not contain control characters other than TAB and LF`);
}

/** A display name as the hello carries it: 0 to 64 code points, well-formed, no control characters. */
export function assertName(name: string, x: unknown): asserts x is string {
  if (typeof x !== 'string') throw new TypeError(`${name} must be a string`);
  if (countCodePoints(x) > MAX_NAME_CODE_POINTS) throw new RangeError(`${name} must hold at most ${MAX_NAME_CODE_POINTS} code points`);
  if (hasLoneSurrogate(x)) throw new RangeError(`${name} must not contain unpaired surrogates`);
  if (hasControlChars(x, false)) throw new RangeError(`${name} must not contain control characters`);
}

/** A `host:port` address a contact was joined at (IPv6 in brackets), port 1–65535. */
export function assertAddress(name: string, x: unknown): asserts x is string {
  if (typeof x !== 'string') throw new TypeError(`${name} must be a string`);
  const port = Number(x.slice(x.lastIndexOf(':') + 1));
  if (x.length > MAX_ADDRESS_LENGTH || hasControlChars(x, false) || !ADDRESS_RE.test(x) || port > 65535) {
    throw new RangeError(`${name} must be HOST:PORT (IPv6 in brackets, port 1-65535)`);
  }
}

/** A 33-byte compressed public key (the curve check is the fingerprint function's). */
export function assertPublicKey(name: string, x: unknown): asserts x is Uint8Array {
  if (!(x instanceof Uint8Array)) throw new TypeError(`${name} must be a Uint8Array`);
  if (x.length !== PUBLIC_KEY_LENGTH) throw new RangeError(`${name} must be ${PUBLIC_KEY_LENGTH} bytes`);
}

/** How a contact was verified. */
export function assertVerificationMethod(name: string, x: unknown): asserts x is VerificationMethod {
  if (typeof x !== 'string') throw new TypeError(`${name} must be a string`);
  if (!(VERIFICATION_METHODS as readonly string[]).includes(x)) {
    throw new RangeError(`${name} must be one of ${VERIFICATION_METHODS.join(', ')}`);
  }
}

/** A positive integer no larger than `max` (page sizes, cursors). */
export function assertPositiveInteger(name: string, x: unknown, max: number): asserts x is number {
  if (typeof x !== 'number') throw new TypeError(`${name} must be a number`);
  if (!Number.isSafeInteger(x) || x < 1 || x > max) throw new RangeError(`${name} must be an integer from 1 to ${max}`);
}

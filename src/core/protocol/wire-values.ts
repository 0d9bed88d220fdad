/**
 * The value rules every transport message shares (PROTOCOL.md section 4): ids, timestamps and
 * the plaintext bound. A module of their own so that messages.ts (which dispatches to the file
 * messages) and file-messages.ts (which uses these) do not import each other.
 */
import { isIntegerInRange } from './json-text.ts';

/** Largest `ts` (2^53 − 1). */
export const MAX_TS = Number.MAX_SAFE_INTEGER;
/** Largest transport plaintext: a 65,535-byte frame minus the 16-byte AES-GCM tag. */
export const MAX_PLAINTEXT_LENGTH = 65535 - 16;

// Exactly 36 characters; no `m` flag, so `$` is the end of input (no match before a final LF).
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** True for a UUID in its 36-character lowercase form (any version; ids are compared as strings). */
export function isMessageId(x: unknown): x is string {
  return typeof x === 'string' && x.length === 36 && UUID_RE.test(x);
}

/** True for a valid `ts`: an integer from 0 to 2^53 − 1. */
export function isTimestamp(x: unknown): x is number {
  return isIntegerInRange(x, 0, MAX_TS);
}

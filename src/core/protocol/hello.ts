/**
 * The hello (PROTOCOL.md section 2): the payload of handshake messages 2 and 3,
 * `{"v":1,"name":"<display name>"}`; anything else aborts the handshake.
 */
import * as v from 'valibot';
import { utf8 } from '../crypto/bytes.ts';
import { MAX_NAME_CODE_POINTS } from '../../shared/text.ts';
import { describeIssue } from './schema-issue.ts';
import { countCodePoints, hasControlChars, isPlainObject, isWellFormedText, parseJsonText } from './json-text.ts';

/** The protocol version carried in the hello. */
export const HELLO_VERSION = 1;
/** Longest display name, in code points (the one constant every edge uses, from src/shared). */
export { MAX_NAME_CODE_POINTS };

/** A decoded hello. */
export type Hello = { v: 1; name: string };

/** A payload that is not a valid hello; the handshake must be aborted. */
export class HelloError extends Error {
  override name = 'HelloError';
}

/** True for a string of 0 to 64 code points with no control character (and no unpaired surrogate). */
export function isValidDisplayName(x: unknown): x is string {
  return (
    typeof x === 'string' &&
    // Cheap bound first: 64 code points are at most 128 UTF-16 units.
    x.length <= 2 * MAX_NAME_CODE_POINTS &&
    countCodePoints(x) <= MAX_NAME_CODE_POINTS &&
    !hasControlChars(x, false) &&
    isWellFormedText(x)
  );
}

const HelloSchema = v.object({
  // v.literal compares with ===, so 1.0 and 1e0 (parsed to 1) pass and NaN does not.
  v: v.literal(HELLO_VERSION, 'v is not the number 1'),
  name: v.pipe(
    v.string('name is not a string'),
    v.check((s: string) => isValidDisplayName(s), 'name is not 0 to 64 code points without control characters'),
  ),
});

/** Encodes a hello as compact JSON (non-ASCII unescaped); TypeError/RangeError for an invalid name. */
export function encodeHello(name: string): Uint8Array {
  if (typeof name !== 'string') throw new TypeError('encodeHello: name must be a string');
  if (!isValidDisplayName(name)) {
    throw new RangeError('encodeHello: name must be 0 to 64 code points without control characters');
  }
  return utf8(JSON.stringify({ v: HELLO_VERSION, name }));
}

/** Decodes a hello payload; throws HelloError (with the reason) for anything that is not one. */
export function parseHello(bytes: Uint8Array): Hello {
  const json = parseJsonText(bytes);
  if (!json.ok) throw new HelloError(`invalid hello: ${json.reason}`);
  if (!isPlainObject(json.value)) throw new HelloError('invalid hello: not a JSON object');
  const result = v.safeParse(HelloSchema, json.value);
  if (!result.success) throw new HelloError(`invalid hello: ${describeIssue(result.issues)}`);
  return { v: HELLO_VERSION, name: result.output.name };
}

/**
 * The hello (PROTOCOL.md section 2): the payload of handshake messages 2 and 3,
 * `{"v":1,"name":"<display name>"}`, with the optional extension members of section 7:
 * `features` (what this peer understands), `dht` (its HyperDHT public key) and `invite` (the invite
 * token a joiner returns to the host, docs/PROTOCOL.md section 10.1). Anything else of
 * the wrong form, a present-but-null extension member included, aborts the handshake.
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

/** A decoded hello; `features` is empty, `dht` and `invite` null when the peer did not send them. */
export type Hello = { v: 1; name: string; features: readonly string[]; dht: string | null; invite: string | null };

/** The optional members this peer sends (section 7); `invite` only from a joiner (message 3). */
export type HelloExtensions = { readonly features?: readonly string[]; readonly dht?: string | null; readonly invite?: string | null };

/** Most entries in `features`. */
export const MAX_FEATURES = 16;
const FEATURE_RE = /^[a-z0-9-]{1,32}$/;
const DHT_KEY_RE = /^[0-9a-f]{64}$/;
const TOKEN_RE = /^[0-9a-f]{32}$/;

/** True for an invite token: 32 lowercase hex digits. */
function isToken(x: unknown): x is string {
  return typeof x === 'string' && x.length === 32 && TOKEN_RE.test(x);
}

/** True for a feature name: 1 to 32 characters of a-z, 0-9 and '-'. */
export function isFeatureName(x: unknown): x is string {
  return typeof x === 'string' && FEATURE_RE.test(x);
}

/** True for a HyperDHT public key in its text form: 64 lowercase hex digits. */
export function isDhtKeyHex(x: unknown): x is string {
  return typeof x === 'string' && x.length === 64 && DHT_KEY_RE.test(x);
}

function isFeatureList(x: unknown): x is string[] {
  return Array.isArray(x) && x.length <= MAX_FEATURES && x.every(isFeatureName) && new Set(x).size === x.length;
}

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
  // Optional, but never null: a present member of the wrong form aborts (section 7).
  features: v.optional(v.custom<string[]>(isFeatureList, 'features is not an array of at most 16 distinct names of a-z0-9-')),
  dht: v.optional(v.custom<string>(isDhtKeyHex, 'dht is not 64 lowercase hex digits')),
  invite: v.optional(v.custom<string>(isToken, 'invite is not 32 lowercase hex digits')),
});

/**
 * Encodes a hello as compact JSON (non-ASCII unescaped); TypeError/RangeError for an invalid
 * member. Empty features and a null dht are left out, so a peer without extensions sends exactly
 * the v1 hello.
 */
export function encodeHello(name: string, ext: HelloExtensions = {}): Uint8Array {
  if (typeof name !== 'string') throw new TypeError('encodeHello: name must be a string');
  if (!isValidDisplayName(name)) {
    throw new RangeError('encodeHello: name must be 0 to 64 code points without control characters');
  }
  const features = ext.features ?? [];
  if (!isFeatureList(features)) throw new RangeError('encodeHello: features must be at most 16 distinct names of a-z0-9-');
  const dht = ext.dht ?? null;
  if (dht !== null && !isDhtKeyHex(dht)) throw new RangeError('encodeHello: dht must be 64 lowercase hex digits');
  const invite = ext.invite ?? null;
  if (invite !== null && !isToken(invite)) throw new RangeError('encodeHello: invite must be 32 lowercase hex digits');
  return utf8(
    JSON.stringify({ v: HELLO_VERSION, name, ...(features.length > 0 ? { features } : {}), ...(dht !== null ? { dht } : {}), ...(invite !== null ? { invite } : {}) }),
  );
}

/** Decodes a hello payload; throws HelloError (with the reason) for anything that is not one. */
export function parseHello(bytes: Uint8Array): Hello {
  const json = parseJsonText(bytes);
  if (!json.ok) throw new HelloError(`invalid hello: ${json.reason}`);
  if (!isPlainObject(json.value)) throw new HelloError('invalid hello: not a JSON object');
  const result = v.safeParse(HelloSchema, json.value);
  if (!result.success) throw new HelloError(`invalid hello: ${describeIssue(result.issues)}`);
  const { name, features, dht, invite } = result.output;
  return { v: HELLO_VERSION, name, features: features ?? [], dht: dht ?? null, invite: invite ?? null };
}

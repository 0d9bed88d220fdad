/**
 * The strict JSON text of PROTOCOL.md (its "JSON, everywhere in this protocol" paragraph), and
 * the string rules shared by the hello, the transport messages and the invite name.
 *
 * JSON.parse does most of the work; what it cannot see is checked on the raw text:
 * - UTF-8 is decoded fatally, and a byte order mark is refused (TextDecoder would strip one
 *   silently unless told not to; U+FEFF is not JSON whitespace).
 * - An unpaired surrogate written as an escape is refused anywhere, including in member names,
 *   unknown members and values that a repeated member name overrides: JSON.parse drops those,
 *   so only a scan of the raw text sees them. (Raw surrogates cannot occur: fatal UTF-8
 *   decoding never yields one.)
 * - Integers are checked by exact value (see `parseJsonText`).
 */
import { isUtf8 } from 'node:buffer';
import { countCodePoints, hasControlChars, hasLoneSurrogate } from '../../shared/text.ts';

// The text rules live in src/shared so that the renderer and IPC schemas apply the very same ones.
export { countCodePoints, hasControlChars };

export type JsonTextResult = { ok: true; value: unknown } | { ok: false; reason: string };

// fatal: invalid UTF-8 throws; ignoreBOM: a leading U+FEFF stays in the text instead of vanishing.
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Parses one protocol JSON text. Never throws.
 *
 * Numbers are JSON.parse's doubles, with one refinement: a top-level member whose number literal
 * is not exactly an integer but whose nearest double is one (`1.0000000000000001`, `1e-400`)
 * comes back as NaN, so no integer check can mistake it for an integer. "Integers are checked by
 * value" is read as the literal's exact decimal value (as the reference implementation does).
 * Only top-level members get this treatment because the protocol's integers (`ts`, `v`) all
 * live there; a walk at every depth would need a JSON.parse reviver, which recurses and
 * overflows the stack on deeply nested (but valid) texts.
 */
export function parseJsonText(bytes: Uint8Array): JsonTextResult {
  // The UTF-8 encoding of U+FEFF: refused before decoding so the reason is plain.
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return { ok: false, reason: 'a byte order mark before the JSON text' };
  }
  const text = decodeUtf8(bytes);
  if (text === null) return { ok: false, reason: 'invalid UTF-8' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'not a JSON text' };
  }
  // From here on the text is valid JSON, so the scan can be a simple tokenizer.
  const scan = scanJsonText(text);
  if (scan.unpairedSurrogate) return { ok: false, reason: 'an unpaired surrogate escape in a string' };
  if (isPlainObject(value)) {
    for (const [key, literal] of scan.topLevelNumbers) {
      const parsed = value[key];
      if (typeof parsed === 'number' && Number.isInteger(parsed) && !isExactIntegerLiteral(literal)) {
        // defineProperty, not assignment: the key may be "__proto__".
        Object.defineProperty(value, key, { value: Number.NaN, writable: true, enumerable: true, configurable: true });
      }
    }
  }
  return { ok: true, value };
}

/** Texts from this many bytes are checked by isUtf8, then decoded by Buffer#toString (see decodeUtf8). */
const LONG_UTF8 = 4096;

/**
 * The text of strict UTF-8 bytes, or null if they are not. A long text is checked by isUtf8
 * (simdutf, as strict as a fatal TextDecoder) and then decoded: ~10% faster than TextDecoder
 * on a 64 KB message of emoji, slower on a short one.
 */
function decodeUtf8(bytes: Uint8Array): string | null {
  if (bytes.length >= LONG_UTF8) {
    const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
    return isUtf8(buffer) ? buffer.toString('utf8') : null;
  }
  try {
    return decoder.decode(bytes);
  } catch {
    return null;
  }
}

/** True for a non-null, non-array object (what a JSON object parses to). */
export function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

type ScanResult = { unpairedSurrogate: boolean; topLevelNumbers: Map<string, string> };

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * One pass over a text that JSON.parse accepted: checks every escape for surrogate pairing and
 * records, for each member of a top-level object, the number literal of its last value (the
 * value JSON.parse keeps). Iterative, linear in the text length.
 */
function scanJsonText(text: string): ScanResult {
  const topLevelNumbers = new Map<string, string>();
  const n = text.length;
  let depth = 0;
  let rootIsObject = false;
  let expectKey = false; // at depth 1 of the root object: the next string is a member name
  let currentKey: string | null = null;
  const cursor: ScanCursor = { backslash: -1 };
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const end = scanString(text, i, cursor);
      if (end < 0) return { unpairedSurrogate: true, topLevelNumbers };
      if (depth === 1 && rootIsObject) {
        if (expectKey) {
          currentKey = JSON.parse(text.slice(i, end)) as string;
          expectKey = false;
        } else if (currentKey !== null) {
          topLevelNumbers.delete(currentKey);
        }
      }
      i = end;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (depth === 0) rootIsObject = c === 0x7b;
      else if (depth === 1 && rootIsObject && currentKey !== null) topLevelNumbers.delete(currentKey);
      depth++;
      if (depth === 1 && rootIsObject) expectKey = true;
      i++;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      depth--;
      i++;
    } else if (c === 0x2c /* , */) {
      if (depth === 1 && rootIsObject) expectKey = true;
      i++;
    } else if (c === 0x3a /* : */ || c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) {
      i++;
    } else {
      // A number or a literal (true, false, null): runs up to the next delimiter.
      let end = i + 1;
      while (end < n && !isDelimiter(text.charCodeAt(end))) end++;
      if (depth === 1 && rootIsObject && currentKey !== null) {
        const isNumber = c === 0x2d /* - */ || (c >= 0x30 && c <= 0x39);
        if (isNumber) topLevelNumbers.set(currentKey, text.slice(i, end));
        else topLevelNumbers.delete(currentKey);
      }
      i = end;
    }
  }
  return { unpairedSurrogate: false, topLevelNumbers };
}

function isDelimiter(c: number): boolean {
  return c === 0x2c || c === 0x5d || c === 0x7d || c === 0x3a || c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/**
 * Where the next backslash of the text is (Infinity once there is none left), shared by every string
 * of one text. Why (security review): kept per string, a text without backslashes was searched to
 * its end once per string, so 21,000 empty strings in one 63 KB frame cost ~9 ms (quadratic);
 * shared, each backslash is found once and the whole scan stays linear.
 */
type ScanCursor = { backslash: number };

/** Scans the string token starting at the quote `start`; returns the index after its closing quote, or -1 on an unpaired surrogate escape. */
function scanString(text: string, start: number, cursor: ScanCursor): number {
  let i = start + 1;
  // Jump to the next quote or backslash with native searches (a message text is thousands of
  // characters without either). Each search starts where the last one left off, so the scan stays
  // linear however many escapes there are; JSON.parse accepted the text, so a closing quote exists.
  let quote = -1;
  for (;;) {
    if (quote < i) quote = text.indexOf('"', i);
    if (cursor.backslash < i) {
      const b = text.indexOf('\\', i);
      cursor.backslash = b < 0 ? Infinity : b;
    }
    const backslash = cursor.backslash;
    if (quote < backslash) return quote + 1;
    i = backslash;
    if (text.charCodeAt(i + 1) !== 0x75 /* u */) {
      i += 2; // a two-character escape such as \n or \\ (so an escaped backslash never starts a \u)
      continue;
    }
    const unit = hex4(text, i + 2);
    if (unit >= 0xdc00 && unit <= 0xdfff) return -1; // a low surrogate with no high one before it
    if (unit >= 0xd800 && unit <= 0xdbff) {
      // A high surrogate must be followed at once by an escaped low one. A raw low surrogate
      // cannot follow: decoded UTF-8 only holds complete pairs.
      if (text.charCodeAt(i + 6) !== BACKSLASH || text.charCodeAt(i + 7) !== 0x75) return -1;
      const low = hex4(text, i + 8);
      if (low < 0xdc00 || low > 0xdfff) return -1;
      i += 12;
      continue;
    }
    i += 6;
  }
}

function hex4(text: string, at: number): number {
  return Number.parseInt(text.slice(at, at + 4), 16); // JSON.parse already checked the 4 hex digits
}

const DIGITS = /^-?\d+$/;

/** True if a JSON number literal's exact decimal value is an integer (e.g. `1.0`, `17E11`, `-0`, but not `1e-400`). */
export function isExactIntegerLiteral(literal: string): boolean {
  // The common case (every `ts`): plain digits, an integer without the regexes below.
  if (DIGITS.test(literal)) return true;
  const m = /^-?(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(literal);
  if (m === null) return false;
  const intDigits = m[1] ?? '';
  const digits = intDigits + (m[2] ?? '');
  // Position of the decimal point within `digits` once the exponent is applied; a huge exponent
  // gives ±Infinity, which the slice below handles.
  const point = intDigits.length + Number(m[3] ?? '0');
  const fraction = digits.slice(Math.max(0, Math.min(point, digits.length)));
  return /^0*$/.test(fraction);
}

/** True if x is a number whose value is an integer in [min, max] (so 1.0 and -0 count; NaN never does). */
export function isIntegerInRange(x: unknown, min: number, max: number): x is number {
  return typeof x === 'number' && Number.isInteger(x) && x >= min && x <= max;
}

/** True if s holds no unpaired surrogate, i.e. it can be written as UTF-8. */
export function isWellFormedText(s: string): boolean {
  return !hasLoneSurrogate(s);
}

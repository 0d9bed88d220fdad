/**
 * Code points and UTF-8 for long message texts, faster than the portable versions in src/shared
 * (which the renderer shares and so cannot use Buffer).
 *
 * Why (issue 11 item 16): a 16,000-emoji text is checked where it is sent and where it is
 * received, and encoded once; per 64,000-byte message the charCodeAt loop of countCodePoints took
 * ~40 µs and V8's UTF-8 encoder ~75 µs on the development machine (it is slow on surrogate pairs),
 * about half of a sender's time in P2. Copying the UTF-16 units out with Buffer#write (~2 µs) lets
 * the count walk two units per step (~18 µs), and ICU's transcode from UTF-16 is about twice as fast as
 * encodeInto for any text that is not ASCII.
 */
import { transcode } from 'node:buffer';
import { countCodePoints } from '../../shared/text.ts';

/** Texts shorter than this go the portable way: the fast paths only pay off on long ones. */
export const LONG_TEXT = 1024;
const SURROGATE = /[\ud800-\udfff]/; // none: one unit per code point (a native scan)
const MAX_UNITS = 32_000; // the longest text a code-point check ever counts (2 × 16,000)
const units = new ArrayBuffer(2 * MAX_UNITS);
const unitBytes = Buffer.from(units);
const unitWords = new Uint32Array(units);

/**
 * The number of code points of `s`, as countCodePoints counts them (a lone surrogate counts as
 * one). `wellFormed`: s.isWellFormed(), when the caller already knows it.
 */
export function codePointCount(s: string, wellFormed = s.isWellFormed()): number {
  const n = s.length;
  // Only a well-formed text is counted by its low surrogates: each ends exactly one pair.
  if (n < LONG_TEXT || n > MAX_UNITS || !wellFormed) return countCodePoints(s);
  if (!SURROGATE.test(s)) return n;
  unitBytes.write(s, 0, 'utf16le');
  let lows = 0;
  const words = n >>> 1;
  for (let i = 0; i < words; i++) {
    // Each 16-bit half is zero exactly where that unit is a low surrogate (0xDC00–0xDFFF).
    const e = ((unitWords[i] as number) & 0xfc00fc00) ^ 0xdc00dc00;
    lows += ((e & 0xffff) === 0 ? 1 : 0) + (e >>> 16 === 0 ? 1 : 0);
  }
  if ((n & 1) === 1 && (s.charCodeAt(n - 1) & 0xfc00) === 0xdc00) lows++;
  unitBytes.fill(0, 0, 2 * n); // message text: no copy left behind
  return n - lows;
}

const encoder = new TextEncoder();

/**
 * Writes the UTF-8 of a well-formed `s` into `dest` at `at`; returns the bytes written. `dest` must
 * have room for 3 bytes per UTF-16 unit. Short texts, texts longer than any message text and texts
 * that look ASCII take encodeInto (a copy for V8), the others ICU's transcode. The look is three
 * characters, not a scan: a wrong guess only costs speed, while a scan cost an ASCII text more than it saved.
 */
export function writeUtf8(s: string, dest: Uint8Array, at: number): number {
  const n = s.length;
  if (n < LONG_TEXT || n > MAX_UNITS || (s.charCodeAt(0) | s.charCodeAt(n >>> 1) | s.charCodeAt(n - 1)) < 0x80) return encoder.encodeInto(s, dest.subarray(at)).written;
  // Through the module's own unit buffer: Buffer.from(s, 'utf16le') made a fresh 64 KB buffer per
  // message (zeroed, then garbage), which took ~65 of a 16,000-emoji text's ~105 µs here.
  unitBytes.write(s, 0, 'utf16le');
  const utf8 = transcode(unitBytes.subarray(0, 2 * n), 'utf16le', 'utf8');
  unitBytes.fill(0, 0, 2 * n); // message text: no copy left behind
  dest.set(utf8, at);
  return utf8.length;
}

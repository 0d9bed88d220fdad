/**
 * Security review: the cost of parsing a hostile plaintext. Every transport frame (and the hello,
 * before the peer is authenticated) goes through parseJsonText on the event loop, so its cost must
 * stay linear in the frame size whatever the frame holds. A frame of 21,000 empty strings
 * (`["","",…]`, 63 KB) made the string scan search the rest of the text for a backslash once per
 * string — quadratic: ~9 ms per frame where a linear scan takes ~1.5 ms, enough for one peer to
 * keep the app's main process busy.
 *
 * The work is counted, not timed (wall-clock figures belong in the benchmark): every native search
 * the scanner makes (String.prototype.indexOf) is measured by how many characters it walked, and
 * eight times the input must cost about eight times the characters walked (a per-string search of
 * the rest of the text costs ~64 times). The count is exact and the same on a busy machine.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parseJsonText } from '../../../src/core/protocol/json-text.ts';

const enc = new TextEncoder();
const nativeIndexOf = String.prototype.indexOf;

afterEach(() => {
  String.prototype.indexOf = nativeIndexOf;
});

/** Characters walked by every String.prototype.indexOf call during one parse. */
function charactersSearched(bytes: Uint8Array): number {
  let walked = 0;
  String.prototype.indexOf = function (this: string, search: string, from?: number): number {
    const start = Math.max(0, from ?? 0);
    const found = nativeIndexOf.call(this, search, start);
    walked += (found < 0 ? this.length : found + search.length) - start;
    return found;
  };
  try {
    expect(parseJsonText(bytes).ok).toBe(true);
  } finally {
    String.prototype.indexOf = nativeIndexOf;
  }
  return walked;
}

const strings = (n: number): Uint8Array => enc.encode(`{"type":"x","a":[${Array(n).fill('""').join(',')}]}`);
const members = (n: number): Uint8Array => enc.encode(`{"type":"x",${Array.from({ length: n }, (_, i) => `"k${i}":"v"`).join(',')}}`);
const escapes = (n: number): Uint8Array => enc.encode(`{"type":"x","a":[${Array(n).fill('"\\n"').join(',')}]}`);

describe('parseJsonText is linear in the text, whatever it holds', () => {
  it.each([
    ['empty strings in an array', strings(2_625), strings(21_000)],
    ['members with string values', members(625), members(5_000)],
    ['escapes everywhere (each backslash found once)', escapes(1_500), escapes(12_000)],
  ])('%s: eight times as many walk about eight times as many characters', (_what, small, large) => {
    expect(large.length).toBeLessThanOrEqual(65_519); // fits one frame
    const ratio = charactersSearched(large) / charactersSearched(small);
    expect(ratio).toBeGreaterThan(4); // the count measures something real
    expect(ratio).toBeLessThan(12);
  });
});

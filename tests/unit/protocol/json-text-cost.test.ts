/**
 * Security review: the cost of parsing a hostile plaintext. Every transport frame (and the hello,
 * before the peer is authenticated) goes through parseJsonText on the event loop, so its cost must
 * stay linear in the frame size whatever the frame holds. A frame of 21,000 empty strings
 * (`["","",…]`, 63 KB) made the string scan search the rest of the text for a backslash once per
 * string — quadratic: ~9 ms per frame where a linear scan takes ~1.5 ms, enough for one peer to
 * keep the app's main process busy. Timing is compared by ratio (8× the strings must cost about 8×,
 * not 64×; measured: 7–14 linear, 28–33 quadratic), which holds on a slow or busy machine where
 * absolute bounds would not.
 */
import { describe, expect, it } from 'vitest';
import { parseJsonText } from '../../../src/core/protocol/json-text.ts';

const enc = new TextEncoder();

/** Median milliseconds of parseJsonText over `runs` runs (after a warm-up). */
function medianMs(bytes: Uint8Array, runs = 15): number {
  for (let i = 0; i < 5; i++) parseJsonText(bytes);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    parseJsonText(bytes);
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)] as number;
}

const strings = (n: number): Uint8Array => enc.encode(`{"type":"x","a":[${Array(n).fill('""').join(',')}]}`);
const members = (n: number): Uint8Array => enc.encode(`{"type":"x",${Array.from({ length: n }, (_, i) => `"k${i}":"v"`).join(',')}}`);

describe('parseJsonText is linear in the text, whatever it holds', () => {
  it.each([
    ['empty strings in an array', strings],
    ['members with string values', members],
  ])('%s: eight times as many cost about eight times as much', (_what, make) => {
    const [small, large] = make === strings ? [make(2_625), make(21_000)] : [make(625), make(5_000)];
    expect(large.length).toBeLessThanOrEqual(65_519); // fits one frame
    expect(parseJsonText(large).ok).toBe(true);
    const ratio = medianMs(large) / medianMs(small);
    expect(ratio).toBeLessThan(20);
  });

  it('escapes everywhere still scan in one pass (each backslash found once)', () => {
    const small = enc.encode(`{"type":"x","a":[${Array(1_500).fill('"\\n"').join(',')}]}`);
    const large = enc.encode(`{"type":"x","a":[${Array(12_000).fill('"\\n"').join(',')}]}`);
    const ratio = medianMs(large) / medianMs(small);
    expect(ratio).toBeLessThan(20);
  });
});

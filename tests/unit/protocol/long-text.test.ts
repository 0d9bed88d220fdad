/**
 * The fast long-text helpers must agree exactly with the portable ones: codePointCount with
 * countCodePoints (lone surrogates included), writeUtf8 with TextEncoder.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codePointCount, writeUtf8 } from '../../../src/core/protocol/long-text.ts';
import { countCodePoints } from '../../../src/shared/text.ts';

// Long texts (the fast paths start at 1,024 units) built from pieces of every UTF-8 length and lone surrogates.
const pieceArb = fc.constantFrom('a', 'é', '語', '🦜', '\ud83e', '\udd9c', ' ', '"', '\u2028');
const longArb = fc.tuple(fc.array(pieceArb, { minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 16_001 })).map(([pieces, reps]) => {
  const unit = pieces.join('');
  return unit.repeat(Math.max(1, Math.floor(reps / unit.length)));
});
const anyArb = fc.oneof(longArb, fc.string({ unit: 'binary', maxLength: 2000 }), fc.string({ unit: 'grapheme', maxLength: 2000 }));

describe('codePointCount', () => {
  it('counts like countCodePoints, long or short, well-formed or not', () => {
    fc.assert(
      fc.property(anyArb, (s) => {
        expect(codePointCount(s)).toBe(countCodePoints(s));
      }),
      { seed: 11, numRuns: 600 },
    );
  });

  it('counts an odd-length text ending in a pair and the largest texts', () => {
    for (const s of ['x' + '🦜'.repeat(700), '🦜'.repeat(16_000), '🦜'.repeat(16_000) + 'x', 'é'.repeat(32_000), '\udc00'.repeat(2000) + '🦜']) {
      expect(codePointCount(s)).toBe(countCodePoints(s));
    }
  });
});

describe('writeUtf8', () => {
  it('writes the bytes TextEncoder writes for any well-formed text', () => {
    fc.assert(
      fc.property(
        anyArb.filter((s) => s.isWellFormed()),
        fc.nat(8),
        (s, at) => {
          const dest = new Uint8Array(at + 3 * s.length);
          const n = writeUtf8(s, dest, at);
          expect(Buffer.from(dest.subarray(at, at + n)).equals(Buffer.from(new TextEncoder().encode(s)))).toBe(true);
        },
      ),
      { seed: 13, numRuns: 600 },
    );
  });

  it('writes texts longer than any message text (beyond its unit buffer) and leaves the next call unaffected', () => {
    for (const s of ['🦜'.repeat(20_000), '語'.repeat(40_000), '🦜'.repeat(16_000), 'é'.repeat(1500)]) {
      const dest = new Uint8Array(3 * s.length);
      const n = writeUtf8(s, dest, 0);
      expect(Buffer.from(dest.subarray(0, n)).equals(Buffer.from(s))).toBe(true);
    }
  });
});

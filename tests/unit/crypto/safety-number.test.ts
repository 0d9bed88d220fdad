/** safety-number.ts against a BigInt restatement of PROTOCOL.md section 3 (properties, seeded). */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../../src/core/crypto/bytes.ts';
import { safetyNumber, safetyNumberFromHex } from '../../../src/core/crypto/safety-number.ts';

const fpArb = fc.uint8Array({ minLength: 32, maxLength: 32 });

/** The page's recipe, written separately: node:crypto SHA-512, BigInt arithmetic, string compare of hex. */
function reference(a: Uint8Array, b: Uint8Array): string {
  const [lo, hi] = toHex(a) <= toHex(b) ? [a, b] : [b, a];
  const d = createHash('sha512').update('parley-safety-number/1').update(lo).update(hi).digest('hex');
  const groups: string[] = [];
  for (let i = 0; i < 12; i++) groups.push((BigInt(`0x${d.slice(i * 10, i * 10 + 10)}`) % 100000n).toString().padStart(5, '0'));
  return groups.join(' ');
}

describe('safetyNumber', () => {
  it('follows the recipe, ignores argument order and has the 71-character form', () => {
    let paddedGroups = 0;
    fc.assert(
      fc.property(fpArb, fpArb, (a, b) => {
        const sn = safetyNumber(a, b);
        expect(sn).toMatch(/^\d{5}( \d{5}){11}$/);
        expect(sn).toHaveLength(71);
        expect(sn).toBe(reference(a, b));
        expect(safetyNumber(b, a)).toBe(sn);
        expect(safetyNumberFromHex(toHex(a), toHex(b))).toBe(sn);
        paddedGroups += sn.split(' ').filter((g) => g.startsWith('0')).length;
      }),
      { seed: 42, numRuns: 300 },
    );
    // About 1 group in 10 starts with 0: the zero-padding was exercised.
    expect(paddedGroups).toBeGreaterThan(100);
  });

  it('orders fingerprints that differ only late, and equal fingerprints', () => {
    const a = new Uint8Array(32);
    const b = new Uint8Array(32);
    b[31] = 1;
    expect(safetyNumber(a, b)).toBe(reference(a, b));
    expect(safetyNumber(b, a)).toBe(reference(a, b));
    expect(safetyNumber(a, a)).toBe(reference(a, a));
    // Unsigned bytewise order: 0x80 sorts after 0x7f.
    const c = new Uint8Array(32).fill(0x7f);
    const d = new Uint8Array(32).fill(0x80);
    expect(safetyNumber(d, c)).toBe(reference(c, d));
  });

  it('changes when any byte of either fingerprint changes', () => {
    fc.assert(
      fc.property(fpArb, fpArb, fc.nat(31), fc.integer({ min: 1, max: 255 }), fc.boolean(), (a, b, i, mask, first) => {
        const before = safetyNumber(a, b);
        const changed = (first ? a : b).slice();
        changed[i]! ^= mask;
        expect(first ? safetyNumber(changed, b) : safetyNumber(a, changed)).not.toBe(before);
      }),
      { seed: 42, numRuns: 200 },
    );
  });
});

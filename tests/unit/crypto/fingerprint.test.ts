/** fingerprint.ts: SPKI encodings, the display form, and the paste parser (properties, seeded). */
import { createHash, createPublicKey } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../../src/core/crypto/bytes.ts';
import {
  fingerprint,
  fingerprintHex,
  formatFingerprint,
  isFingerprintHex,
  parseFingerprintInput,
  spkiDer,
  spkiPem,
} from '../../../src/core/crypto/fingerprint.ts';
import { publicKeyFromPrivate, uncompressPublicKey } from '../../../src/core/crypto/p256.ts';
import { p256 } from '@noble/curves/nist.js';

const SEED = { seed: 42 };

/** Compressed public keys from seeded private scalars (generateKeyPair would not be reproducible). */
const publicKeyArb = fc
  .uint8Array({ minLength: 32, maxLength: 32 })
  .filter((d) => p256.utils.isValidSecretKey(d))
  .map((d) => publicKeyFromPrivate(d));

const fingerprintHexArb = fc.uint8Array({ minLength: 32, maxLength: 32 }).map(toHex);

describe('SPKI and fingerprint', () => {
  it('spkiDer is the 26-byte header and the uncompressed point, and OpenSSL reads it back unchanged', () => {
    fc.assert(
      fc.property(publicKeyArb, (pub) => {
        const der = spkiDer(pub);
        expect(der).toHaveLength(91);
        expect(toHex(der.subarray(0, 26))).toBe('3059301306072a8648ce3d020106082a8648ce3d030107034200');
        expect(toHex(der.subarray(26))).toBe(toHex(uncompressPublicKey(pub)));
        const reencoded = createPublicKey({ key: Buffer.from(der), format: 'der', type: 'spki' }).export({ type: 'spki', format: 'der' });
        expect(reencoded.toString('hex')).toBe(toHex(der));
        expect(toHex(fingerprint(pub))).toBe(createHash('sha256').update(der).digest('hex'));
        expect(fingerprintHex(pub)).toBe(toHex(fingerprint(pub)));
      }),
      { ...SEED, numRuns: 60 },
    );
  });

  it('spkiPem is the DER in base64, 64-character lines, with a trailing newline', () => {
    fc.assert(
      fc.property(publicKeyArb, (pub) => {
        const pem = spkiPem(pub);
        const lines = pem.split('\n');
        expect(lines[0]).toBe('-----BEGIN PUBLIC KEY-----');
        expect(lines.at(-2)).toBe('-----END PUBLIC KEY-----');
        expect(lines.at(-1)).toBe(''); // the trailing newline
        const body = lines.slice(1, -2);
        expect(body.map((l) => l.length)).toEqual([64, 60]); // 91 bytes = 124 base64 characters
        expect(Buffer.from(body.join(''), 'base64').toString('hex')).toBe(toHex(spkiDer(pub)));
      }),
      { ...SEED, numRuns: 30 },
    );
  });
});

describe('formatFingerprint and isFingerprintHex', () => {
  it('gives 16 groups of 4 that read back to the same digits', () => {
    fc.assert(
      fc.property(fingerprintHexArb, (hex) => {
        expect(isFingerprintHex(hex)).toBe(true);
        const text = formatFingerprint(hex);
        expect(text).toMatch(/^[0-9a-f]{4}( [0-9a-f]{4}){15}$/);
        expect(text.replaceAll(' ', '')).toBe(hex);
        expect(parseFingerprintInput(text)).toBe(hex);
      }),
      { ...SEED, numRuns: 200 },
    );
  });
});

// ---- parseFingerprintInput ----------------------------------------------------------------

const WS = [' ', '\t', '\n', '\r'] as const;
const wsArb = (min: number): fc.Arbitrary<string> =>
  fc.array(fc.constantFrom(...WS), { minLength: min, maxLength: 3 }).map((a) => a.join(''));
/** What may sit between two digits: nothing, whitespace, or one ':'/'-' with optional whitespace around it. */
const gapArb = fc.oneof(
  { weight: 3, arbitrary: fc.constant('') },
  { weight: 1, arbitrary: wsArb(1) },
  { weight: 1, arbitrary: fc.tuple(wsArb(0), fc.constantFrom(':', '-'), wsArb(0)).map((p) => p.join('')) },
);

/** A fingerprint as a person might paste it: any case, any allowed separators, blank around it. */
const pastedArb = fc
  .tuple(
    fingerprintHexArb,
    fc.array(fc.boolean(), { minLength: 64, maxLength: 64 }),
    fc.array(gapArb, { minLength: 63, maxLength: 63 }),
    wsArb(0),
    wsArb(0),
  )
  .map(([hex, upper, gaps, lead, trail]) => {
    let text = lead;
    for (let i = 0; i < 64; i++) {
      text += upper[i] ? hex[i]!.toUpperCase() : hex[i]!;
      if (i < 63) text += gaps[i]!;
    }
    return { hex, text: text + trail };
  });

/**
 * An independent statement of the accepted language: only hex digits and separators; with the
 * whitespace removed, digits with at most one ':' or '-' between two of them; exactly 64 digits.
 */
function oracle(text: string): string | null {
  if (!/^[0-9a-fA-F \t\r\n:-]*$/.test(text)) return null;
  const squeezed = text.replace(/[ \t\r\n]/g, '');
  if (!/^[0-9a-fA-F](?:[:-]?[0-9a-fA-F])*$/.test(squeezed)) return null;
  const digits = squeezed.replace(/[:-]/g, '').toLowerCase();
  return digits.length === 64 ? digits : null;
}

/** Characters that must never be taken as part of a fingerprint or as a separator. */
const FOREIGN = ['g', 'G', 'x', 'z', '.', ',', '_', '/', '+', '=', '\u00a0', '\u200b', '\u2013', '\uff21', '\u0661', '\u0000', '😀'];
const MIXED_ALPHABET = ['0', '9', 'a', 'f', 'A', 'F', ' ', '\t', '\n', '\r', ':', '-', ...FOREIGN];

describe('parseFingerprintInput', () => {
  it('reads back every way of pasting a fingerprint', () => {
    fc.assert(
      fc.property(pastedArb, ({ hex, text }) => {
        expect(parseFingerprintInput(text)).toBe(hex);
      }),
      { ...SEED, numRuns: 1000 },
    );
  });

  it('reads the common layouts', () => {
    const hex = '0fb2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90';
    const pairs = hex.match(/../g)!;
    const layouts = [
      hex,
      hex.toUpperCase(),
      `${hex}\n`,
      `  ${hex}\r\n`,
      formatFingerprint(hex),
      pairs.join(':').toUpperCase(), // openssl -c style
      pairs.join(':'),
      hex.match(/.{4}/g)!.join('-'),
      `${hex.slice(0, 32)}\r\n${hex.slice(32)}`,
      `\t${formatFingerprint(hex).slice(0, 39)}\n  ${formatFingerprint(hex).slice(40)}\n`,
      hex.match(/.{8}/g)!.join(' - '),
    ];
    for (const text of layouts) expect(parseFingerprintInput(text), JSON.stringify(text)).toBe(hex);
  });

  it('refuses wrong digit counts, stray punctuation and foreign characters', () => {
    const hex = '5cd252fb0ce8932436faf8ccd1040981b89ee4ad6b9fe9e2a2b7e71aacb27cd3';
    const refused = [
      '',
      ' \n ',
      hex.slice(1),
      `${hex}0`,
      `${hex} 0`,
      `:${hex}`,
      `${hex}:`,
      `-${hex}`,
      `${hex} -`,
      `${hex.slice(0, 10)}::${hex.slice(10)}`,
      `${hex.slice(0, 10)}:-${hex.slice(10)}`,
      `${hex.slice(0, 10)}: -${hex.slice(10)}`,
      `0x${hex}`,
      `sha256:${hex}`,
      `${hex}.`,
      hex.replace('5', '\uff15'), // a fullwidth digit is no hex digit
      `${hex}${hex}`,
    ];
    for (const text of refused) expect(parseFingerprintInput(text), JSON.stringify(text)).toBeNull();
  });

  it('refuses a valid paste with any foreign character inserted anywhere', () => {
    fc.assert(
      fc.property(pastedArb, fc.constantFrom(...FOREIGN), fc.nat(), ({ text }, ch, at) => {
        const i = at % (text.length + 1);
        expect(parseFingerprintInput(text.slice(0, i) + ch + text.slice(i))).toBeNull();
      }),
      { ...SEED, numRuns: 500 },
    );
  });

  it('refuses a valid paste with one digit removed or added', () => {
    fc.assert(
      fc.property(pastedArb, fc.nat(), fc.constantFrom('0', 'a', 'F'), ({ text }, at, digit) => {
        const digitPositions = [...text].flatMap((c, i) => (/[0-9a-fA-F]/.test(c) ? [i] : []));
        const i = digitPositions[at % 64]!;
        expect(parseFingerprintInput(text.slice(0, i) + text.slice(i + 1))).toBeNull();
        expect(parseFingerprintInput(text.slice(0, i) + digit + text.slice(i))).toBeNull();
      }),
      { ...SEED, numRuns: 300 },
    );
  });

  it('agrees with the independent statement of the language on mutated and random inputs', () => {
    const mutated = fc
      .tuple(pastedArb, fc.array(fc.tuple(fc.nat(), fc.nat(), fc.constantFrom(...MIXED_ALPHABET)), { maxLength: 3 }))
      .map(([{ text }, edits]) => {
        let s = text;
        for (const [at, op, ch] of edits) {
          const i = at % (s.length + 1);
          // insert, delete or replace one character
          s = op % 3 === 0 ? s.slice(0, i) + ch + s.slice(i) : op % 3 === 1 ? s.slice(0, i) + s.slice(i + 1) : s.slice(0, i) + ch + s.slice(i + 1);
        }
        return s;
      });
    const random = fc.string({ unit: fc.constantFrom(...MIXED_ALPHABET), maxLength: 200 });
    let accepted = 0;
    fc.assert(
      fc.property(fc.oneof(mutated, random), (text) => {
        const got = parseFingerprintInput(text);
        expect(got).toBe(oracle(text));
        if (got !== null) accepted++;
      }),
      { ...SEED, numRuns: 2000 },
    );
    // Both outcomes must have been exercised for the comparison to mean anything.
    expect(accepted).toBeGreaterThan(100);
    expect(accepted).toBeLessThan(1900);
  });

  it('never throws on any string, and returns null or the canonical 64 digits', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => {
        const got = parseFingerprintInput(text);
        if (got !== null) expect(isFingerprintHex(got)).toBe(true);
      }),
      { ...SEED, numRuns: 1000 },
    );
  });

  it('refuses long hostile input (a backtracking parser would hang here until the test times out)', () => {
    const hostile = [`a${' '.repeat(200_000)}x`, `${'a:'.repeat(100_000)}`, `${'a \t'.repeat(100_000)}-`];
    for (const text of hostile) expect(parseFingerprintInput(text)).toBeNull();
  });
});

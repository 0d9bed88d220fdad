/**
 * tests/fixtures/vectors/parley/identity_kat.json: the key encodings, SPKI, fingerprints and safety
 * numbers made by the independent implementation written from PROTOCOL.md section 3.
 */
import { createPublicKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex, utf8 } from '../../../src/core/crypto/bytes.ts';
import {
  fingerprint,
  fingerprintHex,
  formatFingerprint,
  isFingerprintHex,
  parseFingerprintInput,
  spkiDer,
  spkiPem,
} from '../../../src/core/crypto/fingerprint.ts';
import { sha512 } from '../../../src/core/crypto/hash.ts';
import { compressPublicKey, publicKeyFromPrivate, uncompressPublicKey } from '../../../src/core/crypto/p256.ts';
import { safetyNumber, safetyNumberFromHex } from '../../../src/core/crypto/safety-number.ts';
import { loadJson, Tally } from './vectors.ts';

type KatKey = {
  id: string;
  comment: string;
  private: string;
  public_compressed: string;
  public_uncompressed: string;
  spki_der: string;
  spki_pem: string;
  fingerprint: string;
  fingerprint_text: string;
};
type KatPair = { a: string; b: string; smaller_fingerprint: string; sha512: string; safety_number: string };
type IdentityKat = { safety_number_label: string; keys: KatKey[]; pairs: KatPair[] };

const kat = loadJson<IdentityKat>('parley/identity_kat.json');

/** Collects the mismatches of one case as readable strings. */
function diff(problems: string[], what: string, got: string, want: string): void {
  if (got !== want) problems.push(`${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
}

describe('Parley identity known answers', () => {
  it('reproduces every key encoding, fingerprint and safety number', () => {
    const tally = new Tally();
    for (const k of kat.keys) {
      const p: string[] = [];
      const compressed = publicKeyFromPrivate(fromHex(k.private));
      diff(p, 'publicKeyFromPrivate', toHex(compressed), k.public_compressed);
      diff(p, 'uncompressPublicKey', toHex(uncompressPublicKey(compressed)), k.public_uncompressed);
      diff(p, 'compressPublicKey', toHex(compressPublicKey(fromHex(k.public_uncompressed))), k.public_compressed);
      const der = spkiDer(compressed);
      diff(p, 'spkiDer length', String(der.length), '91');
      diff(p, 'spkiDer', toHex(der), k.spki_der);
      diff(p, 'spkiPem', spkiPem(compressed), k.spki_pem);
      diff(p, 'fingerprint', toHex(fingerprint(compressed)), k.fingerprint);
      diff(p, 'fingerprintHex', fingerprintHex(compressed), k.fingerprint);
      diff(p, 'isFingerprintHex', String(isFingerprintHex(k.fingerprint)), 'true');
      diff(p, 'formatFingerprint', formatFingerprint(k.fingerprint), k.fingerprint_text);
      diff(p, 'parseFingerprintInput(text)', String(parseFingerprintInput(k.fingerprint_text)), k.fingerprint);
      // An independent DER reader: OpenSSL inside node:crypto must find the same point in our SPKI.
      const jwk = createPublicKey({ key: Buffer.from(der), format: 'der', type: 'spki' }).export({ format: 'jwk' });
      const xy = Buffer.concat([Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')]).toString('hex');
      diff(p, 'node:crypto SPKI reading', `${jwk.crv}:${xy}`, `P-256:${k.public_uncompressed.slice(2)}`);
      tally.record(k.id, p);
    }

    const byId = new Map(kat.keys.map((k) => [k.id, k]));
    const label = utf8(kat.safety_number_label);
    for (const pair of kat.pairs) {
      const p: string[] = [];
      const a = fromHex(byId.get(pair.a)!.fingerprint);
      const b = fromHex(byId.get(pair.b)!.fingerprint);
      const aFirst = Buffer.compare(a, b) <= 0;
      diff(p, 'smaller fingerprint', aFirst ? pair.a : pair.b, pair.smaller_fingerprint);
      diff(p, 'sha512', toHex(aFirst ? sha512(label, a, b) : sha512(label, b, a)), pair.sha512);
      diff(p, 'safetyNumber(a, b)', safetyNumber(a, b), pair.safety_number);
      diff(p, 'safetyNumber(b, a)', safetyNumber(b, a), pair.safety_number);
      diff(p, 'safetyNumberFromHex(a, b)', safetyNumberFromHex(toHex(a), toHex(b)), pair.safety_number);
      diff(p, 'safetyNumberFromHex(b, a)', safetyNumberFromHex(toHex(b), toHex(a)), pair.safety_number);
      if (!/^\d{5}( \d{5}){11}$/.test(pair.safety_number)) p.push('file value is not 12 groups of 5 digits');
      tally.record(`${pair.a}/${pair.b}`, p);
    }
    tally.summary('parley identity_kat');
    expect(tally.failures).toEqual([]);
    expect(tally.ran).toBe(15);
    expect(tally.passed).toBe(15);
  });

  it('covers what the README says it covers', () => {
    const [k1, k2, , k4, k5] = kat.keys;
    expect(kat.safety_number_label).toBe('parley-safety-number/1');
    expect(k1!.private).toBe('0'.repeat(63) + '1');
    // K1 = G and K2 = -G: same x, opposite parity.
    expect(k1!.public_compressed.slice(2)).toBe(k2!.public_compressed.slice(2));
    expect(k1!.public_compressed.slice(0, 2)).not.toBe(k2!.public_compressed.slice(0, 2));
    // K4's x and K5's y start with a zero byte: the encodings must keep it.
    expect(k4!.public_uncompressed.slice(2, 4)).toBe('00');
    expect(k5!.public_uncompressed.slice(66, 68)).toBe('00');
    expect(kat.pairs).toHaveLength((kat.keys.length * (kat.keys.length - 1)) / 2);
    expect(spkiDer(fromHex(k4!.public_compressed))[27]).toBe(0); // after the 26-byte header and 0x04
  });
});

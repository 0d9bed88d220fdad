/**
 * The safety number of a pair of peers (PROTOCOL.md section 3): 60 decimal digits that both
 * sides derive from the two fingerprints and compare out of band.
 */
import { fromHex, utf8 } from './bytes.ts';
import { FINGERPRINT_LENGTH, isFingerprintHex } from './fingerprint.ts';
import { sha512 } from './hash.ts';

const LABEL = utf8('parley-safety-number/1');
const GROUPS = 12;
const CHUNK_BYTES = 5;

/**
 * d = SHA-512("parley-safety-number/1" || min(a, b) || max(a, b)); each of the first 12 five-byte
 * chunks of d, read as a 40-bit big-endian integer mod 100000, gives one 5-digit group.
 * Sorting first makes the result independent of argument order. Returns the 71-character text.
 */
export function safetyNumber(fpA: Uint8Array, fpB: Uint8Array): string {
  checkFingerprint(fpA, 'fpA');
  checkFingerprint(fpB, 'fpB');
  // Bytewise lexicographic order; both have the same length, so this is the spec's a <= b.
  const [lo, hi] = Buffer.compare(fpA, fpB) <= 0 ? [fpA, fpB] : [fpB, fpA];
  const d = sha512(LABEL, lo, hi);
  const groups: string[] = [];
  for (let g = 0; g < GROUPS; g++) {
    let value = 0;
    // 40 bits stay below 2^53, so plain numbers are exact here.
    for (let i = 0; i < CHUNK_BYTES; i++) value = value * 256 + d[g * CHUNK_BYTES + i]!;
    groups.push(String(value % 100_000).padStart(5, '0'));
  }
  return groups.join(' ');
}

/** safetyNumber over two fingerprints in their 64-lowercase-hex text form. */
export function safetyNumberFromHex(fpA: string, fpB: string): string {
  return safetyNumber(hexFingerprint(fpA, 'fpA'), hexFingerprint(fpB, 'fpB'));
}

function checkFingerprint(fp: Uint8Array, name: string): void {
  if (!(fp instanceof Uint8Array)) throw new TypeError(`safetyNumber: ${name} must be a Uint8Array`);
  if (fp.length !== FINGERPRINT_LENGTH) throw new RangeError(`safetyNumber: ${name} must be 32 bytes`);
}

function hexFingerprint(hex: string, name: string): Uint8Array {
  if (typeof hex !== 'string') throw new TypeError(`safetyNumberFromHex: ${name} must be a string`);
  if (!isFingerprintHex(hex)) throw new RangeError(`safetyNumberFromHex: ${name} must be 64 lowercase hex digits`);
  return fromHex(hex);
}

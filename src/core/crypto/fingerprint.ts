/**
 * Identity fingerprints (PROTOCOL.md section 3): SHA-256 of the DER SubjectPublicKeyInfo of the
 * static P-256 key with the point uncompressed, so that `openssl pkey -pubin -outform DER | sha256sum`
 * gives the same 64 hex digits.
 */
import { fromHex, toHex } from './bytes.ts';
import { sha256 } from './hash.ts';
import { InvalidPointError, uncompressPublicKey } from './p256.ts';

/** Bytes in a fingerprint (a SHA-256 digest). */
export const FINGERPRINT_LENGTH = 32;
/** Bytes in the DER SubjectPublicKeyInfo of a P-256 key with its point uncompressed. */
export const SPKI_DER_LENGTH = 91;

/**
 * The DER header of every P-256 SPKI with an uncompressed point. Every length in it is fixed
 * (the key is always 65 bytes), so a constant prefix is exact DER, not an approximation:
 *   30 59                                 SEQUENCE, 89 bytes
 *     30 13                               SEQUENCE (AlgorithmIdentifier), 19 bytes
 *       06 07 2a 86 48 ce 3d 02 01        OID 1.2.840.10045.2.1 id-ecPublicKey
 *       06 08 2a 86 48 ce 3d 03 01 07     OID 1.2.840.10045.3.1.7 prime256v1
 *     03 42 00                            BIT STRING, 66 bytes, 0 unused bits
 *       04 || x || y                      the 65-byte uncompressed SEC 1 point
 */
const SPKI_P256_PREFIX = fromHex('3059301306072a8648ce3d020106082a8648ce3d030107034200');

const FINGERPRINT_HEX_RE = /^[0-9a-f]{64}$/;

/** The 91-byte DER SubjectPublicKeyInfo of a 33-byte compressed key (throws InvalidPointError if it is no P-256 point). */
export function spkiDer(publicKey: Uint8Array): Uint8Array {
  if (!(publicKey instanceof Uint8Array)) throw new InvalidPointError('spkiDer: publicKey must be a Uint8Array');
  // uncompressPublicKey insists on 33 bytes, 0x02/0x03, x < p and a square: the same check `dh` makes.
  const point = uncompressPublicKey(publicKey);
  const out = new Uint8Array(SPKI_DER_LENGTH);
  out.set(SPKI_P256_PREFIX, 0);
  out.set(point, SPKI_P256_PREFIX.length);
  return out;
}

/** The same SPKI as PEM "PUBLIC KEY" (base64 in 64-character lines, trailing newline), as `openssl pkey -pubout` writes it. */
export function spkiPem(publicKey: Uint8Array): string {
  const b64 = Buffer.from(spkiDer(publicKey)).toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 64) lines.push(b64.slice(i, i + 64));
  return `-----BEGIN PUBLIC KEY-----\n${lines.join('\n')}\n-----END PUBLIC KEY-----\n`;
}

/** The 32-byte fingerprint: SHA-256 of spkiDer(publicKey). */
export function fingerprint(publicKey: Uint8Array): Uint8Array {
  return sha256(spkiDer(publicKey));
}

/** The fingerprint as 64 lowercase hex digits (the form invites, JSON events and files use). */
export function fingerprintHex(publicKey: Uint8Array): string {
  return toHex(fingerprint(publicKey));
}

/** True for exactly 64 lowercase hex digits, the canonical text form. */
export function isFingerprintHex(x: unknown): x is string {
  return typeof x === 'string' && FINGERPRINT_HEX_RE.test(x);
}

/** The form people are shown: 16 groups of 4 hex digits separated by single spaces. */
export function formatFingerprint(hex: string): string {
  if (typeof hex !== 'string') throw new TypeError('formatFingerprint: hex must be a string');
  if (!FINGERPRINT_HEX_RE.test(hex)) throw new RangeError('formatFingerprint: hex must be 64 lowercase hex digits');
  const groups: string[] = [];
  for (let i = 0; i < 64; i += 4) groups.push(hex.slice(i, i + 4));
  return groups.join(' ');
}

/**
 * Reads a fingerprint a person pasted: hex digits in either case, separated anywhere by spaces,
 * tabs, CR/LF, and at most one `:` or `-` between two digits (so `5cd2 52fb …`, `5C:D2:52:…` and a
 * copy with a trailing newline all work). Returns the 64 lowercase digits, or null for anything else.
 * A linear scan rather than a regex with nested quantifiers, so a hostile paste cannot make it slow.
 */
export function parseFingerprintInput(text: string): string | null {
  if (typeof text !== 'string') throw new TypeError('parseFingerprintInput: text must be a string');
  let digits = '';
  // True after a ':' or '-' until the next digit: a punctuation mark must sit between two digits.
  let punctuationPending = false;
  for (const ch of text) {
    if (isHexDigit(ch)) {
      if (digits.length === 64) return null;
      digits += ch.toLowerCase();
      punctuationPending = false;
    } else if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') {
      continue;
    } else if (ch === ':' || ch === '-') {
      if (digits.length === 0 || punctuationPending) return null;
      punctuationPending = true;
    } else {
      return null;
    }
  }
  if (punctuationPending || digits.length !== 64) return null;
  return digits;
}

function isHexDigit(ch: string): boolean {
  return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
}

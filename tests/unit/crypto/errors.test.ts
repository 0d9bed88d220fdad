/**
 * Every exported function of p256.ts, aes-gcm.ts, fingerprint.ts and safety-number.ts fed wrong
 * types, lengths and contents (in the manner of noble-hashes test/errors.test.ts): each must throw
 * a TypeError or RangeError that names the offending argument, or an InvalidPointError for a bad
 * public key, and never some incidental error from deeper down. Also: aesGcmDecrypt returns null
 * for any tampered byte, and the DH functions throw nothing but InvalidPointError on random input.
 */
import { createSecretKey, generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as aesGcm from '../../../src/core/crypto/aes-gcm.ts';
import { concatBytes, fromHex, toHex } from '../../../src/core/crypto/bytes.ts';
import * as fingerprintModule from '../../../src/core/crypto/fingerprint.ts';
import * as p256 from '../../../src/core/crypto/p256.ts';
import * as safety from '../../../src/core/crypto/safety-number.ts';

const { InvalidPointError } = p256;

type Kind = 'privateKey' | 'publicKey33' | 'publicKeySec1' | 'publicKey65' | 'bytes32' | 'bytes' | 'iv' | 'aesKey' | 'bigint' | 'fpHex' | 'text';
type Arg = { readonly name: string; readonly kind: Kind };
type Spec = { readonly args: readonly Arg[] };

// One valid key pair and fingerprint to build valid arguments from.
const PAIR = p256.generateKeyPair();
const PUB65 = p256.uncompressPublicKey(PAIR.publicKey);
const FP = fingerprintModule.fingerprint(PAIR.publicKey);
const AES_KEY = aesGcm.importAesKey(new Uint8Array(32).fill(7));
const N = fromHex('ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551'); // the P-256 group order
const P = fromHex('ffffffff00000001000000000000000000000000ffffffffffffffffffffffff'); // the field prime

function validValue(kind: Kind): unknown {
  switch (kind) {
    case 'privateKey':
      return PAIR.privateKey;
    case 'publicKey33':
    case 'publicKeySec1':
      return PAIR.publicKey;
    case 'publicKey65':
      return PUB65;
    case 'bytes32':
      return FP;
    case 'bytes':
      return Uint8Array.of(1, 2, 3);
    case 'iv':
      return aesGcm.noiseNonce(1n);
    case 'aesKey':
      return AES_KEY;
    case 'bigint':
      return 5n;
    case 'fpHex':
      return toHex(FP);
    case 'text':
      return 'hello';
  }
}

// Values of the wrong type, by class (noble-hashes style: the other classes are the wrong values).
const NOT_BYTES: readonly unknown[] = [
  undefined,
  null,
  0,
  1,
  Number.NaN,
  true,
  10n,
  Symbol.for('x'),
  () => PAIR.publicKey,
  {},
  { length: 33, constructor: { name: 'Uint8Array' } },
  [],
  Array.from(PAIR.publicKey),
  toHex(PAIR.publicKey),
  new String('abc'),
  new Uint8ClampedArray(PAIR.publicKey),
  new Int8Array(PAIR.publicKey),
  new Uint16Array(33),
  new ArrayBuffer(33),
  new DataView(new ArrayBuffer(33)),
  new Map(),
  new Set([1]),
];
const NOT_STRING: readonly unknown[] = [undefined, null, 0, 1n, true, {}, [], ['a'], FP, new String('x'), Symbol.for('s'), () => 'x'];
const NOT_BIGINT: readonly unknown[] = [undefined, null, 0, 1, 1.5, '1', true, {}, [1n], Object(1n) as unknown];
const NOT_AES_KEY: readonly unknown[] = [
  undefined,
  null,
  0,
  'key',
  {},
  { keyObject: null },
  { keyObject: 'k' },
  { keyObject: new Uint8Array(32) },
  new Uint8Array(32),
  createSecretKey(new Uint8Array(32)), // a KeyObject that was not wrapped by importAesKey
  { keyObject: generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey }, // an asymmetric KeyObject
];

function wrongTypes(kind: Kind): readonly unknown[] {
  switch (kind) {
    case 'fpHex':
    case 'text':
      return NOT_STRING;
    case 'bigint':
      return NOT_BIGINT;
    case 'aesKey':
      return NOT_AES_KEY;
    default:
      return NOT_BYTES;
  }
}

const hybrid = (pub65: Uint8Array): Uint8Array => concatBytes(Uint8Array.of(pub65[33]! & 1 ? 0x07 : 0x06), pub65.subarray(1));

/** Right type, wrong length or content: [label, value]. */
function wrongValues(kind: Kind): readonly (readonly [string, unknown])[] {
  const lengths = (valid: Uint8Array): [string, unknown][] => [
    ['empty', new Uint8Array(0)],
    ['one byte short', valid.slice(1)],
    ['one byte long', concatBytes(valid, Uint8Array.of(0))],
    ['doubled', concatBytes(valid, valid)],
  ];
  switch (kind) {
    case 'privateKey':
      return [...lengths(PAIR.privateKey), ['zero', new Uint8Array(32)], ['n', N], ['all ff', new Uint8Array(32).fill(0xff)]];
    case 'publicKey33':
    case 'publicKeySec1':
    case 'publicKey65': {
      const bad: [string, unknown][] = [
        ['all zero (33)', new Uint8Array(33)],
        ['prefix 04 at 33 bytes', concatBytes(Uint8Array.of(4), PAIR.publicKey.subarray(1))],
        ['x = p', concatBytes(Uint8Array.of(2), P)],
        ['x not on the curve', concatBytes(Uint8Array.of(2), new Uint8Array(32).fill(0xff))],
        ['infinity (00)', Uint8Array.of(0)],
        ['hybrid encoding', hybrid(PUB65)],
        ['uncompressed, y flipped', concatBytes(PUB65.subarray(0, 64), Uint8Array.of(PUB65[64]! ^ 1))],
        ['65 zero bytes', new Uint8Array(65)],
      ];
      const valid = kind === 'publicKey65' ? PUB65 : PAIR.publicKey;
      const extra: [string, unknown][] = kind === 'publicKey33' ? [['uncompressed form', PUB65]] : [];
      if (kind === 'publicKey65') extra.push(['compressed form', PAIR.publicKey]);
      return [...lengths(valid), ...bad, ...extra];
    }
    case 'bytes32':
      return lengths(FP);
    case 'iv':
      return lengths(aesGcm.noiseNonce(1n));
    case 'aesKey':
      return [['16-byte KeyObject', { keyObject: createSecretKey(new Uint8Array(16)) }]];
    case 'bigint':
      return [
        ['-1', -1n],
        ['2^64', 1n << 64n],
      ];
    case 'fpHex':
      return [
        ['empty', ''],
        ['63 digits', toHex(FP).slice(1)],
        ['65 digits', `${toHex(FP)}0`],
        ['uppercase', toHex(FP).toUpperCase()],
        ['grouped', fingerprintModule.formatFingerprint(toHex(FP))],
        ['non-hex', 'g'.repeat(64)],
      ];
    case 'bytes':
    case 'text':
      return []; // any length or content is allowed
  }
}

const PRIV: Arg = { name: 'privateKey', kind: 'privateKey' };
const ENC_ARGS: readonly Arg[] = [
  { name: 'key', kind: 'aesKey' },
  { name: 'iv', kind: 'iv' },
  { name: 'ad', kind: 'bytes' },
];

const MODULES: Record<string, { readonly exports: Record<string, unknown>; readonly specs: Record<string, Spec> }> = {
  'p256.ts': {
    exports: p256,
    specs: {
      generateKeyPair: { args: [] },
      publicKeyFromPrivate: { args: [PRIV] },
      dh: { args: [PRIV, { name: 'publicKey', kind: 'publicKey33' }] },
      checkPublicKey: { args: [{ name: 'publicKey', kind: 'publicKey33' }] },
      forgetKey: { args: [{ name: 'privateKey', kind: 'bytes' }] },
      ecdhSec1: { args: [PRIV, { name: 'publicKey', kind: 'publicKeySec1' }] },
      nobleEcdhSec1: { args: [PRIV, { name: 'publicKey', kind: 'publicKeySec1' }] },
      uncompressPublicKey: { args: [{ name: 'publicKey', kind: 'publicKey33' }] },
      compressPublicKey: { args: [{ name: 'publicKey', kind: 'publicKey65' }] },
    },
  },
  'aes-gcm.ts': {
    exports: aesGcm,
    specs: {
      importAesKey: { args: [{ name: 'key', kind: 'bytes32' }] },
      noiseNonce: { args: [{ name: 'n', kind: 'bigint' }] },
      aesGcmEncrypt: { args: [...ENC_ARGS, { name: 'plaintext', kind: 'bytes' }] },
      aesGcmSeal: { args: [...ENC_ARGS, { name: 'plaintext', kind: 'bytes' }] },
      // `data` is what the peer sent: a wrong length is a failed decryption (null), tested below.
      aesGcmDecrypt: { args: [...ENC_ARGS, { name: 'data', kind: 'bytes' }] },
    },
  },
  'fingerprint.ts': {
    exports: fingerprintModule,
    specs: {
      spkiDer: { args: [{ name: 'publicKey', kind: 'publicKey33' }] },
      spkiPem: { args: [{ name: 'publicKey', kind: 'publicKey33' }] },
      fingerprint: { args: [{ name: 'publicKey', kind: 'publicKey33' }] },
      fingerprintHex: { args: [{ name: 'publicKey', kind: 'publicKey33' }] },
      formatFingerprint: { args: [{ name: 'hex', kind: 'fpHex' }] },
      // Its content errors are a null result (a person's paste), tested in fingerprint.test.ts.
      parseFingerprintInput: { args: [{ name: 'text', kind: 'text' }] },
      // isFingerprintHex takes unknown and never throws: tested on its own below.
    },
  },
  'safety-number.ts': {
    exports: safety,
    specs: {
      safetyNumber: { args: [{ name: 'fpA', kind: 'bytes32' }, { name: 'fpB', kind: 'bytes32' }] },
      safetyNumberFromHex: { args: [{ name: 'fpA', kind: 'fpHex' }, { name: 'fpB', kind: 'fpHex' }] },
    },
  },
};

/** Null when `fn` threw an acceptable error for argument `argName`, else a description of what happened. */
function badOutcome(fn: () => unknown, argName: string): string | null {
  let result: unknown;
  try {
    result = fn();
  } catch (e) {
    if (e instanceof InvalidPointError) return argName === 'publicKey' ? null : `InvalidPointError for ${argName}`;
    if (e instanceof TypeError || e instanceof RangeError) {
      // Naming the argument separates our asserts from e.g. "Cannot read properties of null".
      return new RegExp(`\\b${argName}\\b`).test(e.message) ? null : `${e.name} not naming ${argName}: ${e.message}`;
    }
    return `${(e as Error)?.name}: ${(e as Error)?.message}`;
  }
  return `returned ${result instanceof Uint8Array ? toHex(result) : String(result)}`;
}

function describeValue(v: unknown): string {
  if (typeof v === 'symbol' || typeof v === 'function') return typeof v;
  if (v instanceof Uint8Array || ArrayBuffer.isView(v)) return `${v.constructor.name}(${(v as Uint8Array).length})`;
  try {
    return `${Object.prototype.toString.call(v)} ${JSON.stringify(v)?.slice(0, 40)}`;
  } catch {
    return Object.prototype.toString.call(v);
  }
}

describe('wrong types, lengths and contents', () => {
  for (const [file, { exports, specs }] of Object.entries(MODULES)) {
    it(`${file}: the table covers every exported function`, () => {
      const functions = Object.entries(exports)
        .filter(([name, v]) => typeof v === 'function' && !/^[A-Z]/.test(name)) // classes are not called
        .map(([name]) => name)
        .filter((name) => name !== 'isFingerprintHex');
      expect(functions.sort()).toEqual(Object.keys(specs).sort());
    });

    for (const [name, spec] of Object.entries(specs)) {
      it(`${file} ${name}`, () => {
        const fn = exports[name] as (...args: unknown[]) => unknown;
        const valid = spec.args.map((a) => validValue(a.kind));
        // The valid call works, so each failure below is caused by the one argument changed.
        expect(() => fn(...valid)).not.toThrow();
        const problems: string[] = [];
        let tried = 0;
        spec.args.forEach((arg, i) => {
          const cases: [string, unknown][] = [
            ...wrongTypes(arg.kind).map((v): [string, unknown] => [describeValue(v), v]),
            ...wrongValues(arg.kind).map(([label, v]): [string, unknown] => [label, v]),
          ];
          for (const [label, value] of cases) {
            const args = valid.slice();
            args[i] = value;
            tried++;
            const bad = badOutcome(() => fn(...args), arg.name);
            if (bad) problems.push(`${arg.name} = ${label}: ${bad}`);
          }
        });
        expect(problems).toEqual([]);
        expect(tried).toBeGreaterThanOrEqual(spec.args.length * 10);
      });
    }
  }

  it('generateKeyPair takes nothing and gives a 32-byte scalar and a 33-byte compressed point', () => {
    const { privateKey, publicKey } = p256.generateKeyPair();
    expect(privateKey).toHaveLength(32);
    expect(publicKey).toHaveLength(33);
    expect(toHex(p256.publicKeyFromPrivate(privateKey))).toBe(toHex(publicKey));
  });

  it('isFingerprintHex is false for every wrong value and never throws', () => {
    const wrong = [...NOT_STRING, ...wrongValues('fpHex').map(([, v]) => v), ` ${toHex(FP)}`, `${toHex(FP)}\n`];
    for (const v of wrong) expect(fingerprintModule.isFingerprintHex(v), describeValue(v)).toBe(false);
    expect(fingerprintModule.isFingerprintHex(toHex(FP))).toBe(true);
  });
});

describe('aesGcmDecrypt refuses tampering', () => {
  type Part = 'key' | 'iv' | 'ad' | 'data';
  const sealedCase = fc.record({
    key: fc.uint8Array({ minLength: 32, maxLength: 32 }),
    n: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
    ad: fc.uint8Array({ maxLength: 64 }),
    plaintext: fc.uint8Array({ maxLength: 300 }),
  });

  it('returns null when any single byte of key, nonce, ad or ciphertext||tag is changed', () => {
    fc.assert(
      fc.property(
        sealedCase,
        fc.constantFrom<Part>('key', 'iv', 'ad', 'data'),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        ({ key, n, ad, plaintext }, part, position, mask) => {
          const iv = aesGcm.noiseNonce(n);
          const sealed = aesGcm.aesGcmEncrypt(aesGcm.importAesKey(key), iv, ad, plaintext);
          const tampered = { key: key.slice(), iv: iv.slice(), ad: ad.slice(), data: sealed.slice() };
          const target = tampered[part];
          fc.pre(target.length > 0);
          target[position % target.length]! ^= mask;
          const opened = aesGcm.aesGcmDecrypt(aesGcm.importAesKey(tampered.key), tampered.iv, tampered.ad, tampered.data);
          expect(opened).toBeNull();
          // And the untouched inputs still open, so the null above is due to the tampering.
          expect(toHex(aesGcm.aesGcmDecrypt(aesGcm.importAesKey(key), iv, ad, sealed)!)).toBe(toHex(plaintext));
        },
      ),
      { seed: 42, numRuns: 1000 },
    );
  });

  it('returns null when ciphertext||tag or ad is cut or extended', () => {
    fc.assert(
      fc.property(sealedCase, fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 20 }), ({ key, n, ad, plaintext }, cut, extra) => {
        const k = aesGcm.importAesKey(key);
        const iv = aesGcm.noiseNonce(n);
        const sealed = aesGcm.aesGcmEncrypt(k, iv, ad, plaintext);
        expect(aesGcm.aesGcmDecrypt(k, iv, ad, sealed.subarray(0, cut % sealed.length))).toBeNull();
        expect(aesGcm.aesGcmDecrypt(k, iv, ad, concatBytes(sealed, extra))).toBeNull();
        expect(aesGcm.aesGcmDecrypt(k, iv, concatBytes(ad, extra), sealed)).toBeNull();
        if (ad.length > 0) expect(aesGcm.aesGcmDecrypt(k, iv, ad.subarray(0, cut % ad.length), sealed)).toBeNull();
      }),
      { seed: 42, numRuns: 300 },
    );
  });
});

describe('the DH functions throw nothing but InvalidPointError on arbitrary public-key bytes', () => {
  const onlyInvalidPoint = (fn: () => unknown): void => {
    try {
      fn();
    } catch (e) {
      expect(e).toBeInstanceOf(InvalidPointError);
    }
  };
  it('random lengths, and random 33/65-byte strings with valid prefixes', () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 70 }),
      fc.tuple(fc.constantFrom(2, 3), fc.uint8Array({ minLength: 32, maxLength: 32 })).map(([p, x]) => concatBytes(Uint8Array.of(p), x)),
      fc.uint8Array({ minLength: 64, maxLength: 64 }).map((xy) => concatBytes(Uint8Array.of(4), xy)),
    );
    fc.assert(
      fc.property(bytes, (pub) => {
        onlyInvalidPoint(() => p256.dh(PAIR.privateKey, pub));
        onlyInvalidPoint(() => p256.ecdhSec1(PAIR.privateKey, pub));
        onlyInvalidPoint(() => p256.nobleEcdhSec1(PAIR.privateKey, pub));
        onlyInvalidPoint(() => p256.uncompressPublicKey(pub));
        onlyInvalidPoint(() => p256.compressPublicKey(pub));
        onlyInvalidPoint(() => fingerprintModule.fingerprint(pub));
        // The two implementations must agree on every input, valid or not.
        const outcome = (f: () => Uint8Array): string => {
          try {
            return toHex(f());
          } catch {
            return 'rejected';
          }
        };
        expect(outcome(() => p256.ecdhSec1(PAIR.privateKey, pub))).toBe(outcome(() => p256.nobleEcdhSec1(PAIR.privateKey, pub)));
      }),
      { seed: 42, numRuns: 400 },
    );
  });
});

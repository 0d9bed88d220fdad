/**
 * Property tests (fast-check, seeded) for Noise_XX_P256_AESGCM_SHA256: altered, truncated or
 * extended handshake messages, altered transport ciphertexts, and invalid P-256 points in message 1
 * are all refused with a NoiseError, and no payload ever comes out.
 *
 * The keys are those of Parley vector 1, so every genuine message is known in advance and a
 * run is fully determined by the seed.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concatBytes, fromHex, toHex } from '../../../src/core/crypto/bytes.ts';
import { NoiseDecryptError, NoiseError, NoiseInvalidPointError, NoiseMessageError, NoiseStateError } from '../../../src/core/noise/errors.ts';
import { HandshakeState } from '../../../src/core/noise/handshake-state.ts';
import { P256_AESGCM_SHA256, PARLEY_PROLOGUE } from '../../../src/core/noise/suites.ts';
import type { KeyPair } from '../../../src/core/noise/types.ts';
import { loadVectors } from './vector-runner.ts';

const SUITE = P256_AESGCM_SHA256;
const V = loadVectors('parley/noise_xx_p256_aesgcm_sha256.json')[0]!;
const [M1, M2, M3] = V.messages.slice(0, 3).map((m) => ({ payload: fromHex(m.payload), message: fromHex(m.ciphertext) })) as [
  { payload: Uint8Array; message: Uint8Array },
  { payload: Uint8Array; message: Uint8Array },
  { payload: Uint8Array; message: Uint8Array },
];
const PARLEY_READ_1 = { maxPayloadLength: 0 } as const;

// Fresh key pairs every time: the handshake wipes its ephemeral private key when it ends.
const keyPair = (hex: string): KeyPair => {
  const privateKey = fromHex(hex);
  return { privateKey, publicKey: SUITE.dh.publicKeyFromPrivate(privateKey) };
};
const initiator = (): HandshakeState =>
  new HandshakeState({ suite: SUITE, pattern: 'XX', initiator: true, prologue: PARLEY_PROLOGUE, s: keyPair(V.init_static!), e: keyPair(V.init_ephemeral!) });
const responder = (): HandshakeState =>
  new HandshakeState({ suite: SUITE, pattern: 'XX', initiator: false, prologue: PARLEY_PROLOGUE, s: keyPair(V.resp_static!), e: keyPair(V.resp_ephemeral!) });

/** An initiator that has sent message 1, waiting for message 2. */
function initiatorAwaiting2(): HandshakeState {
  const hs = initiator();
  expect(toHex(hs.writeMessage())).toBe(toHex(M1.message));
  return hs;
}

/** A responder that has read message 1 and sent message 2, waiting for message 3. */
function responderAwaiting3(): HandshakeState {
  const hs = responder();
  hs.readMessage(M1.message, PARLEY_READ_1);
  expect(toHex(hs.writeMessage(M2.payload))).toBe(toHex(M2.message));
  return hs;
}

type Change =
  | { kind: 'flip'; index: number; mask: number }
  | { kind: 'truncate'; length: number }
  | { kind: 'extend'; extra: Uint8Array };

/** Every way to change a message of `length` bytes: any byte to any other value, cut, or grown. */
function change(length: number, kinds: readonly Change['kind'][] = ['flip', 'truncate', 'extend']): fc.Arbitrary<Change> {
  const all = {
    flip: fc.record({ kind: fc.constant('flip' as const), index: fc.nat({ max: length - 1 }), mask: fc.integer({ min: 1, max: 255 }) }),
    truncate: fc.record({ kind: fc.constant('truncate' as const), length: fc.nat({ max: length - 1 }) }),
    extend: fc.record({ kind: fc.constant('extend' as const), extra: fc.uint8Array({ minLength: 1, maxLength: 64 }) }),
  };
  return fc.oneof(...kinds.map((k) => all[k] as fc.Arbitrary<Change>));
}

function apply(message: Uint8Array, c: Change): Uint8Array {
  if (c.kind === 'truncate') return message.slice(0, c.length);
  if (c.kind === 'extend') return concatBytes(message, c.extra);
  const out = message.slice();
  out[c.index]! ^= c.mask;
  return out;
}

/** Reads and requires a NoiseError with no payload; afterwards the state refuses everything. */
function expectRefused(hs: HandshakeState, message: Uint8Array, options = {}): unknown {
  let payload: Uint8Array | undefined;
  let error: unknown;
  try {
    payload = hs.readMessage(message, options);
  } catch (e) {
    error = e;
  }
  expect(payload).toBeUndefined();
  expect(error).toBeInstanceOf(NoiseError);
  expect(hs.isComplete()).toBe(false);
  expect(() => hs.writeMessage()).toThrow(NoiseStateError);
  return error;
}

describe('XX-P256 handshake messages resist tampering', () => {
  it('the genuine messages go through (control)', () => {
    const i = initiatorAwaiting2();
    const r = responderAwaiting3();
    expect(toHex(i.readMessage(M2.message))).toBe(toHex(M2.payload));
    expect(toHex(i.writeMessage(M3.payload))).toBe(toHex(M3.message));
    expect(toHex(r.readMessage(M3.message))).toBe(toHex(M3.payload));
    expect(toHex(r.getHandshakeHash())).toBe(V.handshake_hash);
  });

  it('any change, truncation or extension of message 2 is refused by the initiator', () => {
    fc.assert(
      fc.property(change(M2.message.length), (c) => {
        expectRefused(initiatorAwaiting2(), apply(M2.message, c));
      }),
      { seed: 42, numRuns: 400 },
    );
  });

  it('any change, truncation or extension of message 3 is refused by the responder', () => {
    fc.assert(
      fc.property(change(M3.message.length), (c) => {
        expectRefused(responderAwaiting3(), apply(M3.message, c));
      }),
      { seed: 42, numRuns: 400 },
    );
  });

  it('a truncated or extended message 1 is refused by the responder (it must be exactly 33 bytes)', () => {
    fc.assert(
      fc.property(change(M1.message.length, ['truncate', 'extend']), (c) => {
        expect(expectRefused(responder(), apply(M1.message, c), PARLEY_READ_1)).toBeInstanceOf(NoiseMessageError);
      }),
      { seed: 42, numRuns: 200 },
    );
  });

  it('a changed byte in message 1 never lets the handshake complete', () => {
    fc.assert(
      fc.property(change(M1.message.length, ['flip']), (c) => {
        const r = responder();
        let m2: Uint8Array;
        try {
          r.readMessage(apply(M1.message, c), PARLEY_READ_1);
          m2 = r.writeMessage(M2.payload);
        } catch (e) {
          // Not a point: refused on receipt.
          expect(e).toBeInstanceOf(NoiseInvalidPointError);
          return;
        }
        // Another valid point: the initiator's transcript differs, so message 2 does not decrypt.
        expect(expectRefused(initiatorAwaiting2(), m2)).toBeInstanceOf(NoiseDecryptError);
      }),
      { seed: 42, numRuns: 200 },
    );
  });
});

describe('XX-P256 transport messages resist tampering', () => {
  it('any change, truncation or extension of a ciphertext is refused, and the nonce does not move', () => {
    const i = initiatorAwaiting2();
    const r = responderAwaiting3();
    i.readMessage(M2.message);
    r.readMessage(i.writeMessage(M3.payload));
    const ini = i.split();
    const res = r.split();
    const empty = new Uint8Array(0);
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.uint8Array({ maxLength: 300 }),
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.integer({ min: 1, max: 255 }),
        fc.oneof(fc.constant('flip' as const), fc.constant('truncate' as const), fc.constant('extend' as const)),
        (fromInitiator, plaintext, where, mask, kind) => {
          const [send, receive] = fromInitiator ? [ini.send, res.receive] : [res.send, ini.receive];
          const ciphertext = send.encryptWithAd(empty, plaintext);
          const c: Change =
            kind === 'flip'
              ? { kind, index: where % ciphertext.length, mask }
              : kind === 'truncate'
                ? { kind, length: where % ciphertext.length }
                : { kind, extra: new Uint8Array(1 + (where % 32)).fill(mask) };
          const nonce = receive.nonce;
          expect(() => receive.decryptWithAd(empty, apply(ciphertext, c))).toThrow(NoiseDecryptError);
          expect(receive.nonce).toBe(nonce);
          // The genuine ciphertext still decrypts afterwards: both sides stay in step.
          expect(toHex(receive.decryptWithAd(empty, ciphertext))).toBe(toHex(plaintext));
        },
      ),
      { seed: 42, numRuns: 500 },
    );
  });
});

// P-256 domain parameters (SEC 2 / FIPS 186-4), written out here so that the invalid points are
// made independently of the library under test.
const P = 2n ** 256n - 2n ** 224n + 2n ** 192n + 2n ** 96n - 1n;
const B = 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn;
const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

function modPow(base: bigint, exp: bigint, mod: bigint): bigint {
  let result = 1n;
  let b = base % mod;
  for (let e = exp; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % mod;
    b = (b * b) % mod;
  }
  return result;
}

/** True when y^2 = x^3 - 3x + b has a solution mod p (Euler's criterion). */
function xOnCurve(x: bigint): boolean {
  const rhs = (((x * x * x - 3n * x + B) % P) + P) % P;
  return rhs === 0n || modPow(rhs, (P - 1n) / 2n, P) === 1n;
}

const point = (prefix: number, x: bigint): Uint8Array => concatBytes(Uint8Array.of(prefix), fromHex(x.toString(16).padStart(64, '0')));

describe('invalid P-256 points in message 1 are refused by the responder', () => {
  const prefix = fc.constantFrom(0x02, 0x03);
  const cases = {
    'a wrong prefix': fc
      .tuple(fc.integer({ min: 0, max: 255 }).filter((b) => b !== 0x02 && b !== 0x03), fc.uint8Array({ minLength: 32, maxLength: 32 }))
      .map(([b, x]) => concatBytes(Uint8Array.of(b), x)),
    'x >= p': fc.tuple(prefix, fc.bigInt({ min: P, max: 2n ** 256n - 1n })).map(([b, x]) => point(b, x)),
    'x not on the curve': fc
      .tuple(prefix, fc.bigInt({ min: 0n, max: P - 1n }).filter((x) => !xOnCurve(x)))
      .map(([b, x]) => point(b, x)),
  };

  for (const [name, arbitrary] of Object.entries(cases)) {
    it(`${name}: NoiseInvalidPointError`, () => {
      fc.assert(
        fc.property(arbitrary, (m1) => {
          expect(m1).toHaveLength(33);
          expect(expectRefused(responder(), m1, PARLEY_READ_1)).toBeInstanceOf(NoiseInvalidPointError);
        }),
        { seed: 42, numRuns: 200 },
      );
    });
  }

  it('the edge cases: all zeros (infinity), x = p, x = p + 5 (5 is a valid x), 0xff... x', () => {
    expect(xOnCurve(5n)).toBe(true);
    for (const m1 of [new Uint8Array(33), point(0x02, P), point(0x03, P + 5n), point(0x02, 2n ** 256n - 1n), point(0x04, 5n)]) {
      expect(expectRefused(responder(), m1, PARLEY_READ_1)).toBeInstanceOf(NoiseInvalidPointError);
    }
  });

  it('a wrong length: NoiseMessageError', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 0, maxLength: 200 }).filter((b) => b.length !== 33),
        (m1) => {
          if (m1.length > 0) m1[0] = 0x02;
          expect(expectRefused(responder(), m1, PARLEY_READ_1)).toBeInstanceOf(NoiseMessageError);
        },
      ),
      { seed: 42, numRuns: 200 },
    );
    // The uncompressed form of a valid point (65 bytes) is not accepted either.
    expect(expectRefused(responder(), concatBytes(Uint8Array.of(0x04), new Uint8Array(64)), PARLEY_READ_1)).toBeInstanceOf(NoiseMessageError);
  });

  it('valid points are accepted (control: the refusals above are about the point)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: N - 1n }), (d) => {
        const pub = SUITE.dh.publicKeyFromPrivate(fromHex(d.toString(16).padStart(64, '0')));
        expect(xOnCurve(BigInt(`0x${toHex(pub.subarray(1))}`))).toBe(true);
        expect(responder().readMessage(pub, PARLEY_READ_1)).toHaveLength(0);
      }),
      { seed: 42, numRuns: 100 },
    );
  });
});

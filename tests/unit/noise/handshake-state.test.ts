/**
 * HandshakeState: round trips over every pattern with both suites, Parley's message sizes, turn
 * and state rules, construction checks, length limits, and zeroisation after split()/destroy().
 */
import { describe, expect, it } from 'vitest';
import { toHex, utf8 } from '../../../src/core/crypto/bytes.ts';
import {
  NoiseDecryptError,
  NoiseError,
  NoiseInvalidPointError,
  NoiseMessageError,
  NoiseStateError,
} from '../../../src/core/noise/errors.ts';
import { HandshakeState, MAX_MESSAGE_LENGTH, type HandshakeOptions } from '../../../src/core/noise/handshake-state.ts';
import { PATTERNS, type HandshakePattern } from '../../../src/core/noise/patterns.ts';
import { P256_AESGCM_SHA256, PARLEY_PROLOGUE, X25519_AESGCM_SHA256 } from '../../../src/core/noise/suites.ts';
import type { KeyPair, NoiseSuite } from '../../../src/core/noise/types.ts';

const EMPTY = new Uint8Array(0);
const isZero = (b: Uint8Array): boolean => b.length > 0 && b.every((x) => x === 0);

type Pair = { init: HandshakeState; resp: HandshakeState; initS: KeyPair; respS: KeyPair };

/** Both sides of a pattern, with whatever static keys and pre-knowledge the pattern needs. */
function pair(suite: NoiseSuite, pattern: HandshakePattern, extra: Partial<HandshakeOptions> = {}, respExtra: Partial<HandshakeOptions> = {}): Pair {
  const initS = suite.dh.generateKeyPair();
  const respS = suite.dh.generateKeyPair();
  const initKnowsRs = pattern.responderPreMessage.includes('s');
  const respKnowsRs = pattern.initiatorPreMessage.includes('s');
  const init = new HandshakeState({
    suite, pattern, initiator: true, prologue: PARLEY_PROLOGUE, s: initS, ...(initKnowsRs ? { rs: respS.publicKey } : {}), ...extra,
  });
  const resp = new HandshakeState({
    suite, pattern, initiator: false, prologue: PARLEY_PROLOGUE, s: respS, ...(respKnowsRs ? { rs: initS.publicKey } : {}), ...respExtra,
  });
  return { init, resp, initS, respS };
}

/** Runs every handshake message with small payloads; returns the messages written. */
function complete({ init, resp }: Pair, pattern: HandshakePattern): Uint8Array[] {
  const out: Uint8Array[] = [];
  pattern.messages.forEach((_, i) => {
    const [w, r] = i % 2 === 0 ? [init, resp] : [resp, init];
    const payload = utf8(`payload ${i}`);
    const message = w.writeMessage(payload);
    out.push(message);
    expect(toHex(r.readMessage(message))).toBe(toHex(payload));
  });
  return out;
}

describe('HandshakeState round trips', () => {
  for (const [suiteName, suite] of [['P256', P256_AESGCM_SHA256], ['25519', X25519_AESGCM_SHA256]] as const) {
    for (const pattern of Object.values(PATTERNS)) {
      it(`${pattern.name} over ${suiteName}: both sides agree, learn the statics, and talk`, () => {
        const p = pair(suite, pattern);
        complete(p, pattern);
        expect(p.init.isComplete() && p.resp.isComplete()).toBe(true);
        // The responder has a static key to show unless the pattern's second letter is N.
        const initLearns = pattern.oneWay || pattern.name[1] !== 'N';
        expect(p.init.getRemoteStatic() === null).toBe(!initLearns);
        if (initLearns) expect(toHex(p.init.getRemoteStatic()!)).toBe(toHex(p.respS.publicKey));
        const respLearns = pattern.name[0] !== 'N';
        expect(p.resp.getRemoteStatic() === null).toBe(!respLearns);
        if (respLearns) expect(toHex(p.resp.getRemoteStatic()!)).toBe(toHex(p.initS.publicKey));
        expect(toHex(p.init.getHandshakeHash())).toBe(toHex(p.resp.getHandshakeHash()));
        const i = p.init.split();
        const r = p.resp.split();
        expect(toHex(r.receive.decryptWithAd(EMPTY, i.send.encryptWithAd(EMPTY, utf8('ping'))))).toBe(toHex(utf8('ping')));
        if (!pattern.oneWay) {
          expect(toHex(i.receive.decryptWithAd(EMPTY, r.send.encryptWithAd(EMPTY, utf8('pong'))))).toBe(toHex(utf8('pong')));
        }
      });
    }
  }

  it('XX over P256 has the message sizes of PROTOCOL.md section 2', () => {
    const p = pair(P256_AESGCM_SHA256, PATTERNS.XX);
    const m1 = p.init.writeMessage();
    expect(m1).toHaveLength(33);
    expect([2, 3]).toContain(m1[0]);
    p.resp.readMessage(m1, { maxPayloadLength: 0 });
    const hello2 = utf8('{"v":1,"name":"Bob"}');
    const m2 = p.resp.writeMessage(hello2);
    expect(m2).toHaveLength(82 + hello2.length + 16);
    p.init.readMessage(m2);
    // The initiator can check the responder's key before it answers (PROTOCOL.md section 2).
    expect(p.init.isMyTurnToWrite()).toBe(true);
    expect(toHex(p.init.getRemoteStatic()!)).toBe(toHex(p.respS.publicKey));
    const hello3 = utf8('{"v":1,"name":"Alice"}');
    const m3 = p.init.writeMessage(hello3);
    expect(m3).toHaveLength(49 + hello3.length + 16);
    expect(toHex(p.resp.readMessage(m3))).toBe(toHex(hello3));
    expect(p.init.protocolName).toBe('Noise_XX_P256_AESGCM_SHA256');
  });

  it('a different prologue makes the handshake fail', () => {
    const p = pair(P256_AESGCM_SHA256, PATTERNS.XX, {}, { prologue: utf8('parley/2') });
    p.resp.readMessage(p.init.writeMessage());
    expect(() => p.init.readMessage(p.resp.writeMessage())).toThrow(NoiseDecryptError);
  });

  it('KK with a wrong rs fails at the first decryption', () => {
    const wrong = P256_AESGCM_SHA256.dh.generateKeyPair().publicKey;
    const p = pair(P256_AESGCM_SHA256, PATTERNS.KK, { rs: wrong });
    expect(() => p.resp.readMessage(p.init.writeMessage())).toThrow(NoiseDecryptError);
  });
});

describe('HandshakeState rules', () => {
  it('enforces turns and completion', () => {
    const p = pair(P256_AESGCM_SHA256, PATTERNS.XX);
    expect(() => p.resp.writeMessage()).toThrow(NoiseStateError);
    expect(() => p.init.readMessage(new Uint8Array(33))).toThrow(NoiseStateError);
    expect(() => p.init.split()).toThrow(NoiseStateError);
    complete(p, PATTERNS.XX);
    expect(() => p.init.writeMessage()).toThrow(NoiseStateError);
    expect(() => p.resp.readMessage(new Uint8Array(100))).toThrow(NoiseStateError);
    p.init.split();
    expect(() => p.init.split()).toThrow(NoiseStateError);
  });

  it('a failed read kills the handshake for good', () => {
    const p = pair(P256_AESGCM_SHA256, PATTERNS.XX);
    p.resp.readMessage(p.init.writeMessage());
    const m2 = p.resp.writeMessage(utf8('hello'));
    const bad = m2.slice();
    bad[bad.length - 1]! ^= 0x80;
    expect(() => p.init.readMessage(bad)).toThrow(NoiseDecryptError);
    // Even the genuine message is refused now, and nothing else works either.
    expect(() => p.init.readMessage(m2)).toThrow(NoiseStateError);
    expect(() => p.init.writeMessage()).toThrow(NoiseStateError);
    expect(() => p.init.getHandshakeHash()).toThrow(NoiseStateError);
    expect(() => p.init.split()).toThrow(NoiseStateError);
  });

  it('checks its construction arguments', () => {
    const suite = P256_AESGCM_SHA256;
    const s = suite.dh.generateKeyPair();
    expect(() => new HandshakeState({ suite, pattern: 'XX', initiator: true })).toThrow(/s is required/);
    expect(() => new HandshakeState({ suite, pattern: 'XX', initiator: false })).toThrow(/s is required/);
    expect(() => new HandshakeState({ suite, pattern: 'NK', initiator: true })).toThrow(/rs is required/);
    expect(() => new HandshakeState({ suite, pattern: 'KK', initiator: false, s })).toThrow(/rs is required/);
    expect(() => new HandshakeState({ suite, pattern: 'XX1', initiator: true, s })).toThrow(RangeError);
    expect(() => new HandshakeState({ suite, pattern: 'XX', initiator: 1 as unknown as boolean, s })).toThrow(TypeError);
    expect(() => new HandshakeState({ suite, pattern: 'XX', initiator: true, s, prologue: 'parley/1' as unknown as Uint8Array })).toThrow(TypeError);
    expect(() => new HandshakeState({ suite, pattern: 'XX', initiator: true, s: { privateKey: s.privateKey, publicKey: new Uint8Array(32) } })).toThrow(TypeError);
    expect(() => new HandshakeState({ suite, pattern: 'NK', initiator: true, rs: new Uint8Array(32) })).toThrow(TypeError);
    const notOnCurve = new Uint8Array(33);
    notOnCurve[0] = 0x05;
    expect(() => new HandshakeState({ suite, pattern: 'NK', initiator: true, rs: notOnCurve })).toThrow(RangeError);
    expect(() => new HandshakeState({ suite: {} as NoiseSuite, pattern: 'NN', initiator: true })).toThrow(/suite/);
    // NN needs no static key at all.
    expect(new HandshakeState({ suite, pattern: 'NN', initiator: true }).isMyTurnToWrite()).toBe(true);
  });

  it('limits messages to 65535 bytes (spec section 3)', () => {
    const p = pair(P256_AESGCM_SHA256, PATTERNS.XX);
    p.resp.readMessage(p.init.writeMessage());
    // Message 2 = 33 + 49 + payload + 16.
    const maxPayload = MAX_MESSAGE_LENGTH - 33 - 49 - 16;
    expect(() => p.resp.writeMessage(new Uint8Array(maxPayload + 1))).toThrow(RangeError);
    // A refused write leaves the state intact.
    const m2 = p.resp.writeMessage(new Uint8Array(maxPayload));
    expect(m2).toHaveLength(MAX_MESSAGE_LENGTH);
    expect(p.init.readMessage(m2)).toHaveLength(maxPayload);

    const q = pair(P256_AESGCM_SHA256, PATTERNS.XX);
    const long = new Uint8Array(MAX_MESSAGE_LENGTH + 1);
    long.set(q.init.writeMessage());
    expect(() => q.resp.readMessage(long)).toThrow(NoiseMessageError);
  });

  it('reads message 1 strictly when asked for no payload, and checks its options', () => {
    const p = pair(P256_AESGCM_SHA256, PATTERNS.XX);
    const m1 = p.init.writeMessage();
    expect(() => p.resp.readMessage(m1, { maxPayloadLength: -1 })).toThrow(RangeError);
    const longer = new Uint8Array(34);
    longer.set(m1);
    expect(() => p.resp.readMessage(longer, { maxPayloadLength: 0 })).toThrow(NoiseMessageError);
    // Plain Noise would have taken that byte as a cleartext payload.
    const q = pair(P256_AESGCM_SHA256, PATTERNS.XX);
    const m1q = q.init.writeMessage();
    const longerQ = new Uint8Array(34);
    longerQ.set(m1q);
    expect(q.resp.readMessage(longerQ)).toHaveLength(1);
  });

  it('getRemoteStatic returns a copy', () => {
    const p = pair(P256_AESGCM_SHA256, PATTERNS.XX);
    complete(p, PATTERNS.XX);
    p.init.getRemoteStatic()!.fill(0);
    expect(toHex(p.init.getRemoteStatic()!)).toBe(toHex(p.respS.publicKey));
  });

  it('all its failures are NoiseErrors or argument errors', () => {
    const p = pair(P256_AESGCM_SHA256, PATTERNS.XX);
    const bad = p.init.writeMessage();
    bad[0] = 0x04; // an uncompressed-point prefix on 33 bytes
    let err: unknown;
    try {
      p.resp.readMessage(bad);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(NoiseInvalidPointError);
    expect(err).toBeInstanceOf(NoiseError);
  });
});

describe('zeroisation', () => {
  for (const injected of [true, false]) {
    it(`split() zeroes the ephemeral private key and the chaining key (${injected ? 'injected' : 'generated'} e)`, () => {
      const suite = P256_AESGCM_SHA256;
      const initE = suite.dh.generateKeyPair();
      const respE = suite.dh.generateKeyPair();
      const p = injected ? pair(suite, PATTERNS.XX, { e: initE }, { e: respE }) : pair(suite, PATTERNS.XX);
      complete(p, PATTERNS.XX);
      const sides = [p.init, p.resp];
      const buffers = sides.map((hs) => hs.secretBuffersForTest());
      if (injected) {
        // The handshake keeps (and later wipes) the very buffers it was given.
        expect(buffers[0]!.ephemeralPrivateKey).toBe(initE.privateKey);
        expect(buffers[1]!.ephemeralPrivateKey).toBe(respE.privateKey);
      }
      for (const b of buffers) {
        expect(b.ephemeralPrivateKey).toHaveLength(32);
        expect(isZero(b.ephemeralPrivateKey!)).toBe(false);
        expect(isZero(b.chainingKey)).toBe(false);
      }
      const hash = toHex(p.init.getHandshakeHash());
      sides.forEach((hs) => hs.split());
      for (const b of buffers) {
        expect(isZero(b.ephemeralPrivateKey!)).toBe(true);
        expect(isZero(b.chainingKey)).toBe(true);
      }
      if (injected) expect(isZero(initE.privateKey) && isZero(respE.privateKey)).toBe(true);
      // The static keys belong to the caller and are left alone; the handshake hash stays readable.
      expect(isZero(p.initS.privateKey) || isZero(p.respS.privateKey)).toBe(false);
      expect(toHex(p.init.getHandshakeHash())).toBe(hash);
    });
  }

  it('destroy() in mid-handshake zeroes them too', () => {
    const p = pair(P256_AESGCM_SHA256, PATTERNS.XX);
    p.resp.readMessage(p.init.writeMessage());
    p.init.readMessage(p.resp.writeMessage());
    const b = p.init.secretBuffersForTest();
    expect(isZero(b.ephemeralPrivateKey!) || isZero(b.chainingKey)).toBe(false);
    p.init.destroy();
    expect(isZero(b.ephemeralPrivateKey!) && isZero(b.chainingKey)).toBe(true);
    expect(() => p.init.writeMessage()).toThrow(NoiseStateError);
  });
});

/**
 * Seeded property tests for the untrusted-bytes codecs: decodeTransport and parseHello never throw
 * (anything but HelloError) whatever the bytes, everything delivered is itself valid to send, and
 * encode → decode round-trips random valid messages, up to 16,000 astral code points.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { utf8 } from '../../../src/core/crypto/bytes.ts';
import { encodeHello, HelloError, isValidDisplayName, parseHello } from '../../../src/core/protocol/hello.ts';
import {
  decodeTransport,
  encodeTransport,
  MAX_PLAINTEXT_LENGTH,
  MAX_TEXT_CODE_POINTS,
  MAX_TS,
  type TransportMessage,
  type TransportVerdict,
  validateOutgoingText,
} from '../../../src/core/protocol/messages.ts';

/** A verdict is exactly one of the three shapes, and a delivered message is valid to send again unchanged. */
function checkVerdict(verdict: TransportVerdict): void {
  switch (verdict.verdict) {
    case 'deliver': {
      expect(Object.keys(verdict)).toEqual(['verdict', 'message']);
      const again = decodeTransport(encodeTransport(verdict.message));
      expect(again).toEqual(verdict);
      break;
    }
    case 'ignore':
      expect(Object.keys(verdict)).toEqual(['verdict']);
      break;
    case 'close':
      expect(Object.keys(verdict)).toEqual(['verdict', 'reason']);
      expect(typeof verdict.reason).toBe('string');
      expect(verdict.reason.length).toBeGreaterThan(0);
      break;
    default:
      throw new Error(`not a verdict: ${JSON.stringify(verdict)}`);
  }
}

/** parseHello either returns a valid hello or throws HelloError; nothing else. */
function checkHello(bytes: Uint8Array): void {
  try {
    const hello = parseHello(bytes);
    expect(hello.v).toBe(1);
    expect(isValidDisplayName(hello.name)).toBe(true);
    expect(parseHello(encodeHello(hello.name))).toEqual(hello);
  } catch (error) {
    expect(error).toBeInstanceOf(HelloError);
  }
}

const idArb = fc.oneof(fc.uuid(), fc.uuid({ version: 4 }));
const tsArb = fc.oneof(fc.constantFrom(0, 1, MAX_TS, 1700000000000), fc.maxSafeNat());
/** Code points that exercise the encoder: astral, escapes JSON must write, C1, BOM, TAB, LF. */
const POOL = ['🦜', '😀', '𝄞', 'a', 'é', '中', '\t', '\n', '"', '\\', '/', '\u0085', '\ufeff', '\u2028', ' '];
const shortTextArb = fc
  .oneof(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 200 }), fc.string({ unit: 'binary', minLength: 1, maxLength: 200 }))
  .filter((t) => validateOutgoingText(t) === 'ok');
/** Texts of exactly n code points, n close to the limit. */
const longTextArb = fc
  .tuple(fc.integer({ min: MAX_TEXT_CODE_POINTS - 50, max: MAX_TEXT_CODE_POINTS }), fc.array(fc.constantFrom(...POOL), { minLength: 1, maxLength: 40 }))
  .map(([n, pattern]) => Array.from({ length: n }, (_, i) => pattern[i % pattern.length]).join(''));
const messageArb: fc.Arbitrary<TransportMessage> = fc.oneof(
  fc.record({ type: fc.constant('msg' as const), id: idArb, ts: tsArb, text: shortTextArb }),
  fc.record({ type: fc.constant('msg' as const), id: idArb, ts: tsArb, text: longTextArb }),
  fc.record({ type: fc.constant('ack' as const), id: idArb }),
  fc.constantFrom({ type: 'ping' as const }, { type: 'pong' as const }),
);

/** Random edits of a byte string: replace, insert or delete bytes. */
const mutationsArb = fc.array(
  fc.tuple(fc.constantFrom('set', 'insert', 'delete'), fc.nat(), fc.nat(255)),
  { minLength: 1, maxLength: 6 },
);
function mutate(bytes: Uint8Array, edits: readonly [string, number, number][]): Uint8Array {
  const out = [...bytes];
  for (const [op, at, value] of edits) {
    const i = out.length === 0 ? 0 : at % out.length;
    if (op === 'set' && out.length > 0) out[i] = value;
    else if (op === 'insert') out.splice(i, 0, value);
    else if (op === 'delete') out.splice(i, 1);
  }
  return new Uint8Array(out);
}

/** JSON objects shaped like transport messages and hellos, with members of every type. */
const anyValueArb = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom(1.5, -1, 2 ** 53, -0, 1e308), idArb, shortTextArb);
const messageLikeArb = fc
  .record(
    {
      type: fc.oneof(fc.constantFrom('msg', 'ack', 'ping', 'pong', 'x-future', ''), anyValueArb),
      id: fc.oneof(idArb, anyValueArb),
      ts: fc.oneof(tsArb, anyValueArb),
      text: fc.oneof(shortTextArb, anyValueArb),
      v: fc.oneof(fc.constant(1), anyValueArb),
      name: fc.oneof(fc.string({ maxLength: 70 }), anyValueArb),
    },
    { requiredKeys: [] },
  )
  .map((o) => JSON.stringify(o));

describe('decodeTransport and parseHello never throw', () => {
  it('on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        checkVerdict(decodeTransport(bytes));
        checkHello(bytes);
      }),
      { seed: 42, numRuns: 3000 },
    );
  });

  it('on random JSON values', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const bytes = utf8(JSON.stringify(value) ?? 'null');
        checkVerdict(decodeTransport(bytes));
        checkHello(bytes);
      }),
      { seed: 42, numRuns: 2000 },
    );
  });

  it('on random objects shaped like messages', () => {
    fc.assert(
      fc.property(messageLikeArb, (text) => {
        const bytes = utf8(text);
        checkVerdict(decodeTransport(bytes));
        checkHello(bytes);
      }),
      { seed: 42, numRuns: 3000 },
    );
  });

  it('on mutated valid messages and hellos', () => {
    const validArb = fc.oneof(
      messageArb.map((m) => encodeTransport(m)),
      fc.string({ maxLength: 64 }).filter(isValidDisplayName).map((n) => encodeHello(n)),
    );
    fc.assert(
      fc.property(validArb, mutationsArb, (bytes, edits) => {
        const mutated = mutate(bytes, edits);
        checkVerdict(decodeTransport(mutated));
        checkHello(mutated);
      }),
      { seed: 42, numRuns: 2000 },
    );
  });
});

describe('encode → decode round-trips', () => {
  it('random valid messages, texts up to 16,000 code points', () => {
    fc.assert(
      fc.property(messageArb, (m) => {
        const bytes = encodeTransport(m);
        expect(bytes.length).toBeLessThanOrEqual(MAX_PLAINTEXT_LENGTH);
        expect(decodeTransport(bytes)).toEqual({ verdict: 'deliver', message: m });
      }),
      { seed: 42, numRuns: 400 },
    );
  });

  it('one code point too many is refused by both ends', () => {
    fc.assert(
      fc.property(longTextArb, idArb, (text, id) => {
        const over = `${text}${'🦜'.repeat(MAX_TEXT_CODE_POINTS + 1 - [...text].length)}`;
        expect(() => encodeTransport({ type: 'msg', id, ts: 1, text: over })).toThrow(RangeError);
        const wire = utf8(JSON.stringify({ type: 'msg', id, ts: 1, text: over }));
        expect(decodeTransport(wire)).toMatchObject({ verdict: 'close' });
      }),
      { seed: 42, numRuns: 50 },
    );
  });

  it('random valid hellos', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ unit: 'grapheme', maxLength: 64 }), fc.string({ unit: 'binary', maxLength: 64 })).filter(isValidDisplayName),
        (name) => {
          expect(parseHello(encodeHello(name))).toEqual({ v: 1, name, features: [], dht: null, invite: null });
        },
      ),
      { seed: 42, numRuns: 1000 },
    );
  });
});

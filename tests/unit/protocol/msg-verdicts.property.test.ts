/**
 * decodeTransport reads a valid msg or ack without valibot and leaves everything else to the
 * schemas (which give the reason). Both paths must give the verdict the rules of PROTOCOL.md
 * section 4 give: this property test builds msgs and acks member by member, valid or not in every
 * way, and holds decodeTransport to a verdict computed here from the rules.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { utf8 } from '../../../src/core/crypto/bytes.ts';
import { decodeTransport, MAX_TEXT_CODE_POINTS, MAX_TS, validateOutgoingText } from '../../../src/core/protocol/messages.ts';

const ID = '0b8f3c1e-5a2d-4c6b-9e7f-1a2b3c4d5e6f';
const ABSENT = Symbol('absent');

const idArb = fc.oneof(fc.uuid(), fc.constantFrom<unknown>(ID, ID.toUpperCase(), `${ID}\n`, ID.slice(1), '', 5, null, true, [ID], { id: ID }));
const tsArb = fc.oneof(fc.maxSafeNat(), fc.constantFrom<unknown>(0, MAX_TS, -1, 1.5, 2 ** 53, 1e300, '1', null, [1], {}));
const textArb = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.constantFrom<unknown>('', 'a\tb\nc\u0085', 'a\rb', '\u007f', '"\\', 5, null, ['x']),
  // Long texts, whose plaintexts take the byte search that may spare the control-character scan.
  fc.constantFrom<unknown>('🦜'.repeat(MAX_TEXT_CODE_POINTS), '🦜'.repeat(MAX_TEXT_CODE_POINTS + 1), `${'x'.repeat(9000)}\u0001`, `${'語'.repeat(9000)}\t\\"`, `\u007f${'é'.repeat(9000)}`),
);
const refArb = fc.oneof(fc.constant<unknown>(ABSENT), fc.uuid(), fc.constantFrom<unknown>(null, '', ID.toUpperCase(), 42));
const memberOf = <T>(arb: fc.Arbitrary<T>) => fc.oneof({ weight: 1, arbitrary: fc.constant<unknown>(ABSENT) }, { weight: 6, arbitrary: arb });

const isId = (x: unknown): x is string => typeof x === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(x);
const isTs = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= MAX_TS;

describe('decodeTransport: the verdicts of the rules, valid or not', () => {
  it('msg', () => {
    fc.assert(
      fc.property(memberOf(idArb), memberOf(tsArb), memberOf(textArb), refArb, refArb, fc.boolean(), (id, ts, text, reply, react, extra) => {
        const members = { id, ts, text, reply, react, ...(extra ? { x: { y: [1, '\\u0001'] } } : {}) };
        const present = Object.fromEntries(Object.entries(members).filter(([, value]) => value !== ABSENT));
        const verdict = decodeTransport(utf8(JSON.stringify({ type: 'msg', ...present })));
        const refOk = (r: unknown) => r === ABSENT || isId(r);
        const valid = isId(id) && isTs(ts) && typeof text === 'string' && validateOutgoingText(text) === 'ok' && refOk(reply) && refOk(react);
        if (!valid) {
          expect(verdict).toMatchObject({ verdict: 'close', reason: expect.stringMatching(/^invalid msg: /) as unknown });
          return;
        }
        const refs = { ...(reply !== ABSENT ? { reply } : {}), ...(react !== ABSENT ? { react } : {}) };
        expect(verdict).toEqual({ verdict: 'deliver', message: { type: 'msg', id, ts, text, ...refs } });
      }),
      { seed: 16, numRuns: 1500 },
    );
  });

  it('ack', () => {
    fc.assert(
      fc.property(memberOf(idArb), (id) => {
        const verdict = decodeTransport(utf8(JSON.stringify({ type: 'ack', ...(id !== ABSENT ? { id } : {}), n: 1 })));
        if (isId(id)) expect(verdict).toEqual({ verdict: 'deliver', message: { type: 'ack', id } });
        else expect(verdict).toMatchObject({ verdict: 'close', reason: expect.stringMatching(/^invalid ack: /) as unknown });
      }),
      { seed: 17, numRuns: 300 },
    );
  });
});

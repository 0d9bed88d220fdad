/**
 * encodeMsgJson builds a msg's JSON without JSON.stringify when the text needs no escape; its
 * bytes must be exactly utf8(JSON.stringify(wire)) for every text a sender may send, escapes,
 * astral characters, U+2028/U+2029 and the optional members included.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { utf8 } from '../../../src/core/crypto/bytes.ts';
import { encodeTransport, validateOutgoingText, withEncodedTransport, type MsgMessage } from '../../../src/core/protocol/messages.ts';
import { encodeMsgJson, withMsgJson } from '../../../src/core/protocol/msg-json.ts';

const ID = '0b7e1c52-6d7f-4d8e-9a51-3f0c2b1a9e77';
const OTHER = '9f1d2c3b-4a5e-4f60-8172-8394a5b6c7d8';

const textArb = fc
  .oneof(
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 300 }),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 300 }),
    fc.constantFrom('"', '\\', '\t', '\n', '\u2028\u2029', 'é'.repeat(1023), '🦜'.repeat(511) + 'x', '🦜'.repeat(512), '🦜'.repeat(16_000), 'x'.repeat(16_000), 'é'.repeat(16_000), 'a"b', 'end'),
  )
  .filter((t) => validateOutgoingText(t) === 'ok');

const msgArb = fc.record(
  {
    text: textArb,
    ts: fc.oneof(fc.constant(0), fc.constant(Number.MAX_SAFE_INTEGER), fc.nat()),
    reply: fc.constant(OTHER),
    react: fc.constant(OTHER),
  },
  { requiredKeys: ['text', 'ts'] },
);

describe('encodeMsgJson', () => {
  it('gives the bytes of utf8(JSON.stringify(wire)) for any sendable text, alone and through encodeTransport', () => {
    fc.assert(
      fc.property(msgArb, (r) => {
        const wire: MsgMessage = { type: 'msg', id: ID, ts: r.ts, text: r.text, ...(r.reply ? { reply: r.reply } : {}), ...(r.react ? { react: r.react } : {}) };
        const expected = Buffer.from(utf8(JSON.stringify(wire)));
        expect(Buffer.from(encodeMsgJson(wire)).equals(expected)).toBe(true);
        // encodeTransport tells the encoder whether the text needs an escape from its own single scan.
        expect(Buffer.from(encodeTransport(wire)).equals(expected)).toBe(true);
        expect(withEncodedTransport(wire, (bytes) => Buffer.from(bytes).equals(expected))).toBe(true);
      }),
      { seed: 7, numRuns: 2000 },
    );
  });

  it('returns its own bytes: a later call does not change an earlier result', () => {
    const first = encodeMsgJson({ type: 'msg', id: ID, ts: 1, text: 'first text' });
    const copy = first.slice();
    encodeMsgJson({ type: 'msg', id: ID, ts: 2, text: 'a second, longer text that overwrites the shared buffer' });
    expect(first).toEqual(copy);
  });

  it('lends the same bytes to withMsgJson, zeroes them after the call and gives a nested call its own', () => {
    const wire: MsgMessage = { type: 'msg', id: ID, ts: 3, text: '🦜'.repeat(2000) };
    const expected = encodeMsgJson(wire);
    const seen: { lent?: Uint8Array; nested?: Uint8Array } = {};
    withMsgJson(wire, (bytes) => {
      expect(bytes).toEqual(expected);
      seen.lent = bytes;
      seen.nested = withMsgJson({ ...wire, ts: 4 }, (inner) => {
        expect(inner.buffer).not.toBe(bytes.buffer);
        return inner;
      });
    });
    expect(seen.lent?.length).toBe(expected.length);
    expect(seen.lent?.every((b) => b === 0)).toBe(true);
    expect(new TextDecoder().decode(seen.nested)).toBe(JSON.stringify({ ...wire, ts: 4 }));
  });
});

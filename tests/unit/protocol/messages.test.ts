/**
 * Transport messages (PROTOCOL.md section 4): one unit case for each reason to close, the ignore
 * rule, the outgoing-text check, and encodeTransport refusing what a receiver would refuse.
 */
import { describe, expect, it } from 'vitest';
import { utf8 } from '../../../src/core/crypto/bytes.ts';
import {
  decodeTransport,
  encodeTransport,
  MAX_TEXT_CODE_POINTS,
  MAX_TS,
  type TransportMessage,
  validateOutgoingText,
} from '../../../src/core/protocol/messages.ts';

const ID = '0b8f3c1e-5a2d-4c6b-9e7f-1a2b3c4d5e6f';
const decode = (text: string) => decodeTransport(utf8(text));
const msg = (members: Record<string, unknown>) => JSON.stringify({ type: 'msg', id: ID, ts: 1700000000000, text: 'hello', ...members });

function expectClose(text: string, reason: RegExp): void {
  const verdict = decode(text);
  expect(verdict.verdict, text).toBe('close');
  if (verdict.verdict === 'close') expect(verdict.reason).toMatch(reason);
}

describe('decodeTransport: each reason to close', () => {
  it('an invalid JSON text (not UTF-8, a BOM, not JSON, an unpaired surrogate)', () => {
    expect(decodeTransport(new Uint8Array([0x7b, 0xc3, 0x28, 0x7d]))).toMatchObject({ verdict: 'close', reason: 'invalid UTF-8' });
    expect(decodeTransport(new Uint8Array([0xef, 0xbb, 0xbf, ...utf8('{"type":"ping"}')]))).toMatchObject({ verdict: 'close' });
    expectClose('{"type":"ping"', /not a JSON text/);
    expectClose('', /not a JSON text/);
    expectClose('{"type":"ping","x":"\\udc00"}', /surrogate/);
  });

  it('a plaintext that is not a JSON object', () => {
    for (const text of ['[{"type":"ping"}]', '"ping"', '42', 'null', 'true']) expectClose(text, /not a JSON object/);
  });

  it('an object without a string type', () => {
    for (const text of ['{}', '{"type":5}', '{"type":null}', '{"type":["msg"]}', '{"type":{"x":1}}', '{"Type":"ping"}']) {
      expectClose(text, /no string member "type"/);
    }
  });

  it('a known type with a missing member', () => {
    expectClose(JSON.stringify({ type: 'msg', ts: 1, text: 'a' }), /invalid msg: member id is missing/);
    expectClose(JSON.stringify({ type: 'msg', id: ID, text: 'a' }), /invalid msg: member ts is missing/);
    expectClose(JSON.stringify({ type: 'msg', id: ID, ts: 1 }), /invalid msg: member text is missing/);
    expectClose('{"type":"ack"}', /invalid ack: member id is missing/);
  });

  it('a known type with a wrongly typed member', () => {
    for (const id of [7, null, true, [ID], { id: ID }]) expectClose(msg({ id }), /invalid msg: id is not a string/);
    for (const ts of ['1700000000000', null, true, [1], {}]) expectClose(msg({ ts }), /invalid msg: ts is not an integer/);
    for (const text of [5, null, ['hello'], {}]) expectClose(msg({ text }), /invalid msg: text is not a string/);
    expectClose('{"type":"ack","id":7}', /invalid ack: id is not a string/);
  });

  it('a member out of bounds: id', () => {
    const bad = [
      ID.toUpperCase(),
      ID.replaceAll('-', ''),
      `{${ID}}`,
      ID.slice(0, 35),
      `${ID} `,
      `${ID}\n`, // `$` must not match before a final LF
      `\n${ID}`,
      `${ID.slice(0, 8)}_${ID.slice(9)}`,
      `${ID.slice(0, 35)}g`,
      '',
    ];
    for (const id of bad) {
      expectClose(msg({ id }), /invalid msg: id is not a 36-character lowercase UUID/);
      expectClose(JSON.stringify({ type: 'ack', id }), /invalid ack: id is not a 36-character lowercase UUID/);
    }
  });

  it('a member out of bounds: ts', () => {
    for (const ts of ['-1', '-1.0', '1.5', '1.5e0', '9007199254740992', '9.007199254740992e15', '1e400', '1e-400', '1700000000000.0000001']) {
      expectClose(`{"type":"msg","id":"${ID}","ts":${ts},"text":"x"}`, /invalid msg: ts is not an integer from 0 to 2\^53 - 1/);
    }
  });

  it('a member out of bounds: text', () => {
    const tooLong = [msg({ text: 'a'.repeat(MAX_TEXT_CODE_POINTS + 1) }), msg({ text: '🦜'.repeat(MAX_TEXT_CODE_POINTS + 1) })];
    for (const text of [msg({ text: '' }), ...tooLong]) expectClose(text, /invalid msg: text is empty, over 16000 code points/);
    for (const c of ['\u0000', '\u0001', '\b', '\r', '\u000b', '\u000c', '\u001b', '\u001f', '\u007f']) {
      expectClose(msg({ text: `a${c}b` }), /holds a control character/);
      // Long plaintexts take another path (a byte search may spare the scan): a control character still closes.
      for (const long of ['🦜'.repeat(8000), 'x'.repeat(15_000)]) {
        expectClose(msg({ text: `${long}${c}b` }), /holds a control character/);
        expectClose(msg({ text: `${c}${long}` }), /holds a control character/);
      }
    }
    // An escaped backslash or a DEL elsewhere in a long plaintext leaves the text checked as usual.
    expectClose(msg({ text: `${'🦜'.repeat(8000)}\u0001`, x: 'a\\b' }), /holds a control character/);
    expect(decode(msg({ text: '🦜'.repeat(8000), x: '\u007f\\' }))).toMatchObject({ verdict: 'deliver' });
  });
});

describe('decodeTransport: deliver and ignore', () => {
  it('delivers each known type with only its own members', () => {
    expect(decode(msg({ extra: { a: 1 } }))).toEqual({ verdict: 'deliver', message: { type: 'msg', id: ID, ts: 1700000000000, text: 'hello' } });
    expect(decode(`{"type":"ack","id":"${ID}","x":1}`)).toEqual({ verdict: 'deliver', message: { type: 'ack', id: ID } });
    expect(decode('{"type":"ping","id":5,"text":null}')).toEqual({ verdict: 'deliver', message: { type: 'ping' } });
    expect(decode('{"type":"pong"}')).toEqual({ verdict: 'deliver', message: { type: 'pong' } });
  });

  it('delivers the limits: 16,000 astral code points, TAB and LF, C1, ts 0 and 2^53 - 1, -0 as 0', () => {
    const big = '🦜'.repeat(MAX_TEXT_CODE_POINTS);
    expect(decode(msg({ text: big }))).toMatchObject({ verdict: 'deliver', message: { text: big } });
    expect(decode(msg({ text: 'a\tb\nc\u0085' }))).toMatchObject({ verdict: 'deliver' });
    const longTabs = `${'🦜'.repeat(8000)}\t${'x'.repeat(7000)}\n\u0085\\"`;
    expect(decode(msg({ text: longTabs }))).toMatchObject({ verdict: 'deliver', message: { text: longTabs } });
    expect(decode(msg({ ts: 0 }))).toMatchObject({ verdict: 'deliver', message: { ts: 0 } });
    expect(decode(msg({ ts: MAX_TS }))).toMatchObject({ verdict: 'deliver', message: { ts: MAX_TS } });
    const negZero = decode(`{"type":"msg","id":"${ID}","ts":-0,"text":"x"}`);
    expect(negZero.verdict === 'deliver' && negZero.message.type === 'msg' && Object.is(negZero.message.ts, 0)).toBe(true);
  });

  it('ignores an object whose string type it does not know, whatever its members', () => {
    for (const type of ['typing', 'MSG', '', 'x-future', '__proto__', 'constructor', 'toString']) {
      expect(decode(JSON.stringify({ type, id: 'NOT-A-UUID', text: 5 }))).toEqual({ verdict: 'ignore' });
    }
  });
});

describe('validateOutgoingText', () => {
  it('classifies texts at the input edge', () => {
    expect(validateOutgoingText('hello')).toBe('ok');
    expect(validateOutgoingText('a\tb\nc')).toBe('ok');
    expect(validateOutgoingText('🦜'.repeat(MAX_TEXT_CODE_POINTS))).toBe('ok');
    expect(validateOutgoingText('')).toBe('empty');
    expect(validateOutgoingText('a'.repeat(MAX_TEXT_CODE_POINTS + 1))).toBe('too-long');
    expect(validateOutgoingText('🦜'.repeat(MAX_TEXT_CODE_POINTS + 1))).toBe('too-long');
    expect(validateOutgoingText('a\r\nb')).toBe('control-char');
    expect(validateOutgoingText('\u007f')).toBe('control-char');
    expect(validateOutgoingText('a\ud800b')).toBe('invalid-unicode');
    expect(() => validateOutgoingText(5 as unknown as string)).toThrow(TypeError);
  });
});

describe('encodeTransport', () => {
  it('writes compact JSON with a fixed member order and no stray members', () => {
    const m = { text: 'Grüße 🦜', ts: 5, id: ID, type: 'msg', secret: 'x' } as unknown as TransportMessage;
    expect(new TextDecoder().decode(encodeTransport(m))).toBe(`{"type":"msg","id":"${ID}","ts":5,"text":"Grüße 🦜"}`);
    expect(new TextDecoder().decode(encodeTransport({ type: 'ping' }))).toBe('{"type":"ping"}');
    expect(new TextDecoder().decode(encodeTransport({ type: 'msg', id: ID, ts: -0, text: 'x' }))).toContain('"ts":0,');
  });

  it('refuses to send what a receiver would refuse', () => {
    const ok = { type: 'msg', id: ID, ts: 1, text: 'hi' } as const;
    const bad: [unknown, ErrorConstructor | RangeErrorConstructor | TypeErrorConstructor][] = [
      [{ ...ok, id: ID.toUpperCase() }, RangeError],
      [{ ...ok, id: `${ID}\n` }, RangeError],
      [{ ...ok, id: 5 }, TypeError],
      [{ ...ok, ts: -1 }, RangeError],
      [{ ...ok, ts: 1.5 }, RangeError],
      [{ ...ok, ts: 2 ** 53 }, RangeError],
      [{ ...ok, ts: '1' }, TypeError],
      [{ ...ok, text: '' }, RangeError],
      [{ ...ok, text: 'a\rb' }, RangeError],
      [{ ...ok, text: '\ud800' }, RangeError],
      [{ ...ok, text: 'a'.repeat(MAX_TEXT_CODE_POINTS + 1) }, RangeError],
      [{ ...ok, text: 7 }, TypeError],
      [{ type: 'ack', id: 'x' }, RangeError],
      [{ type: 'typing' }, TypeError],
      [null, TypeError],
      ['{"type":"ping"}', TypeError],
    ];
    for (const [m, errorType] of bad) expect(() => encodeTransport(m as TransportMessage), JSON.stringify(m)).toThrow(errorType);
  });

  it('the largest msg fits in one frame', () => {
    const bytes = encodeTransport({ type: 'msg', id: ID, ts: MAX_TS, text: '🦜'.repeat(MAX_TEXT_CODE_POINTS) });
    expect(bytes.length).toBeLessThanOrEqual(65519);
    // The worst case for escapes: 16,000 characters that JSON writes as two bytes each.
    expect(encodeTransport({ type: 'msg', id: ID, ts: MAX_TS, text: '"\\\t\n'.repeat(4000) }).length).toBeLessThan(65519);
  });
});

describe('extensions: reach and chunks (PROTOCOL.md sections 8, 9)', () => {
  const key = 'cd'.repeat(32);

  it('delivers reach with a key or null, and closes on any other form', () => {
    expect(decode(`{"type":"reach","dht":"${key}"}`)).toEqual({ verdict: 'deliver', message: { type: 'reach', dht: key } });
    expect(decode('{"type":"reach","dht":null,"x":1}')).toEqual({ verdict: 'deliver', message: { type: 'reach', dht: null } });
    for (const bad of ['{"type":"reach"}', '{"type":"reach","dht":""}', `{"type":"reach","dht":"${key.toUpperCase()}"}`, '{"type":"reach","dht":7}', `{"type":"reach","dht":["${key}"]}`]) {
      expectClose(bad, /invalid reach/);
    }
    expect(new TextDecoder().decode(encodeTransport({ type: 'reach', dht: null }))).toBe('{"type":"reach","dht":null}');
    expect(() => encodeTransport({ type: 'reach', dht: 'nope' })).toThrow(RangeError);
  });

  it('a plaintext starting with 0x00 is a chunk only where files was negotiated; elsewhere it closes', () => {
    const chunk = new Uint8Array([0x00, 1, 2, 3]);
    expect(decodeTransport(chunk, { files: true })).toEqual({ verdict: 'chunk', plaintext: chunk });
    expect(decodeTransport(chunk).verdict).toBe('close');
    expect(decodeTransport(chunk, { files: false }).verdict).toBe('close');
    expect(decodeTransport(utf8('{"type":"ping"}'), { files: true })).toEqual({ verdict: 'deliver', message: { type: 'ping' } });
  });

  it('file* messages: decoded where files was negotiated (a malformed one closes), ignored like unknown types elsewhere', () => {
    const id = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';
    const offer = utf8(JSON.stringify({ type: 'file', id, ts: 5, name: 'a.txt', size: 3, sha256: 'a'.repeat(64) }));
    expect(decodeTransport(offer, { files: true })).toEqual({ verdict: 'file', message: { type: 'file', id, ts: 5, name: 'a.txt', size: 3, sha256: 'a'.repeat(64) } });
    expect(decodeTransport(offer, { files: false })).toEqual({ verdict: 'ignore' });
    const bad = [
      { type: 'file', id, ts: 5, name: 'a/b', size: 3, sha256: 'a'.repeat(64) },
      { type: 'file-accept', id, offset: -1 },
      { type: 'file-accept', id },
      { type: 'file-cancel', id, reason: '' },
      { type: 'file-done', id: id.toUpperCase() },
    ];
    for (const m of bad) {
      expect(decodeTransport(utf8(JSON.stringify(m)), { files: true }).verdict, JSON.stringify(m)).toBe('close');
      expect(decodeTransport(utf8(JSON.stringify(m)), { files: false }), JSON.stringify(m)).toEqual({ verdict: 'ignore' });
    }
    expect(decodeTransport(utf8(`{"type":"file-done","id":"${id}"}`), { files: true })).toEqual({ verdict: 'file', message: { type: 'file-done', id } });
  });
});

describe('extension: replies and reactions (msg members reply and react)', () => {
  const OTHER = '11111111-2222-4333-8444-555555555555';

  it('delivers reply and react when present, nothing extra when absent', () => {
    expect(decode(msg({ reply: OTHER }))).toEqual({ verdict: 'deliver', message: { type: 'msg', id: ID, ts: 1700000000000, text: 'hello', reply: OTHER } });
    expect(decode(msg({ react: OTHER, text: '👍' }))).toEqual({ verdict: 'deliver', message: { type: 'msg', id: ID, ts: 1700000000000, text: '👍', react: OTHER } });
    const plain = decode(msg({}));
    expect(plain.verdict === 'deliver' && Object.keys(plain.message)).toEqual(['type', 'id', 'ts', 'text']);
  });

  it('closes on a present member of the wrong form, null included', () => {
    for (const bad of [null, '', 42, ID.toUpperCase(), `${OTHER} `, [OTHER], { id: OTHER }]) {
      expectClose(msg({ reply: bad }), /invalid msg/);
      expectClose(msg({ react: bad }), /invalid msg/);
    }
  });

  it('encodes them after text, and refuses a malformed id', () => {
    const wire = new TextDecoder().decode(encodeTransport({ type: 'msg', id: ID, ts: 1, text: 'hi', reply: OTHER }));
    expect(wire).toBe(`{"type":"msg","id":"${ID}","ts":1,"text":"hi","reply":"${OTHER}"}`);
    expect(new TextDecoder().decode(encodeTransport({ type: 'msg', id: ID, ts: 1, text: '❤', react: OTHER }))).toBe(`{"type":"msg","id":"${ID}","ts":1,"text":"❤","react":"${OTHER}"}`);
    expect(() => encodeTransport({ type: 'msg', id: ID, ts: 1, text: 'hi', reply: 'nope' })).toThrow(RangeError);
    expect(() => encodeTransport({ type: 'msg', id: ID, ts: 1, text: 'hi', react: 'nope' })).toThrow(RangeError);
  });
});

/** The files extension's codecs (PROTOCOL.md section 9): exact bounds, chunk layout, round trips, and never a throw on hostile input. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { utf8 } from '../../../src/core/crypto/bytes.ts';
import {
  CHUNK_HEADER_LENGTH,
  decodeChunk,
  decodeFileMessage,
  encodeChunkHeader,
  encodeFileMessage,
  MAX_CHUNK_DATA,
  type FileMessage,
  type FileMessageVerdict,
} from '../../../src/core/protocol/file-messages.ts';
import { parseJsonText } from '../../../src/core/protocol/json-text.ts';
import { MAX_PLAINTEXT_LENGTH } from '../../../src/core/protocol/messages.ts';

const ID = '0f8fad5b-d9cb-469f-a165-70867728950e';
const SHA = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** Parses a JSON text as the session would, then decodes it. */
function decodeText(text: string): FileMessageVerdict {
  const json = parseJsonText(utf8(text));
  if (!json.ok || typeof json.value !== 'object' || json.value === null) throw new Error('test input is not an object');
  return decodeFileMessage(json.value as Record<string, unknown>);
}

function offer(over: Record<string, unknown>): FileMessageVerdict {
  return decodeText(JSON.stringify({ type: 'file', id: ID, ts: 1, name: 'a.txt', size: 3, sha256: SHA, ...over }));
}

describe('file offers', () => {
  it('deliver a valid offer with exactly its members', () => {
    expect(offer({ extra: [1] })).toEqual({ verdict: 'deliver', message: { type: 'file', id: ID, ts: 1, name: 'a.txt', size: 3, sha256: SHA } });
  });

  it.each([
    ['name of 255 code points (astral)', { name: '🦜'.repeat(255) }],
    ['size 0', { size: 0 }],
    ['size 2^53-1', { size: Number.MAX_SAFE_INTEGER }],
    ['a C1 character and spaces in the name', { name: ' a\u0085b. ' }],
    ['name ".."', { name: '..' }],
  ])('accept %s', (_, over) => {
    expect(offer(over).verdict).toBe('deliver');
  });

  it.each([
    ['an empty name', { name: '' }],
    ['a name of 256 code points', { name: 'x'.repeat(256) }],
    ['a slash', { name: 'a/b' }],
    ['a backslash', { name: 'a\\b' }],
    ['a control character', { name: 'a\u0000b' }],
    ['DEL', { name: 'a\u007fb' }],
    ['LF', { name: 'a\nb' }],
    ['a negative size', { size: -1 }],
    ['a size of 2^53', { size: 2 ** 53 }],
    ['a fractional size', { size: 1.5 }],
    ['a string size', { size: '3' }],
    ['uppercase hex', { sha256: SHA.toUpperCase() }],
    ['63 hex digits', { sha256: SHA.slice(1) }],
    ['a missing sha256', { sha256: undefined }],
    ['an uppercase id', { id: ID.toUpperCase() }],
    ['a missing ts', { ts: undefined }],
  ])('close on %s', (_, over) => {
    expect(offer(over).verdict).toBe('close');
  });

  it('closes on an inexact integer literal and an unpaired surrogate escape never gets this far', () => {
    expect(decodeText(`{"type":"file","id":"${ID}","ts":1,"name":"a","size":1.0000000000000001,"sha256":"${SHA}"}`).verdict).toBe('close');
    expect(decodeText(`{"type":"file","id":"${ID}","ts":1,"name":"a","size":3e0,"sha256":"${SHA}"}`).verdict).toBe('deliver');
    expect(parseJsonText(utf8(`{"type":"file","name":"\\ud800"}`)).ok).toBe(false);
  });
});

describe('file-accept, file-cancel, file-done', () => {
  it('accept: offset is any size-like integer here (the engine compares it with the offer)', () => {
    expect(decodeText(`{"type":"file-accept","id":"${ID}","offset":0}`)).toEqual({ verdict: 'deliver', message: { type: 'file-accept', id: ID, offset: 0 } });
    expect(decodeText(`{"type":"file-accept","id":"${ID}","offset":-1}`).verdict).toBe('close');
    expect(decodeText(`{"type":"file-accept","id":"${ID}"}`).verdict).toBe('close');
  });

  it('cancel: a known reason as it is, an unknown or missing one as cancelled, a malformed one closes', () => {
    const cancel = (reason: unknown) => decodeText(JSON.stringify({ type: 'file-cancel', id: ID, reason }));
    expect(cancel('corrupt')).toEqual({ verdict: 'deliver', message: { type: 'file-cancel', id: ID, reason: 'corrupt' } });
    expect(cancel('bored-now')).toEqual({ verdict: 'deliver', message: { type: 'file-cancel', id: ID, reason: 'cancelled' } });
    expect(cancel(undefined)).toEqual({ verdict: 'deliver', message: { type: 'file-cancel', id: ID, reason: 'cancelled' } });
    expect(cancel('x'.repeat(64)).verdict).toBe('deliver');
    expect(cancel('x'.repeat(65)).verdict).toBe('close');
    expect(cancel('').verdict).toBe('close');
    expect(cancel('a\tb').verdict).toBe('close');
    expect(cancel(null).verdict).toBe('close');
    expect(cancel(7).verdict).toBe('close');
  });

  it('done: id only', () => {
    expect(decodeText(`{"type":"file-done","id":"${ID}","x":1}`)).toEqual({ verdict: 'deliver', message: { type: 'file-done', id: ID } });
    expect(decodeText(`{"type":"file-done","id":7}`).verdict).toBe('close');
  });

  it('encoders refuse what a receiver would close on', () => {
    expect(() => encodeFileMessage({ type: 'file', id: ID, ts: 1, name: 'a/b', size: 1, sha256: SHA })).toThrow(RangeError);
    expect(() => encodeFileMessage({ type: 'file', id: ID, ts: 1, name: '\ud800', size: 1, sha256: SHA })).toThrow(RangeError);
    expect(() => encodeFileMessage({ type: 'file-accept', id: ID, offset: -1 })).toThrow(RangeError);
    expect(() => encodeFileMessage({ type: 'file-cancel', id: ID, reason: 'nope' as 'declined' })).toThrow(RangeError);
    expect(new TextDecoder().decode(encodeFileMessage({ type: 'file-cancel', id: ID }))).toBe(`{"type":"file-cancel","id":"${ID}"}`);
  });
});

describe('chunks', () => {
  it('lay out 0x00 || 16 id bytes || u64be(offset) || data, decoded as views', () => {
    const header = encodeChunkHeader(ID, 0x0102030405);
    expect(header.length).toBe(CHUNK_HEADER_LENGTH);
    expect(Buffer.from(header).toString('hex')).toBe('00' + ID.replaceAll('-', '') + '0000000102030405');
    const plain = new Uint8Array(CHUNK_HEADER_LENGTH + 3);
    plain.set(header);
    plain.set([7, 8, 9], CHUNK_HEADER_LENGTH);
    const r = decodeChunk(plain);
    if (r.verdict !== 'deliver') throw new Error(r.reason);
    expect(r.chunk.id).toBe(ID);
    expect(r.chunk.offset).toBe(0x0102030405);
    expect([...r.chunk.data]).toEqual([7, 8, 9]);
    expect(r.chunk.data.buffer).toBe(plain.buffer); // a view, not a copy
  });

  it('bound the data to 1..65,494 bytes and the offset to 2^53-1', () => {
    expect(MAX_CHUNK_DATA).toBe(65_494);
    expect(decodeChunk(encodeChunkHeader(ID, 0)).verdict).toBe('close'); // no data
    const full = new Uint8Array(MAX_PLAINTEXT_LENGTH);
    full.set(encodeChunkHeader(ID, 0));
    expect(decodeChunk(full).verdict).toBe('deliver');
    const over = new Uint8Array(MAX_PLAINTEXT_LENGTH + 1);
    over.set(encodeChunkHeader(ID, 0));
    expect(decodeChunk(over).verdict).toBe('close');
    const far = new Uint8Array(CHUNK_HEADER_LENGTH + 1);
    far.set(encodeChunkHeader(ID, 0));
    far.set([0, 0x20, 0, 0, 0, 0, 0, 0], 17); // 2^53
    expect(decodeChunk(far).verdict).toBe('close');
    expect(decodeChunk(utf8('{}')).verdict).toBe('close');
    expect(decodeChunk(new Uint8Array(0)).verdict).toBe('close');
  });
});

const idArb = fc.uuid().map((s) => s.toLowerCase());
// eslint-disable-next-line no-control-regex -- offered names must be free of control characters
const nameArb = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 80 }).filter((s) => !/[\u0000-\u001f\u007f/\\]/.test(s));
const fileMessageArb: fc.Arbitrary<FileMessage> = fc.oneof(
  fc.record({ type: fc.constant('file' as const), id: idArb, ts: fc.maxSafeNat(), name: nameArb, size: fc.maxSafeNat(), sha256: fc.stringMatching(/^[0-9a-f]{64}$/) }),
  fc.record({ type: fc.constant('file-accept' as const), id: idArb, offset: fc.maxSafeNat() }),
  fc.record({ type: fc.constant('file-cancel' as const), id: idArb, reason: fc.constantFrom('declined' as const, 'no-space' as const, 'corrupt' as const) }),
  fc.record({ type: fc.constant('file-done' as const), id: idArb }),
);
const anyValueArb = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom(1.5, -1, 2 ** 53, -0, 1e308, '', 'a/b', 'x'.repeat(300)), idArb);

function checkVerdict(verdict: FileMessageVerdict): void {
  if (verdict.verdict === 'close') {
    expect(Object.keys(verdict)).toEqual(['verdict', 'reason']);
    expect(verdict.reason.length).toBeGreaterThan(0);
    return;
  }
  expect(verdict.verdict).toBe('deliver');
  // Whatever is delivered can be sent again unchanged.
  expect(decodeText(new TextDecoder().decode(encodeFileMessage(verdict.message)))).toEqual(verdict);
}

describe('properties', () => {
  it('encode then decode round-trips every valid message', () => {
    fc.assert(
      fc.property(fileMessageArb, (m) => {
        expect(decodeText(new TextDecoder().decode(encodeFileMessage(m)))).toEqual({ verdict: 'deliver', message: m });
      }),
      { seed: 42, numRuns: 2000 },
    );
  });

  it('objects shaped like file messages are delivered valid or closed, never thrown', () => {
    const likeArb = fc.record(
      {
        type: fc.constantFrom('file', 'file-accept', 'file-cancel', 'file-done', 'x'),
        id: fc.oneof(idArb, anyValueArb),
        ts: fc.oneof(fc.maxSafeNat(), anyValueArb),
        name: fc.oneof(nameArb, fc.string({ unit: 'binary', maxLength: 300 }), anyValueArb),
        size: fc.oneof(fc.maxSafeNat(), anyValueArb),
        sha256: fc.oneof(fc.stringMatching(/^[0-9a-fA-F]{63,65}$/), anyValueArb),
        offset: fc.oneof(fc.maxSafeNat(), anyValueArb),
        reason: fc.oneof(fc.string({ maxLength: 70 }), anyValueArb),
      },
      { requiredKeys: ['type'] },
    );
    fc.assert(
      fc.property(likeArb, (o) => {
        const text = JSON.stringify(o);
        const json = parseJsonText(utf8(text));
        if (!json.ok) return;
        checkVerdict(decodeFileMessage(json.value as Record<string, unknown>));
      }),
      { seed: 42, numRuns: 3000 },
    );
  });

  it('decodeChunk never throws and delivers only well-formed chunks', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.boolean(), (bytes, tag) => {
        const plain = tag && bytes.length > 0 ? Uint8Array.from([0, ...bytes]) : bytes;
        const r = decodeChunk(plain);
        if (r.verdict === 'deliver') {
          expect(plain.length).toBeGreaterThan(CHUNK_HEADER_LENGTH);
          expect(r.chunk.data.length).toBe(plain.length - CHUNK_HEADER_LENGTH);
          expect(Buffer.from(encodeChunkHeader(r.chunk.id, r.chunk.offset)).equals(Buffer.from(plain.subarray(0, CHUNK_HEADER_LENGTH)))).toBe(true);
        }
      }),
      { seed: 42, numRuns: 3000 },
    );
  });
});

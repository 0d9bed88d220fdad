/** The hello (PROTOCOL.md section 2): encoding, strict decoding, and the display-name rule. */
import { describe, expect, it } from 'vitest';
import { utf8 } from '../../../src/core/crypto/bytes.ts';
import { encodeHello, HelloError, isValidDisplayName, MAX_NAME_CODE_POINTS, parseHello } from '../../../src/core/protocol/hello.ts';

describe('encodeHello', () => {
  it('writes compact JSON with non-ASCII unescaped', () => {
    expect(new TextDecoder().decode(encodeHello('Zoë 🦜'))).toBe('{"v":1,"name":"Zoë 🦜"}');
    expect(new TextDecoder().decode(encodeHello(''))).toBe('{"v":1,"name":""}');
    expect(new TextDecoder().decode(encodeHello('a"b\\c'))).toBe('{"v":1,"name":"a\\"b\\\\c"}');
  });

  it('refuses a name that is no valid display name', () => {
    expect(() => encodeHello('n'.repeat(65))).toThrow(RangeError);
    expect(() => encodeHello('a\tb')).toThrow(RangeError);
    expect(() => encodeHello('\ud800')).toThrow(RangeError);
    expect(() => encodeHello(5 as unknown as string)).toThrow(TypeError);
  });
});

describe('parseHello', () => {
  it('round-trips every valid name', () => {
    for (const name of ['', 'Alice', 'n'.repeat(64), '🦜'.repeat(64), 'a\u0085b', 'Zoë']) {
      expect(parseHello(encodeHello(name))).toEqual({ v: 1, name, features: [], dht: null, invite: null });
    }
  });

  it('accepts v written as any integer-valued number, unknown members, any member order', () => {
    for (const text of ['{"v":1.0,"name":"A"}', '{"v":1e0,"name":"A"}', '{"name":"A","v":1,"x":{"y":[1]}}', '{"v":2,"v":1,"name":"A"}']) {
      expect(parseHello(utf8(text))).toEqual({ v: 1, name: 'A', features: [], dht: null, invite: null });
    }
  });

  it('aborts with HelloError, giving the reason', () => {
    const cases: [string | Uint8Array, RegExp][] = [
      ['{"v":2,"name":"A"}', /v is not the number 1/],
      ['{"v":"1","name":"A"}', /v is not the number 1/],
      ['{"v":1.0000000000000001,"name":"A"}', /v is not the number 1/],
      ['{"name":"A"}', /invalid hello: member v is missing/],
      ['{"v":1}', /invalid hello: member name is missing/],
      ['{"v":1,"name":7}', /name is not a string/],
      ['{"v":1,"name":"a\\nb"}', /control characters/],
      [`{"v":1,"name":"${'🦜'.repeat(65)}"}`, /0 to 64 code points/],
      ['{"v":1,"name":"\\ud800"}', /surrogate/],
      ['[1,"A"]', /not a JSON object/],
      ['null', /not a JSON object/],
      ['', /not a JSON text/],
      [new Uint8Array([0xef, 0xbb, 0xbf, ...utf8('{"v":1,"name":"A"}')]), /byte order mark/],
      [new Uint8Array([0xff]), /invalid UTF-8/],
    ];
    for (const [input, reason] of cases) {
      const bytes = typeof input === 'string' ? utf8(input) : input;
      expect(() => parseHello(bytes), String(input)).toThrow(HelloError);
      expect(() => parseHello(bytes), String(input)).toThrow(reason);
    }
  });
});

describe('hello extensions (PROTOCOL.md section 7)', () => {
  const key = 'ab'.repeat(32);

  it('a hello without extensions is exactly the v1 hello', () => {
    expect(new TextDecoder().decode(encodeHello('A', { features: [], dht: null, invite: null }))).toBe('{"v":1,"name":"A"}');
  });

  it('round-trips features and dht; unknown feature names are kept for the caller to ignore', () => {
    const bytes = encodeHello('A', { features: ['files', 'x-later-1'], dht: key });
    expect(new TextDecoder().decode(bytes)).toBe(`{"v":1,"name":"A","features":["files","x-later-1"],"dht":"${key}"}`);
    expect(parseHello(bytes)).toEqual({ v: 1, name: 'A', features: ['files', 'x-later-1'], dht: key, invite: null });
    expect(parseHello(utf8(`{"v":1,"name":"A","features":[]}`)).features).toEqual([]);
  });

  it('a present member of the wrong type or form aborts, null included', () => {
    const bad = [
      '"features":null',
      '"features":"files"',
      '"features":["files","files"]',
      '"features":["Files"]',
      '"features":[""]',
      `"features":["${'a'.repeat(33)}"]`,
      `"features":[${Array.from({ length: 17 }, (_, i) => `"f${i}"`).join(',')}]`,
      '"features":[1]',
      '"dht":null',
      `"dht":"${key.toUpperCase()}"`,
      `"dht":"${key.slice(2)}"`,
      '"dht":42',
    ];
    for (const member of bad) {
      expect(() => parseHello(utf8(`{"v":1,"name":"A",${member}}`)), member).toThrow(HelloError);
    }
    expect(parseHello(utf8(`{"v":1,"name":"A","features":[${Array.from({ length: 16 }, (_, i) => `"f${i}"`).join(',')}]}`)).features).toHaveLength(16);
  });

  it('a repeated extension member takes its last value (section 0), and that value is checked (docs/PROTOCOL.md section 7)', () => {
    expect(parseHello(utf8(`{"v":1,"name":"A","dht":null,"dht":"${key}"}`)).dht).toBe(key);
    expect(() => parseHello(utf8(`{"v":1,"name":"A","dht":"${key}","dht":null}`))).toThrow(HelloError);
    expect(() => parseHello(utf8(`{"v":1,"name":"A","features":["files"],"features":["files","files"]}`))).toThrow(HelloError);
  });

  it('carries the invite token extension: 32 lowercase hex digits, absent by default; a wrong form aborts', () => {
    const tok = '0123456789abcdef0123456789abcdef';
    const bytes = encodeHello('A', { invite: tok });
    expect(new TextDecoder().decode(bytes)).toBe(`{"v":1,"name":"A","invite":"${tok}"}`);
    expect(parseHello(bytes).invite).toBe(tok);
    expect(parseHello(encodeHello('A')).invite).toBeNull();
    for (const member of ['"invite":null', `"invite":"${tok.toUpperCase()}"`, `"invite":"${tok.slice(1)}"`, `"invite":"${tok}0"`, '"invite":1', `"invite":["${tok}"]`]) {
      expect(() => parseHello(utf8(`{"v":1,"name":"A",${member}}`)), member).toThrow(HelloError);
    }
    expect(() => encodeHello('A', { invite: 'xyz' })).toThrow(RangeError);
  });

  it('encodeHello refuses what a receiver would refuse', () => {
    expect(() => encodeHello('A', { features: ['files', 'files'] })).toThrow(RangeError);
    expect(() => encodeHello('A', { dht: 'xyz' })).toThrow(RangeError);
  });
});

describe('isValidDisplayName', () => {
  it('is 0 to 64 code points with no control character', () => {
    expect(MAX_NAME_CODE_POINTS).toBe(64);
    for (const yes of ['', 'Alice', 'n'.repeat(64), '🦜'.repeat(64), '\u0080\u009f', '\ufeffA']) expect(isValidDisplayName(yes)).toBe(true);
    for (const no of ['n'.repeat(65), '🦜'.repeat(65), 'a\tb', 'a\nb', 'bell\u0007', 'del\u007f', '\u0000', '\ud800', 5, null, undefined, ['A']]) {
      expect(isValidDisplayName(no), JSON.stringify(no)).toBe(false);
    }
  });
});

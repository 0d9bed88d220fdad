/** The protocol's strict JSON text (PROTOCOL.md, the JSON paragraph) and its string helpers. */
import { describe, expect, it } from 'vitest';
import { utf8 } from '../../../src/core/crypto/bytes.ts';
import {
  countCodePoints,
  hasControlChars,
  isExactIntegerLiteral,
  isIntegerInRange,
  isWellFormedText,
  parseJsonText,
} from '../../../src/core/protocol/json-text.ts';

function parse(text: string) {
  return parseJsonText(utf8(text));
}

describe('parseJsonText', () => {
  it('parses a JSON text, with any JSON whitespace and escapes', () => {
    expect(parse(' \t\r\n{"a" : [1, "\\u00e9\\/\\"", null, true]}\n')).toEqual({ ok: true, value: { a: [1, 'é/"', null, true] } });
    expect(parse('"\\ud83e\\udd9c"')).toEqual({ ok: true, value: '🦜' });
    expect(parse('42')).toEqual({ ok: true, value: 42 });
  });

  it('refuses invalid UTF-8, a byte order mark and trailing U+FEFF', () => {
    expect(parseJsonText(new Uint8Array([0x22, 0xc3, 0x28, 0x22]))).toMatchObject({ ok: false, reason: 'invalid UTF-8' });
    expect(parseJsonText(new Uint8Array([0x22, 0xc0, 0xaf, 0x22]))).toMatchObject({ ok: false });
    expect(parseJsonText(new Uint8Array([0x22, 0xed, 0xa0, 0x80, 0x22]))).toMatchObject({ ok: false });
    expect(parseJsonText(new Uint8Array([0xef, 0xbb, 0xbf, 0x7b, 0x7d]))).toMatchObject({ ok: false, reason: expect.stringContaining('byte order mark') });
    expect(parse('{}\ufeff')).toMatchObject({ ok: false });
    expect(parse('"\ufeff"')).toEqual({ ok: true, value: '\ufeff' }); // inside a string it is an ordinary character
  });

  it('refuses invalid UTF-8 in long texts too (decoded another way), wherever it lies', () => {
    // Truncated, lone continuation, overlong, surrogate, above U+10FFFF, 0xFF.
    const bad = [[0xc3], [0x80], [0xc0, 0xaf], [0xe0, 0x80, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xff], [0xf0, 0x9f, 0xa6]];
    const long = utf8('🦜'.repeat(2000));
    for (const seq of bad) {
      for (const at of [0, 1000, long.length]) {
        const bytes = new Uint8Array([0x22, ...long.subarray(0, at), ...seq, ...long.subarray(at), 0x22]);
        expect(parseJsonText(bytes), `${seq.join(',')} at ${at}`).toMatchObject({ ok: false, reason: 'invalid UTF-8' });
      }
    }
    expect(parseJsonText(utf8(`"${'🦜'.repeat(2000)}é語"`))).toEqual({ ok: true, value: `${'🦜'.repeat(2000)}é語` });
  });

  it('refuses what JSON does not allow', () => {
    for (const bad of ['', 'hello', '{"a":1', '{"a":1}x', '{}{}', '{"a":NaN}', '"a\tb"', "{'a':1}", '[1,]', '01']) {
      expect(parse(bad).ok, bad).toBe(false);
    }
  });

  it('refuses an unpaired surrogate escape anywhere, even where JSON.parse drops it', () => {
    const cases = [
      '"\\ud800"',
      '"\\udc00"',
      '"a\\ud83ex"',
      '"\\ud83e\\u0041"', // high surrogate followed by an escape that is not a low one
      '"\\udd9c\\ud83e"', // a pair in the wrong order
      '"\\ud83e🦜"', // escaped high surrogate followed by a raw pair
      '{"\\ud800":1}',
      '{"a":{"b":["\\udbff"]}}',
      '{"t":"\\ud800","t":"ok"}', // overridden by a repeated name: JSON.parse never shows it
    ];
    for (const text of cases) {
      expect(() => JSON.parse(text) as unknown).not.toThrow(); // JSON.parse itself accepts every one
      expect(parse(text), text).toMatchObject({ ok: false, reason: expect.stringContaining('surrogate') });
    }
  });

  it('is not fooled by an escaped backslash before "u"', () => {
    expect(parse('"\\\\ud800"')).toEqual({ ok: true, value: '\\ud800' });
    expect(parse('{"\\\\":"\\\\udc00"}')).toEqual({ ok: true, value: { '\\': '\\udc00' } });
  });

  it('reads integers by exact value at the top level: inexact literals that round to an integer become NaN', () => {
    const v = (text: string) => (parse(text) as { ok: true; value: Record<string, unknown> }).value;
    expect(v('{"ts":1700000000000.0000001}')['ts']).toBeNaN();
    expect(v('{"ts":1e-400}')['ts']).toBeNaN();
    expect(v('{"v":1.0000000000000001}')['v']).toBeNaN();
    expect(v('{"v":1.0,"w":1e0,"x":10E-1,"y":-0,"z":170000000000000e-2}')).toEqual({ v: 1, w: 1, x: 1, y: -0, z: 1700000000000 });
    expect(v('{"a":1.5}')['a']).toBe(1.5); // not an integer either way: left as parsed
    // The last of repeated members decides, as in JSON.parse.
    expect(v('{"ts":1e-400,"ts":5}')['ts']).toBe(5);
    expect(v('{"ts":5,"ts":1e-400}')['ts']).toBeNaN();
    expect(v('{"ts":1e-400,"ts":"x"}')['ts']).toBe('x');
    expect(v('{"ts":1e-400,"ts":{"a":1}}')['ts']).toEqual({ a: 1 });
    // Nested numbers keep JSON.parse's value (the protocol has no nested integers).
    expect(v('{"x":{"ts":1e-400}}')).toEqual({ x: { ts: 0 } });
    // Escaped member names are decoded before matching.
    expect(v('{"\\u0074s":1e-400}')['ts']).toBeNaN();
    // "__proto__" is an ordinary own member.
    const proto = v('{"__proto__":1e-400}');
    expect(Object.getPrototypeOf(proto)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(proto, '__proto__')?.value).toBeNaN();
  });

  it('copes with deep nesting (JSON.parse is iterative; so is the scan)', () => {
    const depth = 30000;
    const text = `{"type":"ping","x":${'['.repeat(depth)}"\\ud800"${']'.repeat(depth)}}`;
    expect(parse(text)).toMatchObject({ ok: false });
    expect(parse(`{"a":${'['.repeat(depth)}${']'.repeat(depth)}}`)).toMatchObject({ ok: true });
  });
});

describe('isExactIntegerLiteral', () => {
  it('uses the exact decimal value', () => {
    for (const yes of ['0', '-0', '-0.0', '1', '1.0', '1e0', '10E-1', '1.7e12', '17E11', '1.7E+12', '170000000000000e-2', '1e400', '0e-999999999999', '9007199254740991.000']) {
      expect(isExactIntegerLiteral(yes), yes).toBe(true);
    }
    for (const no of ['1.5', '1e-1', '1e-400', '1.0000000000000001', '1700000000000.0000001', '12345e-3', '-1e-99999999999999999999', 'x', '']) {
      expect(isExactIntegerLiteral(no), no).toBe(false);
    }
  });
});

describe('string helpers', () => {
  it('countCodePoints counts code points, not UTF-16 units', () => {
    expect(countCodePoints('')).toBe(0);
    expect(countCodePoints('abc')).toBe(3);
    expect(countCodePoints('🦜'.repeat(16000))).toBe(16000);
    expect(countCodePoints('Zoë 🦜')).toBe([...'Zoë 🦜'].length);
    expect(countCodePoints('\ud800x\udc00')).toBe(3); // lone surrogates count one each, as [...s] does
  });

  it('hasControlChars: U+0000–U+001F and U+007F, C1 allowed, TAB/LF optionally', () => {
    for (const c of ['\u0000', '\u0001', '\b', '\r', '\u001b', '\u001f', '\u007f']) {
      expect(hasControlChars(`a${c}b`, true), JSON.stringify(c)).toBe(true);
    }
    expect(hasControlChars('a\tb\nc', true)).toBe(false);
    expect(hasControlChars('a\tb', false)).toBe(true);
    expect(hasControlChars('a\nb', false)).toBe(true);
    expect(hasControlChars('\u0080\u0085\u009f\u2028\ufeff', false)).toBe(false);
  });

  it('isIntegerInRange checks by value', () => {
    expect(isIntegerInRange(1.0, 1, 1)).toBe(true);
    expect(isIntegerInRange(-0, 0, 10)).toBe(true);
    expect(isIntegerInRange(Number.MAX_SAFE_INTEGER, 0, Number.MAX_SAFE_INTEGER)).toBe(true);
    expect(isIntegerInRange(2 ** 53, 0, Number.MAX_SAFE_INTEGER)).toBe(false);
    for (const no of [1.5, Number.NaN, Infinity, -1, '1', null, undefined, 1n]) expect(isIntegerInRange(no, 0, 10)).toBe(false);
  });

  it('isWellFormedText finds unpaired surrogates', () => {
    expect(isWellFormedText('a🦜b')).toBe(true);
    for (const bad of ['\ud800', '\udc00', 'a\ud83e', '\udd9c\ud83e', '\ud83ex']) expect(isWellFormedText(bad)).toBe(false);
  });
});

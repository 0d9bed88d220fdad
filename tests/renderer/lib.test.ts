/** The renderer's pure helpers: fingerprint comparison, links, pictures, QR data, text rules, error hints. */
import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import {
  compareFingerprint,
  differingGroupsPhrase,
  fingerprintGroups,
  formatFingerprint,
  normaliseFingerprint,
  safetyNumberGroups,
  shortFingerprint,
} from '../../src/renderer/src/lib/fingerprint.ts';
import { linkify, safeHttpUrl } from '../../src/renderer/src/lib/linkify.ts';
import { identicon } from '../../src/renderer/src/lib/identicon.ts';
import { qrMatrix } from '../../src/renderer/src/lib/qr.ts';
import { normaliseOutgoing, outgoingProblem } from '../../src/renderer/src/lib/message-text.ts';
import { describeError } from '../../src/renderer/src/lib/errors.ts';
import { previewTarget } from '../../src/renderer/src/lib/invite-preview.ts';
import { withPort } from '../../src/renderer/src/lib/address.ts';
import { ERROR_CODES, ERROR_HINTS } from '../../src/shared/errors.ts';

const FP = '3f0a9c12b7e4d5a60118f2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f607';

describe('fingerprints', () => {
  test('16 groups of 4, short form', () => {
    expect(fingerprintGroups(FP)).toHaveLength(16);
    expect(fingerprintGroups(FP).every((g) => g.length === 4)).toBe(true);
    expect(formatFingerprint(FP)).toBe('3f0a 9c12 b7e4 d5a6 0118 f2c3 d4e5 f607 1829 3a4b 5c6d 7e8f 90a1 b2c3 d4e5 f607');
    expect(shortFingerprint(FP)).toBe('3f0a 9c12…');
  });

  test('safety number in 12 groups of 5, whatever the spacing', () => {
    const sn = '12345 67890 11111 22222 33333 44444 55555 66666 77777 88888 99999 00000';
    expect(safetyNumberGroups(sn)).toEqual(sn.split(' '));
    expect(safetyNumberGroups(sn.replaceAll(' ', ''))).toEqual(sn.split(' '));
  });

  test('pasted forms that match: grouped, upper case, colons, line breaks, hyphens', () => {
    const colons = FP.toUpperCase().match(/../g)?.join(':') ?? '';
    for (const pasted of [FP, formatFingerprint(FP), FP.toUpperCase(), colons, `  ${formatFingerprint(FP).replaceAll(' ', '\n')}  `, FP.match(/.{8}/g)?.join('-') ?? '']) {
      expect(compareFingerprint(FP, pasted)).toEqual({ kind: 'match' });
      expect(normaliseFingerprint(pasted)).toBe(FP);
    }
  });

  test('a different fingerprint is a mismatch, and says where it differs: the first digit and every group', () => {
    const last = `${FP.slice(0, 63)}${FP[63] === '0' ? '1' : '0'}`;
    expect(compareFingerprint(FP, last)).toEqual({ kind: 'mismatch', firstDifference: 63, differingGroups: [15] });
    expect(compareFingerprint(FP, `0${FP.slice(1)}`)).toEqual({ kind: 'mismatch', firstDifference: 0, differingGroups: [0] });
    // Digits 41 and 42 (group 11) and 9 (group 3): each group once, in order.
    const flip = (s: string, i: number): string => s.slice(0, i) + (s[i] === 'a' ? 'b' : 'a') + s.slice(i + 1);
    expect(compareFingerprint(FP, flip(flip(flip(FP, 40), 41), 8))).toEqual({ kind: 'mismatch', firstDifference: 8, differingGroups: [2, 10] });
    const other = [...FP].map((c) => (c === 'f' ? '0' : 'f')).join('');
    expect(compareFingerprint(FP, other)).toMatchObject({ firstDifference: 0, differingGroups: [...Array(16).keys()] });
  });

  test('the differing groups in words, counted from 1 as people see them on the grid', () => {
    expect(differingGroupsPhrase([10])).toBe('group 11 differs');
    expect(differingGroupsPhrase([2, 10])).toBe('groups 3 and 11 differ');
    expect(differingGroupsPhrase([0, 1, 4, 8])).toBe('groups 1, 2, 5 and 9 differ');
    expect(differingGroupsPhrase([...Array(16).keys()])).toBe('all 16 groups differ');
    expect(() => differingGroupsPhrase([])).toThrow(RangeError);
  });

  test('garbage, prefixes and extra digits never match', () => {
    expect(compareFingerprint(FP, '')).toEqual({ kind: 'empty' });
    expect(compareFingerprint(FP, '   ')).toEqual({ kind: 'empty' });
    expect(compareFingerprint(FP, 'hello world').kind).toBe('invalid');
    expect(compareFingerprint(FP, FP.slice(0, 32)).kind).toBe('invalid'); // a prefix is not the fingerprint
    expect(compareFingerprint(FP, `${FP}0`).kind).toBe('invalid');
    expect(compareFingerprint(FP, `${FP.slice(0, 63)}g`).kind).toBe('invalid');
    expect(normaliseFingerprint(FP.slice(0, 63))).toBeNull();
  });

  test('property: only the same 64 digits match, whatever the separators', () => {
    const hex = fc.stringMatching(/^[0-9a-f]{64}$/);
    fc.assert(
      fc.property(hex, hex, fc.constantFrom(' ', ':', '\n', '-', ''), (a, b, sep) => {
        const pasted = (b.match(/.{4}/g) ?? []).join(sep);
        expect(compareFingerprint(a, pasted).kind).toBe(a === b ? 'match' : 'mismatch');
      }),
      { seed: 42, numRuns: 300 },
    );
  });

  test('property: the differing groups are exactly the groups whose 4 digits are not the same', () => {
    const hex = fc.stringMatching(/^[0-9a-f]{64}$/);
    // Pairs that share most groups, so that single and scattered differences are common.
    const pair = fc.tuple(hex, fc.uniqueArray(fc.nat({ max: 63 }), { maxLength: 6 }), fc.constantFrom(...'0123456789abcdef')).map(([a, positions, digit]) => {
      const b = [...a];
      for (const i of positions) b[i] = digit;
      return [a, b.join('')] as const;
    });
    fc.assert(
      fc.property(pair, ([a, b]) => {
        const want = fingerprintGroups(a).flatMap((g, i) => (g === fingerprintGroups(b)[i] ? [] : [i]));
        const got = compareFingerprint(a, b);
        if (want.length === 0) expect(got).toEqual({ kind: 'match' });
        else expect(got).toMatchObject({ kind: 'mismatch', differingGroups: want, firstDifference: [...a].findIndex((c, i) => c !== b[i]) });
      }),
      { seed: 42, numRuns: 300 },
    );
  });
});

describe('links', () => {
  const links = (t: string): string[] => linkify(t).flatMap((s) => (s.kind === 'link' ? [s.href] : []));

  test('http and https become links; the rest of the text stays text', () => {
    expect(linkify('see https://example.org/a?b=1 now')).toEqual([
      { kind: 'text', text: 'see ' },
      { kind: 'link', text: 'https://example.org/a?b=1', href: 'https://example.org/a?b=1' },
      { kind: 'text', text: ' now' },
    ]);
    expect(links('HTTP://EXAMPLE.ORG and http://10.0.0.1:8080/x')).toEqual(['http://example.org/', 'http://10.0.0.1:8080/x']);
  });

  test('other schemes stay text', () => {
    for (const t of [
      'javascript:alert(1)',
      'JavaScript:alert(document.cookie)',
      'data:text/html,<script>alert(1)</script>',
      'file:///etc/passwd',
      'ftp://example.org/file',
      'mailto:someone@example.org',
      'parley://1.2.3.4?fp=00',
      'vbscript:msgbox',
      'xhttps://example.org',
      'https://',
    ]) {
      expect(links(t), t).toEqual([]);
      expect(linkify(t).map((s) => s.text).join(''), t).toBe(t);
    }
  });

  test('trailing punctuation and unbalanced brackets are not part of the link', () => {
    expect(links('go to https://example.org/page.')).toEqual(['https://example.org/page']);
    expect(links('(see https://example.org/x)')).toEqual(['https://example.org/x']);
    expect(links('https://en.wikipedia.org/wiki/Foo_(bar) ok')).toEqual(['https://en.wikipedia.org/wiki/Foo_(bar)']);
    expect(links('"https://example.org/q"')).toEqual(['https://example.org/q']);
  });

  test('links with user info (a classic disguise) stay text', () => {
    expect(links('https://bank.example@evil.example/login')).toEqual([]);
    expect(safeHttpUrl('https://user:pw@example.org')).toBeNull();
  });

  test('property: the segments always spell the original text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 80 }), fc.constantFrom('', ' https://a.example/x ', 'http://b.example', 'javascript:x'), (a, b) => {
        const t = a + b + a;
        expect(linkify(t).map((s) => s.text).join('')).toBe(t);
      }),
      { seed: 42, numRuns: 300 },
    );
  });
});

describe('pictures and QR codes', () => {
  test('the identicon is deterministic, mirrored, and differs between keys', () => {
    const a = identicon(FP);
    expect(identicon(FP)).toEqual(a);
    const cells = new Set(a.cells.map((c) => `${c.x},${c.y},${c.fill}`));
    for (const c of a.cells) expect(cells.has(`${a.size - 1 - c.x},${c.y},${c.fill}`)).toBe(true);
    const b = identicon(`${FP.slice(0, 2) === 'ff' ? '00' : 'ff'}${FP.slice(2)}`);
    expect(b.cells).not.toEqual(a.cells);
    expect(() => identicon('not hex')).toThrow(TypeError);
  });

  test('the QR matrix has its three finder patterns inside a 4-module quiet zone', () => {
    const q = qrMatrix(`parley://192.168.1.20:47800?fp=${FP}&name=Alice`);
    const dark = new Set<string>();
    for (const r of q.runs) for (let x = r.x; x < r.x + r.width; x++) dark.add(`${x},${r.y}`);
    const isDark = (x: number, y: number): boolean => dark.has(`${x},${y}`);
    expect(q.size).toBeGreaterThanOrEqual(21 + 8);
    for (let i = 0; i < q.size; i++) expect(isDark(i, 0) || isDark(0, i) || isDark(3, i)).toBe(false); // quiet zone
    // A finder pattern: a 7×7 dark ring with a dark 3×3 centre, at three corners.
    for (const [ox, oy] of [[4, 4], [q.size - 11, 4], [4, q.size - 11]] as const) {
      for (let k = 0; k < 7; k++) {
        expect(isDark(ox + k, oy) && isDark(ox + k, oy + 6) && isDark(ox, oy + k) && isDark(ox + 6, oy + k)).toBe(true);
      }
      expect(isDark(ox + 1, oy + 1)).toBe(false);
      expect(isDark(ox + 3, oy + 3)).toBe(true);
    }
  });
});

describe('text, addresses, errors', () => {
  test('outgoing text: CRLF becomes LF, control characters go, tabs stay', () => {
    expect(normaliseOutgoing('a\r\nb\rc\td\u0007e\u007f')).toBe('a\nb\nc\tde');
    expect(outgoingProblem('  \n ')).toBe('empty');
    expect(outgoingProblem('x'.repeat(16_000))).toBeNull();
    expect(outgoingProblem('x'.repeat(16_001))).toMatch(/limit/);
    expect(outgoingProblem('😀'.repeat(16_000))).toBeNull(); // counted in code points, not UTF-16 units
  });

  test('addresses get their port in the form a joiner types', () => {
    expect(withPort('192.168.1.5', 47800)).toBe('192.168.1.5:47800');
    expect(withPort('192.168.1.5:1234', 47800)).toBe('192.168.1.5:1234');
    expect(withPort('fe80::1', 47800)).toBe('[fe80::1]:47800');
    expect(withPort('[::1]:5000', 47800)).toBe('[::1]:5000');
  });

  test('join preview: invite with fingerprint and name, bare address, nonsense', () => {
    expect(previewTarget(`parley://[::1]:47800?fp=${FP}&name=Bob%20%2B%20Co`)).toEqual({ kind: 'invite', address: '[::1]:47800', fingerprint: FP, name: 'Bob + Co' });
    expect(previewTarget('parley://host?fp=xyz')).toMatchObject({ kind: 'invite', fingerprint: null });
    expect(previewTarget(' 10.0.0.2:47800 ')).toEqual({ kind: 'address', address: '10.0.0.2:47800' });
    expect(previewTarget('hello there')).toEqual({ kind: 'unknown' });
    expect(previewTarget('')).toEqual({ kind: 'empty' });
  });

  test('every error code has a title and the shared hint; only an invite mismatch is serious', () => {
    for (const code of ERROR_CODES) {
      const d = describeError({ code, message: '' });
      expect(d.title.length).toBeGreaterThan(3);
      expect(d.hint).toBe(ERROR_HINTS[code]);
      // The title never just repeats the explanation under it.
      expect(d.hint.replace(/\.$/, '').toLowerCase()).not.toBe(d.title.toLowerCase());
      expect(d.serious).toBe(code === 'fingerprint-mismatch');
    }
    expect(describeError({ code: 'connect-refused', message: 'ECONNREFUSED' }).detail).toBe('ECONNREFUSED');
    // The DHT's own sentences for these two say what the hint says: not repeated as details.
    expect(describeError({ code: 'peer-not-found', message: 'Nobody is listening on that DHT address: the host is not running Parley right now.' }).detail).toBeNull();
    expect(describeError({ code: 'dht-unreachable', message: 'No DHT bootstrap node answered: this computer seems to be offline.' }).detail).toBeNull();
    // The relay variant of holepunch-failed adds something (the relay failed too): kept.
    expect(describeError({ code: 'holepunch-failed', message: 'The peer was found, but neither a direct path nor the relay worked.' }).detail).toBe(
      'The peer was found, but neither a direct path nor the relay worked.',
    );
    expect(describeError({ code: 'something-new', message: 'new failure' })).toMatchObject({ code: 'unknown', hint: 'new failure' });
  });

  test('bad input: a title of its own, and the core’s message (what is wrong) as the explanation, said once', () => {
    const d = describeError({ code: 'bad-input', message: 'a display name is 0 to 64 characters without control characters' });
    expect(d).toEqual({
      code: 'bad-input',
      title: 'Check what you entered',
      hint: 'A display name is 0 to 64 characters without control characters.',
      detail: null,
      serious: false,
    });
    expect(describeError({ code: 'bad-input', message: 'The fingerprint (fp) must be exactly 64 lowercase hex digits.' }).hint).toBe(
      'The fingerprint (fp) must be exactly 64 lowercase hex digits.',
    );
    expect(describeError({ code: 'bad-input', message: '  ' })).toMatchObject({ title: 'Check what you entered', hint: ERROR_HINTS['bad-input'], detail: null });
  });
});

/**
 * Invites (PROTOCOL.md section 5) beyond the vector file: host syntax, formatInvite's checks,
 * parseJoinTarget, and seeded format→parse round-trips for random hosts, ports and names.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_PORT,
  formatInvite,
  isDnsName,
  isIpv4Address,
  isIpv6Address,
  InviteError,
  parseInvite,
  parseJoinTarget,
} from '../../../src/core/protocol/invite.ts';
import { isValidDisplayName } from '../../../src/core/protocol/hello.ts';

const FP = 'aeb7cb492faa39ee7924910d916d5f4891a15b6c50b9b88d8d3f797f5820eafb';

describe('host syntax', () => {
  it('IPv4: four numbers 0–255, no leading zeros', () => {
    for (const yes of ['0.0.0.0', '255.255.255.255', '10.0.255.0', '192.168.1.20']) expect(isIpv4Address(yes), yes).toBe(true);
    for (const no of ['256.1.1.1', '1.2.3', '1.2.3.4.5', '01.2.3.4', '1.2.3.4.', '1..3.4', '+1.2.3.4', '1.2.3.0x4', ' 1.2.3.4', '١.2.3.4']) {
      expect(isIpv4Address(no), no).toBe(false);
    }
  });

  it('IPv6: RFC 4291 text forms, no zone id', () => {
    const yes = ['::', '::1', '1::', '2001:db8::7', 'fe80::1ff:fe23:4567:890a', '1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7::', '::2:3:4:5:6:7:8', '::ffff:192.0.2.1', '1:2:3:4:5:6:1.2.3.4', 'FE80::A'];
    for (const y of yes) expect(isIpv6Address(y), y).toBe(true);
    const no = ['', ':', ':::', '1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9', '1::2::3', '::g', '12345::', '1:2:3:4:5:6:7:8::', 'fe80::1%eth0', '127.0.0.1', '::1.2.3', '::01.2.3.4', ':1::2', '1::2:', '1:2:3:4:5:6:7:1.2.3.4'];
    for (const n of no) expect(isIpv6Address(n), n).toBe(false);
  });

  it('DNS names: LDH labels of 1–63, at most 253 characters, last label not all digits', () => {
    for (const yes of ['localhost', 'LocalHost', 'chat-1.example.org', 'a', '1a', 'x.1a', `${'a'.repeat(63)}.b`, Array(127).fill('a').join('.').slice(0, 253)]) {
      expect(isDnsName(yes), yes).toBe(true);
    }
    for (const no of ['', '-a', 'a-', 'a..b', 'a.', '.a', 'my_host', 'example.123', '2130706433', 'a'.repeat(64), `${'a.'.repeat(127)}ab`, 'zoë.example', 'a b']) {
      expect(isDnsName(no), no).toBe(false);
    }
  });
});

describe('parseInvite', () => {
  it('throws InviteError with a plain message, and TypeError for a non-string', () => {
    expect(() => parseInvite('parley://[::1]:47800?fp=' + FP.toUpperCase())).toThrow(/64 lowercase hex digits/);
    expect(() => parseInvite('parley://::1:47800?fp=' + FP)).toThrow(/brackets/);
    expect(() => parseInvite(' parley://1.2.3.4?fp=' + FP)).toThrow(InviteError); // parseInvite itself is exact
    expect(() => parseInvite(5 as unknown as string)).toThrow(TypeError);
  });

  it('keeps a BOM-like U+FEFF and a literal plus in the name', () => {
    expect(parseInvite(`parley://h.example?fp=${FP}&name=%EF%BB%BFa+b`).name).toBe('\ufeffa+b');
  });
});

describe('formatInvite', () => {
  it('always writes :PORT, brackets IPv6 and omits a null or missing name', () => {
    expect(formatInvite({ host: '::1', port: DEFAULT_PORT, fp: FP })).toBe(`parley://[::1]:47800?fp=${FP}`);
    expect(formatInvite({ host: 'chat.example', port: 1, fp: FP, name: null })).toBe(`parley://chat.example:1?fp=${FP}`);
    expect(formatInvite({ host: '10.0.0.7', port: 65535, fp: FP, name: '' })).toBe(`parley://10.0.0.7:65535?fp=${FP}&name=`);
  });

  it('refuses what parseInvite would refuse', () => {
    const ok = { host: '10.0.0.7', port: 5000, fp: FP };
    const bad: [unknown, ErrorConstructor | TypeErrorConstructor | RangeErrorConstructor][] = [
      [{ ...ok, host: '[::1]' }, RangeError],
      [{ ...ok, host: '999.1.1.1' }, RangeError],
      [{ ...ok, host: 'a b' }, RangeError],
      [{ ...ok, host: 7 }, TypeError],
      [{ ...ok, port: 0 }, RangeError],
      [{ ...ok, port: 65536 }, RangeError],
      [{ ...ok, port: 1.5 }, RangeError],
      [{ ...ok, port: '47800' }, RangeError],
      [{ ...ok, fp: FP.toUpperCase() }, RangeError],
      [{ ...ok, fp: FP.slice(1) }, RangeError],
      [{ ...ok, name: 'n'.repeat(65) }, RangeError],
      [{ ...ok, name: 'a\nb' }, RangeError],
      [{ ...ok, name: '\ud800' }, RangeError],
    ];
    for (const [input, type] of bad) expect(() => formatInvite(input as Parameters<typeof formatInvite>[0]), JSON.stringify(input)).toThrow(type);
  });
});

describe('parseJoinTarget', () => {
  it('takes an invite', () => {
    expect(parseJoinTarget(`parley://[::1]?fp=${FP}&name=Bob`)).toEqual({
      kind: 'invite',
      invite: { host: '::1', port: DEFAULT_PORT, fp: FP, dht: null, name: 'Bob', tok: null },
    });
  });

  it('marks an invite made from a discovery record (via=lan): it can only take verification away', () => {
    expect(parseInvite(`parley://10.0.0.2:47800?fp=${FP}&name=Ada&via=lan`)).toEqual({ host: '10.0.0.2', port: 47800, fp: FP, dht: null, name: 'Ada', tok: null, via: 'lan' });
    expect(parseInvite(`parley://10.0.0.2:47800?fp=${FP}&via=anything`).via).toBe('lan');
    expect(parseInvite(`parley://10.0.0.2:47800?fp=${FP}`).via).toBeUndefined();
    expect(formatInvite({ host: '10.0.0.2', port: 47800, fp: FP, name: 'Ada', via: 'lan' })).toBe(`parley://10.0.0.2:47800?fp=${FP}&name=Ada&via=lan`);
  });

  it('takes the invite token extension: tok once, 32 lowercase hex digits, never decoded', () => {
    const tok = 'fedcba9876543210fedcba9876543210';
    const url = `parley://192.168.1.20:47800?fp=${FP}&tok=${tok}&name=Ada`;
    expect(parseInvite(url)).toEqual({ host: '192.168.1.20', port: 47800, fp: FP, dht: null, name: 'Ada', tok });
    expect(formatInvite({ host: '192.168.1.20', port: 47800, fp: FP, tok, name: 'Ada' })).toBe(url);
    for (const bad of [`&tok=${tok.toUpperCase()}`, `&tok=${tok.slice(1)}`, `&tok=${tok}&tok=${tok}`, '&tok=', `&tok=%66${tok.slice(1)}`, `&tok=${tok}0`]) {
      expect(() => parseInvite(`parley://h:1?fp=${FP}${bad}`), bad).toThrow(InviteError);
    }
    expect(() => formatInvite({ host: 'h', port: 1, fp: FP, tok: 'xyz' })).toThrow(RangeError);
  });

  it('takes the dht extension (PROTOCOL.md section 8): once, 64 lowercase hex digits, never decoded', () => {
    const key = '0f'.repeat(32);
    const url = `parley://192.168.1.20:47800?fp=${FP}&dht=${key}&name=Ada`;
    expect(parseInvite(url)).toEqual({ host: '192.168.1.20', port: 47800, fp: FP, dht: key, name: 'Ada', tok: null });
    expect(formatInvite({ host: '192.168.1.20', port: 47800, fp: FP, dht: key, name: 'Ada' })).toBe(url);
    for (const bad of [`&dht=${key.toUpperCase()}`, `&dht=${key.slice(1)}`, `&dht=${key}&dht=${key}`, '&dht=', `&dht=%30${key.slice(1)}`]) {
      expect(() => parseInvite(`parley://h:1?fp=${FP}${bad}`), bad).toThrow(InviteError);
    }
    expect(() => formatInvite({ host: 'h', port: 1, fp: FP, dht: 'xyz' })).toThrow(RangeError);
  });

  it('takes a bare HOST:PORT (IPv4, [IPv6]:PORT, DNS name), ignoring surrounding whitespace', () => {
    expect(parseJoinTarget('192.168.1.20:47800')).toEqual({ kind: 'address', host: '192.168.1.20', port: 47800 });
    expect(parseJoinTarget('[fe80::1]:6000')).toEqual({ kind: 'address', host: 'fe80::1', port: 6000 });
    expect(parseJoinTarget('  chat.example.org:1\n')).toEqual({ kind: 'address', host: 'chat.example.org', port: 1 });
  });

  it('refuses everything else with InviteError', () => {
    const bad = [
      '',
      '192.168.1.20', // the port is required in the bare form
      '[::1]',
      'localhost',
      '::1:47800',
      '192.168.1.20:0',
      '192.168.1.20:047800',
      '192.168.1.20:',
      '999.1.1.1:5',
      'u@host:5',
      'host:5/path',
      'host:5?fp=' + FP,
      'PARLEY://1.2.3.4?fp=' + FP,
      'parley:/1.2.3.4?fp=' + FP,
      'parley://1.2.3.4:5',
      'http://1.2.3.4:5',
      'a b:5',
    ];
    for (const text of bad) expect(() => parseJoinTarget(text), text).toThrow(InviteError);
    expect(() => parseJoinTarget('192.168.1.20')).toThrow(/HOST:PORT/);
    expect(() => parseJoinTarget(null as unknown as string)).toThrow(TypeError);
  });
});

// ---- Round-trip properties -------------------------------------------------------------------

const hexGroup = fc.integer({ min: 0, max: 0xffff }).map((n) => n.toString(16));
const ipv4Arb = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((p) => p.join('.'));
const ipv6Arb = fc.oneof(
  fc.array(hexGroup, { minLength: 8, maxLength: 8 }).map((g) => g.join(':')),
  fc
    .tuple(fc.array(hexGroup, { maxLength: 3 }), fc.array(hexGroup, { maxLength: 3 }))
    .map(([l, r]) => `${l.join(':')}::${r.join(':')}`),
  fc.tuple(fc.array(hexGroup, { maxLength: 4 }), ipv4Arb).map(([l, v4]) => `${l.join(':')}::${v4}`),
);
const labelArb = fc
  .stringMatching(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,20}[A-Za-z0-9])?$/)
  .filter((l) => l.length <= 63);
const dnsArb = fc
  .array(labelArb, { minLength: 1, maxLength: 5 })
  .map((labels) => labels.join('.'))
  .filter((name) => !/(^|\.)[0-9]+$/.test(name) && !isIpv4Address(name));
const nameArb = fc
  .oneof(fc.string({ unit: 'grapheme', maxLength: 64 }), fc.string({ unit: 'binary', maxLength: 64 }), fc.constantFrom('a+b', '100%', 'Tom & Jerry=?#', ' ', '🦜'.repeat(64)))
  .filter((s) => isValidDisplayName(s));
const fpArb = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('hex'));

describe('invite properties (fast-check, seeded)', () => {
  it('format → parse round-trips random hosts, ports, fingerprints and names', () => {
    fc.assert(
      fc.property(fc.oneof(ipv4Arb, ipv6Arb, dnsArb), fc.integer({ min: 1, max: 65535 }), fpArb, fc.option(nameArb), (host, port, fp, name) => {
        const url = formatInvite({ host, port, fp, name });
        expect(parseInvite(url)).toEqual({ host, port, fp, dht: null, name, tok: null });
        expect(parseJoinTarget(url)).toEqual({ kind: 'invite', invite: { host, port, fp, dht: null, name, tok: null } });
        // The bare address form of the same host and port.
        const bare = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
        expect(parseJoinTarget(bare)).toEqual({ kind: 'address', host, port });
      }),
      { seed: 42, numRuns: 1000 },
    );
  });

  it('parseInvite and parseJoinTarget throw only InviteError, whatever the text', () => {
    const prefixArb = fc.constantFrom('', 'parley://', `parley://1.2.3.4?fp=${FP}&`, `parley://[::1]:5?name=`);
    fc.assert(
      fc.property(prefixArb, fc.string({ unit: 'binary', maxLength: 80 }), (prefix, tail) => {
        for (const parse of [parseInvite, parseJoinTarget]) {
          try {
            parse(prefix + tail);
          } catch (error) {
            expect(error).toBeInstanceOf(InviteError);
          }
        }
      }),
      { seed: 42, numRuns: 2000 },
    );
  });
});

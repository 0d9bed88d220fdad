/**
 * Discovery records are an advertiser's claims (PROTOCOL.md section 8): parsed from unknown, a
 * malformed one is dropped. The multicast itself runs only in the NAT lab's namespaces (never on
 * this machine's real network); here the parsing and the instance-name rule.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_INSTANCE, instanceName, parseService } from '../../../src/core/net/discovery.ts';

const FP = 'cd'.repeat(32);
const good = { name: 'Zoë', port: 47800, addresses: ['fe80::1', '192.168.1.20'], txt: { v: '1', fp: FP } };

describe('parseService', () => {
  it('reads a well-formed record, preferring an IPv4 address, with an invite that carries fp', () => {
    expect(parseService(good)).toEqual({ name: 'Zoë', fingerprint: FP, host: '192.168.1.20', port: 47800, invite: `parley://192.168.1.20:47800?fp=${FP}&name=Zo%C3%AB&via=lan` });
    expect(parseService({ ...good, addresses: [], referer: { address: '10.1.2.3' } })?.host).toBe('10.1.2.3');
  });

  it('drops what is not a Parley record, and hides a name that is not a valid display name', () => {
    const bad: unknown[] = [
      null,
      'x',
      { ...good, txt: undefined },
      { ...good, txt: { v: '2', fp: FP } },
      { ...good, txt: { v: '1', fp: FP.toUpperCase() } },
      { ...good, txt: { v: '1' } },
      { ...good, port: 0 },
      { ...good, port: 70000 },
      { ...good, port: '47800' },
      { ...good, addresses: ['not-an-ip'], referer: null },
    ];
    for (const s of bad) expect(parseService(s), JSON.stringify(s)).toBeNull();
    expect(parseService({ ...good, name: 'a\u0000b' })?.name).toBe('');
    expect(parseService({ ...good, name: 'a\u0000b' })?.invite).not.toContain('name=');
  });
});

describe('instanceName', () => {
  it('is the display name cut to 63 UTF-8 bytes on a code point, or Parley when empty', () => {
    expect(instanceName('')).toBe(DEFAULT_INSTANCE);
    expect(instanceName('Ada')).toBe('Ada');
    const cut = instanceName('🦜'.repeat(20));
    expect(Buffer.byteLength(cut)).toBe(60);
    expect(cut).toBe('🦜'.repeat(15));
  });
});

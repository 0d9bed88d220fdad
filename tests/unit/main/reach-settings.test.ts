/**
 * The reach settings: the shared HOST:PORT and relay-key checks, and main's stored values read back
 * from unknown (a hand-edited value falls back to the default), and the service's DHT settings
 * built from them (empty bootstrap = HyperDHT's public nodes).
 */
import { describe, expect, it } from 'vitest';
import { dhtSettingsFrom, noteHosted, readReachSettings, startupHosting, writeReachSettings } from '../../../src/main/reach-settings.ts';
import { isRelayKey, parseBootstrapText, parseHostPort } from '../../../src/shared/reach-settings.ts';

/** A key/value map with the settings repo's shape (the real repo is covered by the storage tests). */
function memory(initial: Record<string, string> = {}) {
  const map = new Map(Object.entries(initial));
  return {
    map,
    get: (k: string) => map.get(k) ?? null,
    set: (k: string, v: string) => void map.set(k, v),
    delete: (k: string) => map.delete(k),
  };
}

describe('HOST:PORT and relay keys', () => {
  it('accepts names and IPv4 addresses with a port 1–65535', () => {
    expect(parseHostPort('dht.example.org:49737')).toEqual({ host: 'dht.example.org', port: 49737 });
    expect(parseHostPort(' 10.0.0.1:1 ')).toEqual({ host: '10.0.0.1', port: 1 });
    for (const bad of ['', 'x', 'x:', ':1', 'x:0', 'x:65536', 'x:123456', '-x:1', 'x-:1', 'a b:1', 'a_b:1', '[::1]:1', 'x:1:2', `${'a'.repeat(64)}:1`]) {
      expect(parseHostPort(bad), bad).toBeNull();
    }
  });

  it('reads the bootstrap field: separators, duplicates, a limit, and a sentence naming the bad entry', () => {
    expect(parseBootstrapText('')).toEqual({ ok: true, nodes: [] });
    expect(parseBootstrapText('a.org:1, b.org:2\n a.org:1')).toEqual({ ok: true, nodes: ['a.org:1', 'b.org:2'] });
    expect(parseBootstrapText('a.org:1 nonsense')).toEqual({ ok: false, message: expect.stringContaining('“nonsense” is not HOST:PORT') });
    expect(parseBootstrapText(Array.from({ length: 17 }, (_, i) => `n${i}.org:1`).join(' '))).toMatchObject({ ok: false });
  });

  it('a relay key is 64 lowercase hex digits', () => {
    expect(isRelayKey('ab'.repeat(32))).toBe(true);
    for (const bad of ['', 'AB'.repeat(32), 'ab'.repeat(31), `${'ab'.repeat(32)}0`, 'g'.repeat(64)]) expect(isRelayKey(bad)).toBe(false);
  });
});

describe('stored reach settings', () => {
  it('defaults: anyone with the invite, not announced, public bootstrap nodes, no relay', () => {
    const settings = readReachSettings(memory());
    expect(settings).toEqual({ hostReach: 'anyone', hostAnnounce: false, hostAtStart: false, dhtBootstrap: [], dhtRelay: null });
    expect(dhtSettingsFrom(settings)).toEqual({ bootstrap: null, relay: null });
  });

  it('round-trips changes and builds the DHT settings from them', () => {
    const repo = memory();
    const relay = 'cd'.repeat(32);
    writeReachSettings(repo, { hostReach: 'this-computer', hostAnnounce: true, dhtBootstrap: 'a.org:1 10.0.0.2:49737', dhtRelay: relay });
    const settings = readReachSettings(repo);
    expect(settings).toEqual({ hostReach: 'this-computer', hostAnnounce: true, hostAtStart: false, dhtBootstrap: ['a.org:1', '10.0.0.2:49737'], dhtRelay: relay });
    expect(dhtSettingsFrom(settings)).toEqual({ bootstrap: [{ host: 'a.org', port: 1 }, { host: '10.0.0.2', port: 49737 }], relay });
    writeReachSettings(repo, { dhtBootstrap: '', dhtRelay: null });
    expect(repo.map.has('dht-bootstrap')).toBe(false);
    expect(repo.map.has('dht-relay')).toBe(false);
  });

  it('refuses malformed changes even past the IPC schema', () => {
    expect(() => writeReachSettings(memory(), { dhtBootstrap: 'nonsense' })).toThrow(RangeError);
    expect(() => writeReachSettings(memory(), { dhtRelay: 'AB'.repeat(32) })).toThrow(RangeError);
  });

  it('falls back to the defaults for values edited into nonsense', () => {
    const repo = memory({ 'host-reach': 'everyone', 'host-announce': 'yes', 'dht-bootstrap': 'a.org:1 junk', 'dht-relay': 'XYZ' });
    expect(readReachSettings(repo)).toEqual({ hostReach: 'anyone', hostAnnounce: false, hostAtStart: false, dhtBootstrap: [], dhtRelay: null });
  });
});

describe('host when Parley starts (issue 12)', () => {
  it('is off until the first host turns it on; a later choice of the user is kept', () => {
    const repo = memory();
    expect(startupHosting(readReachSettings(repo), 47800)).toBeNull();
    noteHosted(repo);
    expect(readReachSettings(repo).hostAtStart).toBe(true);
    writeReachSettings(repo, { hostAtStart: false });
    noteHosted(repo);
    expect(readReachSettings(repo).hostAtStart).toBe(false);
  });

  it('hosts at start with the remembered who-can-join answer on the default port', () => {
    const repo = memory();
    writeReachSettings(repo, { hostReach: 'network', hostAnnounce: true, hostAtStart: true });
    expect(startupHosting(readReachSettings(repo), 47801)).toEqual({ port: 47801, bind: '0.0.0.0', dht: false, announce: true });
    writeReachSettings(repo, { hostReach: 'anyone' });
    expect(startupHosting(readReachSettings(repo), 47801)).toEqual({ port: 47801, bind: '0.0.0.0', dht: true, announce: false });
  });
});

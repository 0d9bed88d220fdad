/**
 * The service over HyperDHT on a local testnet (real UDP on 127.0.0.1, real hyperdht; no root,
 * no internet): a host on the DHT gives an invite with &dht=; a joiner whose TCP path is dead
 * (the invite's port is closed) connects through the DHT, with the same handshake and fingerprint
 * check; messages both ways; the joiner stores the host's DHT key; a new DHT key reaches the
 * connected contact (`reach`); after the host restarts, the joiner rejoins through the stored key
 * and its outbox is delivered. A DHT key that answers with another identity never passes.
 */
import { createServer } from 'node:net';
import type { Testnet } from 'hyperdht/testnet.js';
import { localTestnet } from '../helpers/testnet.ts';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseInvite, formatInvite } from '../../src/core/protocol/invite.ts';
import { ServiceError } from '../../src/core/service/errors.ts';
import { cleanupNodes, FAST, startNode, until, type NodeOptions } from '../helpers/services.ts';

let testnet: Testnet;
let dht: NodeOptions;

beforeAll(async () => {
  testnet = await localTestnet();
  dht = { ...FAST, dht: { bootstrap: testnet.bootstrap, host: '127.0.0.1' } };
});
afterEach(cleanupNodes);
afterAll(async () => {
  await testnet.destroy();
});

/** A TCP port on 127.0.0.1 with nothing listening (taken, then released). */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as { port: number };
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('reaching a host through the DHT', () => {
  it('joins by invite through the DHT when TCP cannot, talks both ways, and keeps the DHT key', async () => {
    const host = await startNode('Ada', dht);
    const hosting = await host.service.host({ port: 0, bind: '127.0.0.1', dht: true });
    expect(hosting.dht).toMatch(/^[0-9a-f]{64}$/);
    const invite = parseInvite(hosting.invite);
    expect(invite.dht).toBe(hosting.dht);
    await host.waitFor('hosting-changed', (e) => e.hosting.reachability?.state === 'yes', { timeoutMs: 20_000 });

    const joiner = await startNode('Bob', dht);
    // The TCP path of the invite leads nowhere: only the DHT can carry this join.
    const deadTcp = formatInvite({ host: '127.0.0.1', port: await closedPort(), fp: invite.fp, dht: invite.dht, name: 'Ada' });
    const { peer } = await joiner.service.join(deadTcp);
    expect(peer).toBe(host.fingerprint);
    const connected = await joiner.waitFor('connected');
    expect(connected.connection.path).toBe('dht');
    expect(joiner.service.contact(peer)?.verified).toBe(true); // the invite's fp matched

    const m = joiner.service.send(peer, 'over the DHT');
    await host.waitFor('message', (e) => e.message.id === m.id, { timeoutMs: 10_000 });
    await joiner.waitFor('message-state', (e) => e.id === m.id && e.state === 'delivered', { timeoutMs: 10_000 });
    const back = host.service.send(joiner.fingerprint, 'and back');
    await joiner.waitFor('message', (e) => e.message.id === back.id, { timeoutMs: 10_000 });

    // A new DHT key: the connected contact learns it at once (reach), the invite changes.
    const before = hosting.dht;
    const rekeyed = await host.service.newDhtKey();
    expect(rekeyed?.dht).toMatch(/^[0-9a-f]{64}$/);
    expect(rekeyed?.dht).not.toBe(before);
    expect(parseInvite(rekeyed?.invite ?? '').dht).toBe(rekeyed?.dht);
  }, 60_000);

  it('an invite whose DHT key answers with another identity fails as fingerprint-mismatch; nothing reaches the history', async () => {
    const real = await startNode('Ada', dht);
    const impostor = await startNode('Ada', dht);
    const realHosting = await real.service.host({ port: 0, bind: '127.0.0.1', dht: true });
    const fake = await impostor.service.host({ port: 0, bind: '127.0.0.1', dht: true });
    await impostor.waitFor('hosting-changed', (e) => e.hosting.reachability?.state === 'yes', { timeoutMs: 20_000 });
    // The real host's fingerprint with the impostor's DHT key, and a dead TCP address.
    const lure = formatInvite({ host: '127.0.0.1', port: await closedPort(), fp: real.fingerprint, dht: fake.dht, name: 'Ada' });
    expect(realHosting.dht).not.toBe(fake.dht);
    const joiner = await startNode('Bob', dht);
    const err = await joiner.service.join(lure).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServiceError);
    expect((err as ServiceError).code).toBe('fingerprint-mismatch');
    expect(joiner.service.contacts()).toEqual([]);
    expect(impostor.all('connected')).toEqual([]);
  }, 60_000);

  it('after the host restarts, the joiner rejoins through the stored DHT key and its outbox is delivered', async () => {
    let host = await startNode('Ada', dht);
    const hosting = await host.service.host({ port: 0, bind: '127.0.0.1', dht: true });
    await host.waitFor('hosting-changed', (e) => e.hosting.reachability?.state === 'yes', { timeoutMs: 20_000 });
    const joiner = await startNode('Bob', dht);
    const invite = parseInvite(hosting.invite);
    const { peer } = await joiner.service.join(formatInvite({ host: '127.0.0.1', port: await closedPort(), fp: invite.fp, dht: invite.dht, name: 'Ada' }));
    await host.waitFor('connected');

    await host.close();
    await joiner.waitFor('disconnected', undefined, { timeoutMs: 30_000 });
    const queued = joiner.service.send(peer, 'written while Ada was away');
    expect(queued.state).toBe('queued');

    host = await host.restart(dht);
    await host.service.host({ port: 0, bind: '127.0.0.1', dht: true });
    await host.waitFor('message', (e) => e.message.id === queued.id, { timeoutMs: 40_000 });
    await until(() => joiner.service.history(peer, { before: null, limit: 5 }).some((x) => x.id === queued.id && x.state === 'delivered'), 'delivered', 10_000);
  }, 90_000);
});

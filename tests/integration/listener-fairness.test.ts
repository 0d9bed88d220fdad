/**
 * Fairness per address (issue 11), over real TCP with a real host: many half-open sockets from one
 * address (a busy NAT, a carrier-grade NAT, one office) must not lock out a legitimate peer behind
 * that same address. At the per-address cap, a newcomer that sends message 1 displaces the oldest
 * connection from its address that has not; when every connection from there has spoken, or the
 * newcomer stays silent too, it is still refused.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { rawConnect, rawJoin, type RawSocket } from '../helpers/raw-peer.ts';
import { cleanupNodes, startHost, until } from '../helpers/services.ts';

const NAT = '127.0.0.2';
const CAP = 4;
const opened: { destroy(): void }[] = [];

afterEach(async () => {
  for (const s of opened.splice(0)) s.destroy();
  await cleanupNodes();
});

/** A host with a small per-address cap; the 10 s deadline keeps silent handshakes open throughout. */
async function natHost() {
  return startHost('Host', { listenerLimits: { maxPerAddress: CAP }, handshakeTimeoutMs: 10_000 });
}

async function silentSockets(port: number, n: number): Promise<RawSocket[]> {
  const out: RawSocket[] = [];
  for (let i = 0; i < n; i++) out.push(await rawConnect(port, { localAddress: NAT }));
  opened.push(...out);
  return out;
}

describe('at the per-address cap', () => {
  it('a newcomer that proceeds with the handshake displaces the oldest silent connection from its address', async () => {
    const { node: host, hosting } = await natHost();
    const silent = await silentSockets(hosting.port, CAP);
    const mark = host.mark();
    const session = await rawJoin(hosting.port, { localAddress: NAT, name: 'Behind the NAT' });
    opened.push(session.raw);
    await host.waitFor('connected', (e) => e.peer === session.fingerprint, { since: mark });
    await silent[0]?.closed;
    expect(silent.map((s) => s.isClosed())).toEqual([true, false, false, false]);

    // And again: the next one takes the place of the next oldest silent socket.
    const second = await rawJoin(hosting.port, { localAddress: NAT, name: 'Also behind it' });
    opened.push(second.raw);
    await host.waitFor('connected', (e) => e.peer === second.fingerprint, { since: mark });
    await silent[1]?.closed;
    expect(silent.map((s) => s.isClosed())).toEqual([true, true, false, false]);
  });

  it('a newcomer that stays silent is refused and displaces nobody', async () => {
    const { hosting } = await natHost();
    const silent = await silentSockets(hosting.port, CAP);
    const [late] = await silentSockets(hosting.port, 1);
    await late?.closed;
    expect(silent.map((s) => s.isClosed())).toEqual([false, false, false, false]);
  });

  it('when every connection from the address has spoken, a newcomer is refused as before', async () => {
    const { node: host, hosting } = await natHost();
    const mark = host.mark();
    const sessions = [];
    for (let i = 0; i < CAP; i++) sessions.push(await rawJoin(hosting.port, { localAddress: NAT, name: `peer ${i}` }));
    opened.push(...sessions.map((s) => s.raw));
    await until(() => host.events.slice(mark).filter((e) => e.type === 'connected').length === CAP, `${CAP} connected`);
    await expect(rawJoin(hosting.port, { localAddress: NAT, name: 'one too many' })).rejects.toThrow();
    expect(sessions.map((s) => s.raw.isClosed())).toEqual([false, false, false, false]);
  });

  it('other addresses are not affected: a peer from 127.0.0.1 needs no place from the NAT', async () => {
    const { node: host, hosting } = await natHost();
    const silent = await silentSockets(hosting.port, CAP);
    const mark = host.mark();
    const session = await rawJoin(hosting.port, { name: 'elsewhere' });
    opened.push(session.raw);
    await host.waitFor('connected', (e) => e.peer === session.fingerprint, { since: mark });
    expect(silent.map((s) => s.isClosed())).toEqual([false, false, false, false]);
  });
});

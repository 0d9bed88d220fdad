/**
 * Session life cycle over real TCP: replacement of an older connection with the same peer,
 * simultaneous joins in both directions (PROTOCOL.md section 4), keepalive with injected timers,
 * and auto-reconnect with a doubling backoff after the host restarts on the same port.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { rawJoin } from '../helpers/raw-peer.ts';
import { addressOf, cleanupNodes, startHost, startNode, until } from '../helpers/services.ts';

afterEach(cleanupNodes);

describe('replacement', () => {
  it('a second connection from the same peer replaces the first: disconnected(replaced) comes before connected', async () => {
    const { node: host, hosting } = await startHost('Bob');
    const guest = await startNode('Alice');
    await guest.service.join(addressOf(hosting.port));
    await host.waitFor('connected');
    const hostMark = host.mark();
    const guestMark = guest.mark();
    await guest.service.join(addressOf(hosting.port));
    for (const node of [host, guest]) {
      const since = node === host ? hostMark : guestMark;
      await node.waitFor('connected', () => true, { since });
      const seq = node.events.slice(since).filter((e) => e.type === 'connected' || e.type === 'disconnected');
      expect(seq.map((e) => (e.type === 'disconnected' ? `disconnected:${e.reason}` : e.type))).toEqual(['disconnected:replaced', 'connected']);
    }
    expect(host.service.connectedPeers()).toEqual([guest.fingerprint]);
    const m = guest.service.send(host.fingerprint, 'on the new one');
    await host.waitFor('message', (e) => e.message.id === m.id);
    await guest.waitFor('message-state', (e) => e.id === m.id && e.state === 'delivered');
    // Replacement is not a reason to rejoin.
    expect(guest.logs.filter((l) => l.line.includes('rejoining'))).toEqual([]);
  });

  it('unacknowledged messages are resent on the newer connection, and the older socket is closed', async () => {
    const { node: host, hosting } = await startHost('Bob');
    const older = await rawJoin(hosting.port, { name: 'Raw' });
    await host.waitFor('connected', (e) => e.peer === older.fingerprint);
    const m = host.service.send(older.fingerprint, 'please ack');
    expect(await older.receiveType('msg')).toMatchObject({ id: m.id });
    const mark = host.mark();
    const newer = await rawJoin(hosting.port, { key: older.key, name: 'Raw' });
    await host.waitFor('connected', (e) => e.peer === older.fingerprint, { since: mark });
    const seq = host.events.slice(mark).filter((e) => e.type === 'connected' || e.type === 'disconnected');
    expect(seq).toMatchObject([{ type: 'disconnected', peer: older.fingerprint, reason: 'replaced' }, { type: 'connected', peer: older.fingerprint }]);
    await older.raw.closed;
    expect(await newer.receiveType('msg')).toEqual({ type: 'msg', id: m.id, ts: m.ts, text: 'please ack' });
    newer.send({ type: 'ack', id: m.id });
    await host.waitFor('message-state', (e) => e.id === m.id && e.state === 'delivered');
    newer.raw.destroy();
  });
});

/** A TCP relay to 127.0.0.1:target that counts its open connections. */
async function countingRelay(target: number): Promise<{ port: number; open: () => number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  let open = 0;
  const server: Server = createServer((client) => {
    open++;
    const upstream = connect({ host: '127.0.0.1', port: target });
    let counted = true;
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => {
        if (counted) open--;
        counted = false;
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    open: () => open,
    close: () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

describe('simultaneous joins', () => {
  it('both keep the connection whose initiator has the smaller fingerprint, and it carries messages', async () => {
    const { node: a, hosting: ha } = await startHost('A');
    const { node: b, hosting: hb } = await startHost('B');
    // b reaches a through a relay, so the test can see which of the two connections survives.
    const relay = await countingRelay(ha.port);
    try {
      await Promise.all([a.service.join(addressOf(hb.port)), b.service.join(addressOf(relay.port))]);
      const keepBToA = b.fingerprint < a.fingerprint;
      await until(() => relay.open() === (keepBToA ? 1 : 0) && a.service.connectedPeers().length === 1 && b.service.connectedPeers().length === 1, 'one connection each');
      const m1 = a.service.send(b.fingerprint, 'from a');
      const m2 = b.service.send(a.fingerprint, 'from b');
      await b.waitFor('message', (e) => e.message.id === m1.id);
      await a.waitFor('message', (e) => e.message.id === m2.id);
      await a.waitFor('message-state', (e) => e.id === m1.id && e.state === 'delivered');
      await b.waitFor('message-state', (e) => e.id === m2.id && e.state === 'delivered');
      expect(relay.open()).toBe(keepBToA ? 1 : 0);
      expect(a.service.connectedPeers()).toEqual([b.fingerprint]);
      expect(b.service.connectedPeers()).toEqual([a.fingerprint]);
      // Neither side reported a protocol error or a timeout.
      for (const n of [a, b]) expect(n.all('disconnected').filter((e) => e.reason === 'protocol-error' || e.reason === 'timeout')).toEqual([]);
    } finally {
      await relay.close();
    }
  });
});

describe('keepalive', () => {
  it('pings after pingAfterMs of silence, answers ping with pong, and drops a silent peer after idleTimeoutMs (timeout)', async () => {
    const timers = { pingAfterMs: 150, idleTimeoutMs: 600 };
    const { node: host, hosting } = await startHost('Bob', { sessionTimers: timers });
    const raw = await rawJoin(hosting.port);
    const connectedAt = Date.now();
    await host.waitFor('connected');
    expect(await raw.receive()).toEqual({ type: 'ping' });
    expect(Date.now() - connectedAt).toBeGreaterThanOrEqual(timers.pingAfterMs - 10);
    raw.send({ type: 'pong' });
    // The host's silence starts when it reads our ping: no earlier than now.
    let lastHeard = Date.now();
    raw.send({ type: 'ping' });
    expect(await raw.receive()).toEqual({ type: 'pong' });
    expect(await raw.receive()).toEqual({ type: 'ping' }); // silence again: another ping
    expect(Date.now() - lastHeard).toBeGreaterThanOrEqual(timers.pingAfterMs - 10);
    raw.send({ type: 'pong' });
    lastHeard = Date.now();
    // From now on the raw peer stays silent.
    const dropped = await host.waitFor('disconnected', (e) => e.peer === raw.fingerprint);
    const closedAt = await raw.raw.closed;
    expect(dropped.reason).toBe('timeout');
    expect(closedAt - lastHeard).toBeGreaterThanOrEqual(timers.idleTimeoutMs - 10);
    expect(closedAt - lastHeard).toBeLessThan(timers.idleTimeoutMs + 1000);
    // It kept pinging while it waited.
    expect(raw.raw.frames.length).toBeGreaterThanOrEqual(4);
  });

  it('two services with short timers keep an idle connection alive with ping/pong', async () => {
    const timers = { pingAfterMs: 100, idleTimeoutMs: 500 };
    const { node: host, hosting } = await startHost('Bob', { sessionTimers: timers });
    const guest = await startNode('Alice', { sessionTimers: timers });
    await guest.service.join(addressOf(hosting.port));
    await host.waitFor('connected');
    await new Promise((r) => setTimeout(r, 2.5 * timers.idleTimeoutMs)); // idle, on purpose
    expect(host.all('disconnected')).toEqual([]);
    expect(guest.all('disconnected')).toEqual([]);
    const m = guest.service.send(host.fingerprint, 'still here');
    await guest.waitFor('message-state', (e) => e.id === m.id && e.state === 'delivered');
  });
});

describe('auto-reconnect', () => {
  it('a joiner comes back by itself when the host restarts on the same port, with doubling delays', async () => {
    const backoff = { initialMs: 50, maxMs: 400, jitter: 0 };
    const { node: host, hosting } = await startHost('Bob');
    const guest = await startNode('Alice', { backoff });
    await guest.service.join(addressOf(hosting.port));
    await host.waitFor('connected');
    await host.close();
    const down = await guest.waitFor('disconnected');
    const downAt = guest.times[guest.events.indexOf(down)] as number;
    expect(down.reason).toBe('closed');
    const queued = guest.service.send(host.fingerprint, 'sent while the host was down');
    expect(queued.state).toBe('queued');

    // Attempts fail at once (nothing listens): their times are the backoff schedule.
    await until(() => guest.logs.filter((l) => l.line.includes('rejoining')).length >= 5, 'five failed rejoins', 6000);
    const failures = guest.logs.filter((l) => l.line.includes('rejoining')).map((l) => l.at);
    const gaps = [failures[0] as number - downAt, ...failures.slice(1, 5).map((t, i) => t - (failures[i] as number))];
    const expected = [50, 100, 200, 400, 400];
    for (const [i, gap] of gaps.entries()) {
      expect(gap, `gap ${i} of ${gaps.join(', ')}`).toBeGreaterThanOrEqual((expected[i] as number) - 15);
      expect(gap, `gap ${i} of ${gaps.join(', ')}`).toBeLessThan((expected[i] as number) + 600);
    }

    const mark = guest.mark();
    const restarted = await host.restart();
    await restarted.host(hosting.port);
    const back = await guest.waitFor('connected', () => true, { since: mark, timeoutMs: 3000 });
    expect(back.peer).toBe(host.fingerprint);
    await restarted.waitFor('message', (e) => e.message.id === queued.id);
    await guest.waitFor('message-state', (e) => e.id === queued.id && e.state === 'delivered');
    // The host never dials its joiners.
    expect(restarted.logs.filter((l) => l.line.includes('rejoining'))).toEqual([]);

    // Once the user disconnects, it stays away.
    guest.service.disconnect(host.fingerprint);
    await restarted.waitFor('disconnected');
    await new Promise((r) => setTimeout(r, 3 * backoff.initialMs));
    expect(guest.service.connectedPeers()).toEqual([]);
    expect(restarted.all('connected')).toHaveLength(1);
  });

  it('after both restart, rejoinKnown brings back the contacts this node had joined (and only those)', async () => {
    const backoff = { initialMs: 50, maxMs: 400, jitter: 0 };
    const { node: host, hosting } = await startHost('Bob');
    const guest = await startNode('Alice', { backoff });
    await guest.service.join(addressOf(hosting.port));
    await host.waitFor('connected');
    await guest.close();
    await host.close();

    const host2 = await host.restart();
    await host2.host(hosting.port);
    const guest2 = await guest.restart({ backoff });
    expect(guest2.service.connectedPeers()).toEqual([]);
    const queued = guest2.service.send(host.fingerprint, 'written before the session came back');
    // The host only ever accepted Alice: it has no address of hers, so it schedules nothing.
    expect(host2.service.rejoinKnown()).toBe(0);
    expect(guest2.service.rejoinKnown()).toBe(1);
    expect(guest2.service.rejoinKnown()).toBe(0); // already scheduled
    const back = await guest2.waitFor('connected', () => true, { timeoutMs: 3000 });
    expect(back.peer).toBe(host.fingerprint);
    await guest2.waitFor('message-state', (e) => e.id === queued.id && e.state === 'delivered');
  });

  it('disconnecting a contact that is being rejoined stops the attempts (and is not an error)', async () => {
    const { node: host, hosting } = await startHost('Bob');
    const guest = await startNode('Alice', { backoff: { initialMs: 50, maxMs: 50, jitter: 0 } });
    await guest.service.join(addressOf(hosting.port));
    await host.waitFor('connected');
    await host.close();
    await until(() => guest.logs.filter((l) => l.line.includes('rejoining')).length >= 2, 'two failed rejoins');
    expect(() => guest.service.disconnect(host.fingerprint)).not.toThrow();
    const attempts = guest.logs.length;
    await new Promise((r) => setTimeout(r, 300));
    expect(guest.logs.slice(attempts).filter((l) => l.line.includes('rejoining'))).toEqual([]);
    // Disconnecting a contact that is neither connected nor being rejoined is still no-peer.
    expect(() => guest.service.disconnect(host.fingerprint)).toThrow(/not connected/);
  });

  it('rejoinNow ("Try now") tries at once instead of waiting out the backoff, and says whether it worked', async () => {
    // A backoff far longer than the test: only rejoinNow can bring the contact back in time.
    const backoff = { initialMs: 60_000, maxMs: 60_000, jitter: 0 };
    const { node: host, hosting } = await startHost('Bob');
    const guest = await startNode('Alice', { backoff });
    await guest.service.join(addressOf(hosting.port));
    await host.waitFor('connected');
    await host.close();
    await guest.waitFor('disconnected');
    // Nobody listens now: the attempt fails and says so.
    expect(await guest.service.rejoinNow(host.fingerprint)).toBe(false);
    const host2 = await host.restart();
    await host2.host(hosting.port);
    expect(await guest.service.rejoinNow(host.fingerprint)).toBe(true);
    expect(guest.service.connectedPeers()).toEqual([host.fingerprint]);
    // Already connected: nothing to do, and true.
    expect(await guest.service.rejoinNow(host.fingerprint)).toBe(true);
  });

  it('an offline contact being rejoined says so (rejoining: the next attempt time, or null while one is under way), and stops saying so on connect and on disconnect', async () => {
    const backoff = { initialMs: 60_000, maxMs: 60_000, jitter: 0 };
    const { node: host, hosting } = await startHost('Bob');
    const guest = await startNode('Alice', { backoff });
    await guest.service.join(addressOf(hosting.port));
    await host.waitFor('connected');
    expect(guest.service.contact(host.fingerprint)?.rejoining).toBeNull();
    const drop = guest.mark();
    const before = Date.now();
    await host.close();
    const scheduled = await guest.waitFor('contact-changed', (e) => e.contact.fingerprint === host.fingerprint && e.contact.rejoining !== null, { since: drop });
    expect(scheduled.contact.online).toBe(false);
    expect(scheduled.contact.rejoining?.next).toBeGreaterThanOrEqual(before + backoff.initialMs);
    expect(guest.service.contact(host.fingerprint)?.rejoining).toEqual(scheduled.contact.rejoining);

    // "Try now" while nothing listens: under way (next null), then scheduled again.
    const tried = guest.mark();
    expect(await guest.service.rejoinNow(host.fingerprint)).toBe(false);
    const since = guest.events.slice(tried).flatMap((e) => (e.type === 'contact-changed' && e.contact.fingerprint === host.fingerprint ? [e.contact.rejoining] : []));
    expect(since.map((r) => (r === null ? 'none' : r.next === null ? 'trying' : 'scheduled'))).toEqual(['trying', 'scheduled']);

    // Back: connected, and not "reconnecting" any more.
    const host2 = await host.restart();
    await host2.host(hosting.port);
    const up = guest.mark();
    expect(await guest.service.rejoinNow(host.fingerprint)).toBe(true);
    const last = await guest.waitFor('contact-changed', (e) => e.contact.fingerprint === host.fingerprint && e.contact.online, { since: up });
    expect(last.contact.rejoining).toBeNull();
    expect(guest.service.contact(host.fingerprint)).toMatchObject({ online: true, rejoining: null });

    // Dropped again, then the user disconnects: the schedule is gone and the contact says so.
    const again = guest.mark();
    await host2.close();
    await guest.waitFor('contact-changed', (e) => e.contact.fingerprint === host.fingerprint && e.contact.rejoining !== null, { since: again });
    const stop = guest.mark();
    guest.service.disconnect(host.fingerprint);
    const stopped = await guest.waitFor('contact-changed', (e) => e.contact.fingerprint === host.fingerprint, { since: stop });
    expect(stopped.contact.rejoining).toBeNull();
    expect(guest.service.contact(host.fingerprint)?.rejoining).toBeNull();
  });

  it('rejoinNow answers false for a contact there is no way to reach (it joined us: no saved address)', async () => {
    const { node: host, hosting } = await startHost('Bob');
    const guest = await startNode('Alice');
    await guest.service.join(addressOf(hosting.port));
    await host.waitFor('connected');
    await guest.close();
    await host.waitFor('disconnected');
    expect(await host.service.rejoinNow(guest.fingerprint)).toBe(false);
  });
});

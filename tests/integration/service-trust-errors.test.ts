/**
 * Trust on first use (PROTOCOL.md section 6) and every error code of the service, over real TCP:
 * key-changed and name-collision warnings (the new key is a separate, unverified contact that
 * gets nothing queued for the old one), fingerprint-mismatch before any message, port-in-use,
 * the ways a connection fails, handshake failures and timeouts, and bad input.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { formatInvite } from '../../src/core/protocol/invite.ts';
import { ServiceError } from '../../src/core/service/errors.ts';
import { addressOf, cleanupNodes, startHost, startNode, until, type TestNode } from '../helpers/services.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
  await cleanupNodes();
});

/** The ServiceError code a promise or a call fails with. */
async function codeOf(action: Promise<unknown> | (() => unknown)): Promise<string> {
  try {
    await (typeof action === 'function' ? action() : action);
  } catch (err) {
    expect(err).toBeInstanceOf(ServiceError);
    return (err as ServiceError).code;
  }
  throw new Error('expected a ServiceError, but it succeeded');
}

/** A TCP server on 127.0.0.1 with a hand-written behaviour for each accepted socket. */
async function tcpServer(onSocket: (s: Socket) => void): Promise<{ port: number }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    onSocket(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(
    () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  );
  return { port: (server.address() as { port: number }).port };
}

/** Joins 127.0.0.1:port and waits until both sides report the connection. */
async function connectTo(guest: TestNode, host: TestNode, port: number, target = addressOf(port)): Promise<void> {
  const g = guest.mark();
  const h = host.mark();
  await guest.service.join(target);
  await guest.waitFor('connected', (e) => e.peer === host.fingerprint, { since: g });
  await host.waitFor('connected', (e) => e.peer === guest.fingerprint, { since: h });
}

describe('key-changed', () => {
  it('rejoining a saved address that answers with another key: warning first, a separate unverified contact, nothing queued for the old key goes to it', async () => {
    const { node: bob, hosting } = await startHost('Bob');
    const alice = await startNode('Alice');
    await connectTo(alice, bob, hosting.port);
    alice.service.disconnect(bob.fingerprint);
    await bob.waitFor('disconnected');
    const queued = alice.service.send(bob.fingerprint, 'for Bob only');
    await bob.close();

    const mallory = await startNode('Mallory');
    await mallory.host(hosting.port);
    const mark = alice.mark();
    const { peer } = await alice.service.join(addressOf(hosting.port));
    expect(peer).toBe(mallory.fingerprint);
    const warning = await alice.waitFor('warning', () => true, { since: mark });
    expect(warning).toMatchObject({ code: 'key-changed', peer: mallory.fingerprint, previous: bob.fingerprint });
    expect(warning.message).toMatch(/new key/);
    const types = alice.events.slice(mark).map((e) => e.type);
    expect(types.indexOf('warning')).toBeLessThan(types.indexOf('connected'));
    expect(types).not.toContain('message');
    expect(alice.service.contact(mallory.fingerprint)).toMatchObject({ verified: false, replaces: bob.fingerprint, blocked: null });
    expect(alice.service.contact(bob.fingerprint)).toMatchObject({ fingerprint: bob.fingerprint, online: false });

    // A message sent to the new contact after connecting arrives; the old contact's queued one never does.
    const probe = alice.service.send(mallory.fingerprint, 'who are you?');
    await mallory.waitFor('message', (e) => e.message.id === probe.id);
    expect(mallory.all('message').map((e) => e.message.text)).toEqual(['who are you?']);
    expect(alice.service.history(bob.fingerprint, { before: null, limit: 5 }).map((m) => [m.id, m.state])).toEqual([[queued.id, 'queued']]);
  });

  it('when the old contact was verified, sending to the new key is held until the user decides', async () => {
    const { node: bob, hosting } = await startHost('Bob');
    const alice = await startNode('Alice');
    await connectTo(alice, bob, hosting.port, hosting.invite);
    expect(alice.service.contact(bob.fingerprint)?.verified).toBe(true);
    alice.service.disconnect(bob.fingerprint);
    await bob.close();
    const mallory = await startNode('Mallory');
    await mallory.host(hosting.port);
    await alice.service.join(addressOf(hosting.port));
    await alice.waitFor('warning', (e) => e.code === 'key-changed' && e.peer === mallory.fingerprint);
    expect(alice.service.contact(mallory.fingerprint)).toMatchObject({ verified: false, blocked: 'key-changed' });
    expect(await codeOf(() => alice.service.send(mallory.fingerprint, 'hi'))).toBe('send-blocked');
    alice.service.acceptKey(mallory.fingerprint);
    const m = alice.service.send(mallory.fingerprint, 'hi');
    await mallory.waitFor('message', (e) => e.message.id === m.id);
    expect(alice.service.contact(mallory.fingerprint)?.verified).toBe(false);
  });

  it('auto-reconnect to an address now held by another key warns and stops rejoining the old contact', async () => {
    const { node: bob, hosting } = await startHost('Bob');
    const alice = await startNode('Alice', { backoff: { initialMs: 50, maxMs: 200, jitter: 0 } });
    await connectTo(alice, bob, hosting.port);
    await bob.close();
    await alice.waitFor('disconnected');
    const queued = alice.service.send(bob.fingerprint, 'for Bob only');
    const mallory = await startNode('Mallory');
    await mallory.host(hosting.port);
    const warning = await alice.waitFor('warning');
    expect(warning).toMatchObject({ code: 'key-changed', peer: mallory.fingerprint, previous: bob.fingerprint });
    await mallory.waitFor('connected', (e) => e.peer === alice.fingerprint);
    const probe = alice.service.send(mallory.fingerprint, 'probe');
    await mallory.waitFor('message', (e) => e.message.id === probe.id);
    expect(mallory.all('message').map((e) => e.message.id)).toEqual([probe.id]);
    expect(alice.service.history(bob.fingerprint, { before: null, limit: 5 })[0]).toMatchObject({ id: queued.id, state: 'queued' });
    // Mallory goes away: Alice does not dial the address again on Bob's behalf (nor on Mallory's: she never joined Mallory).
    const attempts = alice.logs.length;
    await mallory.close();
    await alice.waitFor('disconnected', (e) => e.peer === mallory.fingerprint);
    await new Promise((r) => setTimeout(r, 300));
    expect(alice.logs.slice(attempts).filter((l) => l.line.includes('rejoining'))).toEqual([]);
  });
});

describe('name-collision', () => {
  it('a new identity with the name of a known contact: warning before connected, separate contact, held, nothing queued for the old one', async () => {
    const { node: host, hosting } = await startHost('Host');
    const alice1 = await startNode('Alice');
    await connectTo(alice1, host, hosting.port);
    alice1.service.disconnect(host.fingerprint);
    await host.waitFor('disconnected');
    const queued = host.service.send(alice1.fingerprint, 'for the first Alice');

    const alice2 = await startNode('Alice');
    const mark = host.mark();
    await alice2.service.join(addressOf(hosting.port));
    await host.waitFor('connected', (e) => e.peer === alice2.fingerprint, { since: mark });
    const seq = host.events.slice(mark).map((e) => e.type);
    expect(seq.indexOf('warning')).toBeGreaterThanOrEqual(0);
    expect(seq.indexOf('warning')).toBeLessThan(seq.indexOf('connected'));
    expect(host.all('warning')).toMatchObject([{ code: 'name-collision', peer: alice2.fingerprint, previous: alice1.fingerprint }]);
    expect(host.service.contact(alice2.fingerprint)).toMatchObject({ name: 'Alice', verified: false, blocked: 'name-collision', replaces: alice1.fingerprint });
    expect(await codeOf(() => host.service.send(alice2.fingerprint, 'hi'))).toBe('send-blocked');
    // A round trip on the new connection proves the session is up; nothing reached the second Alice.
    const m = alice2.service.send(host.fingerprint, 'hello');
    await alice2.waitFor('message-state', (e) => e.id === m.id && e.state === 'delivered');
    expect(alice2.all('message')).toEqual([]);
    expect(host.service.history(alice1.fingerprint, { before: null, limit: 5 })[0]).toMatchObject({ id: queued.id, state: 'queued' });
    // The joiner side warns too when it meets a host named like a contact: not here (no known "Host" before).
    expect(alice2.all('warning')).toEqual([]);
  });

  it('an empty name is no claim: two nameless peers raise no warning', async () => {
    const { node: host, hosting } = await startHost('Host');
    const a = await startNode('');
    const b = await startNode('');
    await connectTo(a, host, hosting.port);
    await connectTo(b, host, hosting.port);
    expect(host.all('warning')).toEqual([]);
  });
});

describe('errors', () => {
  it('fingerprint-mismatch aborts before message 3: no contact, no connected, no message on either side', async () => {
    const { node: bob, hosting } = await startHost('Bob');
    const alice = await startNode('Alice');
    await connectTo(alice, bob, hosting.port);
    alice.service.disconnect(bob.fingerprint);
    await bob.waitFor('disconnected');
    alice.service.send(bob.fingerprint, 'queued for Bob');
    const { node: impostor, hosting: fake } = await startHost('Bob');
    const invite = formatInvite({ host: '127.0.0.1', port: fake.port, fp: bob.fingerprint, name: 'Bob' });
    const mark = alice.mark();
    const err = await alice.service.join(invite).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServiceError);
    expect((err as ServiceError).code).toBe('fingerprint-mismatch');
    expect((err as ServiceError).message).toMatch(/intercepted/);
    expect(alice.events.slice(mark).filter((e) => e.type === 'connected' || e.type === 'message' || e.type === 'warning')).toEqual([]);
    expect(alice.service.contacts().map((c) => c.fingerprint)).toEqual([bob.fingerprint]);
    await until(() => impostor.logs.some((l) => l.line.includes('handshake')), 'the impostor to see the handshake fail');
    expect(impostor.all('connected')).toEqual([]);
    expect(impostor.all('message')).toEqual([]);
    expect(impostor.service.contacts()).toEqual([]);
  });

  it('joining this node itself (its own invite) is bad-input: no contact, no connection, no rejoining', async () => {
    const { node: host, hosting } = await startHost('Narcissus', { backoff: { initialMs: 20, maxMs: 20, jitter: 0 } });
    expect(await codeOf(host.service.join(hosting.invite))).toBe('bad-input');
    expect(await codeOf(host.service.join(addressOf(hosting.port)))).toBe('bad-input');
    await new Promise((r) => setTimeout(r, 200));
    expect(host.all('connected')).toEqual([]);
    expect(host.service.contacts()).toEqual([]);
    expect(host.service.connectedPeers()).toEqual([]);
  });

  it('port-in-use when the port is taken', async () => {
    const { hosting } = await startHost('Bob');
    const other = await startNode('Other');
    expect(await codeOf(other.service.host({ port: hosting.port, bind: '127.0.0.1' }))).toBe('port-in-use');
    expect(other.service.hosting()).toBeNull();
  });

  it('connect-refused, connect-failed (a name that does not resolve) and connect-timeout', async () => {
    const alice = await startNode('Alice', { connectTimeoutMs: 300 });
    const closed = await tcpServer(() => undefined);
    const port = closed.port;
    await cleanups.pop()?.(); // close it again: nothing listens on `port` now
    expect(await codeOf(alice.service.join(addressOf(port)))).toBe('connect-refused');
    expect(await codeOf(alice.service.join('nothing.invalid:47800'))).toBe('connect-failed');
    const stalled = await stalledListener();
    const start = Date.now();
    expect(await codeOf(alice.service.join(addressOf(stalled)))).toBe('connect-timeout');
    expect(Date.now() - start).toBeGreaterThanOrEqual(290);
    expect(alice.service.contacts()).toEqual([]);
  });

  it('handshake-failed for a server that answers with garbage or a zero-length frame, handshake-timeout for one that says nothing', async () => {
    const alice = await startNode('Alice', { handshakeTimeoutMs: 300 });
    const garbage = await tcpServer((s) => s.once('data', () => s.write(Buffer.concat([Buffer.from([0, 120]), randomBytes(120)]))));
    const zero = await tcpServer((s) => s.once('data', () => s.write(Buffer.from([0, 0]))));
    const closer = await tcpServer((s) => s.once('data', () => s.destroy()));
    const silent = await tcpServer(() => undefined);
    expect(await codeOf(alice.service.join(addressOf(garbage.port)))).toBe('handshake-failed');
    expect(await codeOf(alice.service.join(addressOf(zero.port)))).toBe('handshake-failed');
    expect(await codeOf(alice.service.join(addressOf(closer.port)))).toBe('handshake-failed');
    const start = Date.now();
    expect(await codeOf(alice.service.join(addressOf(silent.port)))).toBe('handshake-timeout');
    expect(Date.now() - start).toBeGreaterThanOrEqual(290);
    expect(alice.service.contacts()).toEqual([]);
  });

  it('no-peer, message-too-long and bad-input', async () => {
    const { node: host, hosting } = await startHost('Bob');
    const alice = await startNode('Alice');
    await connectTo(alice, host, hosting.port);
    const unknown = 'ab'.repeat(32);
    expect(await codeOf(() => alice.service.send(unknown, 'hi'))).toBe('no-peer');
    expect(await codeOf(() => alice.service.send('not a fingerprint', 'hi'))).toBe('no-peer');
    expect(await codeOf(() => alice.service.verify(unknown, 'fingerprint'))).toBe('no-peer');
    expect(await codeOf(() => alice.service.history(unknown, { before: null, limit: 10 }))).toBe('no-peer');
    expect(await codeOf(() => alice.service.disconnect(unknown))).toBe('no-peer');

    expect(await codeOf(() => alice.service.send(host.fingerprint, 'x'.repeat(16_001)))).toBe('message-too-long');
    expect(await codeOf(() => alice.service.send(host.fingerprint, '🦜'.repeat(16_001)))).toBe('message-too-long');
    for (const bad of ['', 'carriage\rreturn', 'nul\u0000', 'del\u007f', 'esc\u001b[31m', 'lone \ud800 surrogate']) {
      expect(await codeOf(() => alice.service.send(host.fingerprint, bad)), JSON.stringify(bad)).toBe('bad-input');
    }
    for (const target of ['', 'localhost', '127.0.0.1:0', '127.0.0.1:65536', 'parley://127.0.0.1:1', '999.1.1.1:80', 'parley://127.0.0.1?fp=XYZ', `parley://127.0.0.1:047800?fp=${'0'.repeat(64)}`]) {
      expect(await codeOf(alice.service.join(target)), target).toBe('bad-input');
    }
    expect(await codeOf(() => alice.service.setName('x'.repeat(65)))).toBe('bad-input');
    expect(await codeOf(() => alice.service.setName('tab\tname'))).toBe('bad-input');
    // Our own name refuses C1 controls too (issue 11), though a peer's hello may carry them.
    expect(await codeOf(() => alice.service.setName('Bob\u0085'))).toBe('bad-input');
    expect(await codeOf(() => alice.service.setName('Bo\u009fb'))).toBe('bad-input');
    // Nothing of this reached the host, and the connection is still fine.
    const m = alice.service.send(host.fingerprint, '🦜'.repeat(16_000));
    await host.waitFor('message', (e) => e.message.id === m.id);
    expect(host.all('message')).toHaveLength(1);
  });
});

/**
 * A port whose TCP connects hang: a child process listens with a backlog of 1 and is stopped
 * (SIGSTOP), so it never accepts; once its accept queue is full the kernel drops further SYNs.
 */
async function stalledListener(): Promise<number> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['-e', "const s=require('net').createServer();s.listen({host:'127.0.0.1',port:0,backlog:1},()=>console.log(s.address().port))"],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const fillers: Socket[] = [];
  cleanups.push(() => {
    for (const f of fillers) f.destroy();
    child.kill('SIGKILL');
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout?.once('data', (d: Buffer) => resolve(Number(String(d).trim())));
    child.once('error', reject);
  });
  child.kill('SIGSTOP');
  // Fill the accept queue; the first connects complete in the kernel, the rest hang.
  for (let i = 0; i < 4; i++) {
    const f = connect({ host: '127.0.0.1', port });
    f.on('error', () => undefined);
    fillers.push(f);
  }
  await until(() => fillers.filter((f) => !f.connecting).length >= 2, 'the accept queue to fill', 2000);
  return port;
}

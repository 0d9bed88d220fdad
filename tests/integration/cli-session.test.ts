/**
 * The CLI contract in a session (CLI.md): message / delivered / verified / disconnected events,
 * every standard-input rule (plain lines, CRLF, spaces, JSON commands, the error each bad line
 * prints), sends to a known peer that is offline, the key-changed and name-collision warnings,
 * and the order of events when a connection replaces another. Where the other side is not under
 * test it is an in-process service or a raw peer (cheaper than another process).
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expectContract, killPeers, spawnHost, spawnPeer as spawnRaw, type CliPeer } from '../helpers/cli-peer.ts';
import { rawJoin } from '../helpers/raw-peer.ts';
import { addressOf, cleanupNodes, startHost, startNode, tempDir } from '../helpers/services.ts';

const SLOW = { timeout: 60_000 };

const peers: CliPeer[] = [];
function spawnPeer(args: readonly string[]): CliPeer {
  const p = spawnRaw(args);
  peers.push(p);
  return p;
}

afterAll(async () => {
  await killPeers();
  await cleanupNodes();
  for (const p of peers.splice(0)) expectContract(p);
});

async function dataDir(): Promise<string> {
  return join(await tempDir('parley-cli-'), 'data');
}

async function host(extra: readonly string[] = [], data?: string): Promise<Awaited<ReturnType<typeof spawnHost>>> {
  const h = await spawnHost(data ?? (await dataDir()), extra);
  peers.push(h.peer);
  return h;
}

/** Spawns `join target` and waits until it is connected. */
async function joined(target: string, data: string, extra: readonly string[] = []): Promise<{ peer: CliPeer; fingerprint: string }> {
  const peer = spawnPeer(['join', target, '--data', data, '--json', ...extra]);
  const ready = await peer.waitFor('ready');
  await peer.waitFor('connected');
  return { peer, fingerprint: ready['fingerprint'] as string };
}

describe.concurrent('a session', () => {
  it('message and delivered both ways with matching ids; verify prints verified; quit; no-peer; a send to an offline contact waits for its next connection', SLOW, async () => {
    const h = await host(['--name', 'Bob']);
    const dir = await dataDir();
    const j = await joined(h.invite, dir, ['--name', 'Alice']);
    await h.peer.waitFor('connected');
    j.peer.send('hello');
    const got = await h.peer.waitFor('message');
    expect(got).toEqual({ event: 'message', peer: j.fingerprint, id: expect.any(String), ts: expect.any(Number), text: 'hello' });
    expect(Math.abs((got['ts'] as number) - Date.now())).toBeLessThan(60_000);
    expect(await j.peer.waitFor('delivered')).toEqual({ event: 'delivered', peer: h.fingerprint, id: got['id'] });

    h.peer.command({ cmd: 'send', peer: j.fingerprint, text: 'line one\nline two\twith a tab' });
    const back = await j.peer.waitFor('message');
    expect(back).toEqual({ event: 'message', peer: h.fingerprint, id: expect.any(String), ts: expect.any(Number), text: 'line one\nline two\twith a tab' });
    expect(await h.peer.waitFor('delivered')).toEqual({ event: 'delivered', peer: j.fingerprint, id: back['id'] });

    h.peer.command({ cmd: 'verify', peer: j.fingerprint });
    expect(await h.peer.waitFor('verified')).toEqual({ event: 'verified', peer: j.fingerprint });

    j.peer.command({ cmd: 'quit' });
    expect(await j.peer.waitFor('disconnected')).toEqual({ event: 'disconnected', peer: h.fingerprint, reason: 'quit' });
    expect((await j.peer.exited).code).toBe(0);
    expect(await h.peer.waitFor('disconnected')).toEqual({ event: 'disconnected', peer: j.fingerprint, reason: 'closed' });

    // Nobody is connected: a plain line is no-peer, and the host goes on.
    h.peer.send('anyone there?');
    expect((await h.peer.waitFor('error'))['code']).toBe('no-peer');
    // Alice is a known contact, offline: the message is kept and sent on her next connection.
    h.peer.command({ cmd: 'send', peer: j.fingerprint, text: 'while you were away' });
    const alice = await startNode('Alice', {}, dir); // the same identity, now in this process
    await alice.service.join(addressOf(h.port));
    const kept = await alice.waitFor('message');
    expect(kept.message.text).toBe('while you were away');
    expect(await h.peer.waitFor('delivered', (e) => e['id'] === kept.message.id)).toEqual({ event: 'delivered', peer: j.fingerprint, id: kept.message.id });
    expect((await h.peer.waitFor('connected', () => true, { since: 4 }))['verified']).toBe(true);
    expect(h.peer.all('error')).toHaveLength(1);
    h.peer.end();
    expect((await h.peer.exited).code).toBe(0);
  });

  it('standard input: plain lines, CRLF, spaces, JSON commands, and the error each bad line prints, in order', SLOW, async () => {
    const { node: bob, hosting } = await startHost('Bob');
    const j = await joined(hosting.invite, await dataDir());
    const stranger = 'ab'.repeat(32);
    const lines = [
      'crlf line\r', // the CR belongs to the line end
      '   ', // a line of spaces is a message
      '', // empty: bad-input
      '{"cmd":"dance"}', // unknown command: bad-input
      '{}', // an object without cmd: bad-input
      JSON.stringify({ cmd: 'send', peer: bob.fingerprint }), // missing text: bad-input
      JSON.stringify({ cmd: 'send', peer: 7, text: 'x' }), // wrong type: bad-input
      JSON.stringify({ cmd: 'verify' }), // missing peer: bad-input
      JSON.stringify({ cmd: 'send', peer: bob.fingerprint, text: '' }), // empty text: bad-input
      JSON.stringify({ cmd: 'send', peer: bob.fingerprint, text: 'a\rb' }), // control character: bad-input
      'bell \u0007', // control character in a plain line: bad-input
      'lone\rcr', // a CR not right before the LF is part of the line: bad-input
      'tab\there', // TAB is fine
      'x'.repeat(16_001), // message-too-long
      JSON.stringify({ cmd: 'send', peer: bob.fingerprint, text: '🦜'.repeat(16_001) }), // message-too-long
      '🦜'.repeat(16_000), // exactly the limit: fine
      JSON.stringify({ cmd: 'send', peer: stranger, text: 'x' }), // no-peer
      JSON.stringify({ cmd: 'verify', peer: stranger }), // no-peer
      JSON.stringify({ cmd: 'send', peer: 'not hex', text: 'x' }), // no-peer
      '[1,2]', // JSON, but not an object: a plain line
      '42',
      JSON.stringify({ cmd: 'send', peer: bob.fingerprint, text: 'multi\nline\n' }),
      'last',
    ];
    j.peer.write(lines.map((l) => `${l}\n`).join(''));
    const last = await bob.waitFor('message', (e) => e.message.text === 'last', { timeoutMs: 20_000 });
    // Its stdout is in order: once this delivered is read, every error before it has been too.
    await j.peer.waitFor('delivered', (e) => e['id'] === last.message.id);
    expect(bob.all('message').map((e) => e.message.text)).toEqual(['crlf line', '   ', 'tab\there', '🦜'.repeat(16_000), '[1,2]', '42', 'multi\nline\n', 'last']);
    expect(j.peer.all('error').map((e) => e['code'])).toEqual([...Array<string>(10).fill('bad-input'), 'message-too-long', 'message-too-long', 'no-peer', 'no-peer', 'no-peer']);
    expect(j.peer.all('delivered').map((e) => e['id'])).toEqual(bob.all('message').map((e) => e.message.id));
    // Still connected after all that; the end of input closes cleanly and exits 0.
    j.peer.end();
    expect((await j.peer.exited).code).toBe(0);
    expect(j.peer.all('disconnected')).toEqual([{ event: 'disconnected', peer: bob.fingerprint, reason: 'quit' }]);
    expect((await bob.waitFor('disconnected')).reason).toBe('closed');
  });
});

describe.concurrent('plain lines on a host (issue 11)', () => {
  it('go to the first verified peer, never to a stranger who connected later; none verified is no-peer naming the send command', SLOW, async () => {
    const h = await host(['--name', 'Host']);
    const alice = await startNode('Alice', { autoReconnect: false });
    await alice.service.join(h.invite);
    await h.peer.waitFor('connected', (e) => e['peer'] === alice.fingerprint);

    // Alice joined with the invite, but the host has not verified her: nobody to send plain lines to.
    h.peer.send('to whom?');
    const error = await h.peer.waitFor('error');
    expect(error['code']).toBe('no-peer');
    expect(error['message']).toContain('{"cmd":"send"');

    h.peer.command({ cmd: 'verify', peer: alice.fingerprint });
    await h.peer.waitFor('verified');
    // A stranger connects afterwards: the most recent connection, but not the one plain lines go to.
    const mallory = await startNode('Mallory', { autoReconnect: false });
    await mallory.service.join(h.invite);
    await h.peer.waitFor('connected', (e) => e['peer'] === mallory.fingerprint);

    h.peer.send('for Alice');
    const first = await alice.waitFor('message');
    expect(first.message.text).toBe('for Alice');
    // Reaching the stranger takes an explicit send, and does not switch where plain lines go.
    h.peer.command({ cmd: 'send', peer: mallory.fingerprint, text: 'addressed to Mallory' });
    await mallory.waitFor('message');
    h.peer.send('for Alice again');
    const second = await alice.waitFor('message', (e) => e.message.id !== first.message.id);
    expect(second.message.text).toBe('for Alice again');
    await h.peer.waitFor('delivered', (e) => e['id'] === second.message.id);
    expect(mallory.all('message').map((e) => e.message.text)).toEqual(['addressed to Mallory']);
    expect(h.peer.all('error')).toHaveLength(1);
  });

  it('an already verified contact that connects is the target; a stranger connecting first gets nothing', SLOW, async () => {
    const dir = await dataDir();
    const { peer: h, invite } = await host([], dir);
    const alice = await startNode('Alice', { autoReconnect: false });
    await alice.service.join(invite);
    await h.waitFor('connected', (e) => e['peer'] === alice.fingerprint);
    h.command({ cmd: 'verify', peer: alice.fingerprint });
    await h.waitFor('verified');
    h.command({ cmd: 'quit' });
    expect((await h.exited).code).toBe(0);

    // A new run on the same data: the stranger connects first, then Alice (verified already).
    const again = await host([], dir);
    const mallory = await startNode('Mallory', { autoReconnect: false });
    await mallory.service.join(again.invite);
    await again.peer.waitFor('connected', (e) => e['peer'] === mallory.fingerprint);
    again.peer.send('too early');
    expect((await again.peer.waitFor('error'))['code']).toBe('no-peer');
    await alice.service.join(again.invite);
    expect(await again.peer.waitFor('connected', (e) => e['peer'] === alice.fingerprint)).toMatchObject({ verified: true });
    again.peer.send('for Alice');
    expect((await alice.waitFor('message', (e) => e.message.text === 'for Alice')).message.peer).toBe(again.fingerprint);
    expect(mallory.all('message')).toEqual([]);
  });
});

describe.concurrent('warnings', () => {
  it('key-changed: the saved address answers with another key; warning with the new peer before connected; nothing queued for the old key goes to it', SLOW, async () => {
    const { node: bob, hosting } = await startHost('Bob');
    const dir = await dataDir();
    const first = await joined(addressOf(hosting.port), dir);
    first.peer.end();
    expect((await first.peer.exited).code).toBe(0);
    // A message for Bob waits in the joiner's outbox (queued while he is offline).
    const offline = await startNode('', {}, dir);
    await bob.close();
    expect(offline.service.send(bob.fingerprint, 'for Bob only').state).toBe('queued');
    await offline.close();

    const mallory = await startNode('Mallory');
    await mallory.host(hosting.port);
    const again = spawnPeer(['join', addressOf(hosting.port), '--data', dir, '--json']);
    const warning = await again.waitFor('warning');
    expect(warning).toEqual({ event: 'warning', code: 'key-changed', message: expect.any(String), peer: mallory.fingerprint });
    const connected = await again.waitFor('connected');
    expect(again.events.indexOf(warning)).toBeLessThan(again.events.indexOf(connected));
    expect(connected).toMatchObject({ peer: mallory.fingerprint, name: 'Mallory', verified: false });
    // The connection goes on: a new message reaches the new key; the old key's queued one does not.
    again.send('who are you?');
    await mallory.waitFor('message', (e) => e.message.text === 'who are you?', { timeoutMs: 20_000 });
    await again.waitFor('delivered');
    expect(mallory.all('message').map((e) => e.message.text)).toEqual(['who are you?']);
    again.end();
    expect((await again.exited).code).toBe(0);
  });

  it('name-collision: a new identity with a known name; warning with the new peer before connected; the connection goes on', SLOW, async () => {
    const h = await host();
    const alice1 = await startNode('Alice');
    await alice1.service.join(h.invite);
    await h.peer.waitFor('connected');
    await alice1.close();
    await h.peer.waitFor('disconnected');
    const alice2 = await startNode('Alice');
    await alice2.service.join(h.invite);
    const warning = await h.peer.waitFor('warning');
    expect(warning).toEqual({ event: 'warning', code: 'name-collision', message: expect.any(String), peer: alice2.fingerprint });
    const connected = await h.peer.waitFor('connected', (e) => e['peer'] === alice2.fingerprint);
    expect(h.peer.events.indexOf(warning)).toBeLessThan(h.peer.events.indexOf(connected));
    expect(connected).toMatchObject({ name: 'Alice', verified: false });
    // An unverified newcomer is reached by an explicit send (plain lines go to a verified peer only).
    h.peer.command({ cmd: 'send', peer: alice2.fingerprint, text: 'hello, second Alice' });
    expect((await alice2.waitFor('message', () => true, { timeoutMs: 20_000 })).message.text).toBe('hello, second Alice');
  });
});

describe('replacement', () => {
  it('the same identity connects twice: disconnected(replaced) for the older is printed before connected for the newer', SLOW, async () => {
    const h = await host();
    const older = await rawJoin(h.port, { name: 'Twice' });
    await h.peer.waitFor('connected');
    // Verified: plain lines go to this identity, over whichever connection it has now.
    h.peer.command({ cmd: 'verify', peer: older.fingerprint });
    await h.peer.waitFor('verified');
    const newer = await rawJoin(h.port, { key: older.key, name: 'Twice' });
    await h.peer.waitFor('connected', () => true, { since: 3 });
    const seq = h.peer.events.filter((e) => e.event === 'connected' || e.event === 'disconnected').map((e) => [e.event, e['peer'], e['reason']]);
    expect(seq).toEqual([
      ['connected', older.fingerprint, undefined],
      ['disconnected', older.fingerprint, 'replaced'],
      ['connected', older.fingerprint, undefined],
    ]);
    await older.raw.closed;
    h.peer.send('to the newer one');
    expect(await newer.receiveType('msg', 20_000)).toMatchObject({ type: 'msg', text: 'to the newer one' });
    newer.raw.destroy();
  });
});

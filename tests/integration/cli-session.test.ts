/**
 * The CLI contract in a session (CLI.md): message / delivered / verified / disconnected events,
 * every standard-input rule (plain lines, CRLF, spaces, JSON commands, the errors each bad line
 * prints), queued sends to a known peer, the key-changed and name-collision warnings, and the
 * order of events when a connection replaces another.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { expectContract, killPeers, spawnHost, spawnPeer as spawnRaw, type CliEvent, type CliPeer } from '../helpers/cli-peer.ts';
import { cleanupNodes, tempDir } from '../helpers/services.ts';
import { join } from 'node:path';

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

async function host(extra: readonly string[] = [], port = 0, data?: string): Promise<Awaited<ReturnType<typeof spawnHost>>> {
  const h = await spawnHost(data ?? (await dataDir()), extra, port);
  peers.push(h.peer);
  return h;
}

async function joined(target: string, extra: readonly string[] = [], data?: string): Promise<{ peer: CliPeer; fingerprint: string; connected: CliEvent }> {
  const peer = spawnPeer(['join', target, '--data', data ?? (await dataDir()), '--json', ...extra]);
  const ready = await peer.waitFor('ready');
  const connected = await peer.waitFor('connected');
  return { peer, fingerprint: ready['fingerprint'] as string, connected };
}

const texts = (p: CliPeer, from: string): unknown[] => p.all('message').filter((e) => e['peer'] === from).map((e) => e['text']);

describe.concurrent('a session', () => {
  it('message and delivered both ways with matching ids, verify prints verified and sticks, quit prints disconnected(quit) and exits 0', async () => {
    const h = await host(['--name', 'Bob']);
    const dir = await dataDir();
    const j = await joined(h.invite, ['--name', 'Alice'], dir);
    await h.peer.waitFor('connected');
    j.peer.send('hello');
    const got = await h.peer.waitFor('message');
    expect(got).toEqual({ event: 'message', peer: j.fingerprint, id: expect.any(String), ts: expect.any(Number), text: 'hello' });
    expect(Math.abs((got['ts'] as number) - Date.now())).toBeLessThan(60_000);
    expect(await j.peer.waitFor('delivered')).toEqual({ event: 'delivered', peer: h.fingerprint, id: got['id'] });

    h.peer.command({ cmd: 'send', peer: j.fingerprint, text: 'line one\nline two\twith a tab' });
    const back = await j.peer.waitFor('message');
    expect(back['text']).toBe('line one\nline two\twith a tab');
    expect(await h.peer.waitFor('delivered')).toEqual({ event: 'delivered', peer: j.fingerprint, id: back['id'] });

    h.peer.command({ cmd: 'verify', peer: j.fingerprint });
    expect(await h.peer.waitFor('verified')).toEqual({ event: 'verified', peer: j.fingerprint });

    j.peer.command({ cmd: 'quit' });
    expect(await j.peer.waitFor('disconnected')).toEqual({ event: 'disconnected', peer: h.fingerprint, reason: 'quit' });
    expect((await j.peer.exited).code).toBe(0);
    expect(await h.peer.waitFor('disconnected')).toEqual({ event: 'disconnected', peer: j.fingerprint, reason: 'closed' });

    // A message to a known peer that is not connected is kept and sent on the next connection.
    h.peer.command({ cmd: 'send', peer: j.fingerprint, text: 'while you were away' });
    const again = await joined(`127.0.0.1:${h.port}`, [], dir);
    expect((await h.peer.waitFor('connected', (e) => e['peer'] === j.fingerprint, { since: 3 }))['verified']).toBe(true);
    expect((await again.peer.waitFor('message'))['text']).toBe('while you were away');
    await h.peer.waitFor('delivered', (e) => e['id'] === again.peer.all('message')[0]?.['id']);
    expect(h.peer.all('error')).toEqual([]);
    expect(again.connected['verified']).toBe(true); // the first join was by invite: that verification is kept
  });

  it('standard input: plain lines, CRLF, spaces, JSON commands, and the error each bad line prints', async () => {
    const h = await host();
    const j = await joined(h.invite);
    await h.peer.waitFor('connected');
    const stranger = 'ab'.repeat(32);
    const lines = [
      'crlf line\r', // the CR belongs to the line end
      '   ', // a line of spaces is a message
      '', // empty: bad-input
      '{"cmd":"dance"}', // unknown command: bad-input
      '{}', // an object without cmd: bad-input
      JSON.stringify({ cmd: 'send', peer: h.fingerprint }), // missing text: bad-input
      JSON.stringify({ cmd: 'send', peer: 7, text: 'x' }), // wrong type: bad-input
      JSON.stringify({ cmd: 'verify' }), // missing peer: bad-input
      JSON.stringify({ cmd: 'send', peer: h.fingerprint, text: '' }), // empty text: bad-input
      JSON.stringify({ cmd: 'send', peer: h.fingerprint, text: 'a\rb' }), // control character: bad-input
      'bell \u0007', // control character in a plain line: bad-input
      'lone\rcr', // a CR not before the LF is part of the line: bad-input
      'tab\there', // TAB is fine
      'x'.repeat(16_001), // message-too-long
      JSON.stringify({ cmd: 'send', peer: h.fingerprint, text: '🦜'.repeat(16_001) }), // message-too-long
      '🦜'.repeat(16_000), // exactly the limit: fine
      JSON.stringify({ cmd: 'send', peer: stranger, text: 'x' }), // no-peer
      JSON.stringify({ cmd: 'verify', peer: stranger }), // no-peer
      JSON.stringify({ cmd: 'send', peer: 'not hex', text: 'x' }), // no-peer
      '[1,2]', // JSON, but not an object: a plain line
      '42',
      JSON.stringify({ cmd: 'send', peer: h.fingerprint, text: 'multi\nline\n' }),
      'last',
    ];
    j.peer.write(lines.map((l) => `${l}\n`).join(''));
    await h.peer.waitFor('message', (e) => e['text'] === 'last');
    expect(texts(h.peer, j.fingerprint)).toEqual(['crlf line', '   ', 'tab\there', '🦜'.repeat(16_000), '[1,2]', '42', 'multi\nline\n', 'last']);
    expect(j.peer.all('error').map((e) => e['code'])).toEqual([
      ...Array<string>(10).fill('bad-input'),
      'message-too-long',
      'message-too-long',
      'no-peer',
      'no-peer',
      'no-peer',
    ]);
    await j.peer.waitFor('delivered', (e) => e['id'] === h.peer.all('message').at(-1)?.['id']);
    expect(j.peer.all('delivered')).toHaveLength(8);
    // Still connected after all that; the end of input closes cleanly and exits 0.
    j.peer.end();
    expect((await j.peer.exited).code).toBe(0);
    expect(j.peer.all('disconnected')).toEqual([{ event: 'disconnected', peer: h.fingerprint, reason: 'quit' }]);
  });

  it('a plain line with no connected peer is no-peer; the host goes on, and end of input exits 0', async () => {
    const h = await host();
    h.peer.send('anyone there?');
    expect((await h.peer.waitFor('error'))['code']).toBe('no-peer');
    h.peer.end();
    expect((await h.peer.exited).code).toBe(0);
  });
});

describe.concurrent('warnings', () => {
  it('key-changed: the saved address answers with another key; warning with the new peer before connected; nothing queued for the old key goes to it', async () => {
    const first = await host(['--name', 'Bob']);
    const port = first.port;
    const dir = await dataDir();
    const j = await joined(`127.0.0.1:${port}`, [], dir);
    await first.peer.waitFor('connected');
    // Freeze Bob, send him a message that will never be acked, then kill him: it stays queued for Bob.
    first.peer.kill('SIGSTOP');
    j.peer.send('for Bob only');
    await new Promise((r) => setTimeout(r, 100));
    first.peer.kill('SIGKILL');
    expect((await j.peer.waitFor('disconnected'))['reason']).toBe('closed');
    expect((await j.peer.exited).code).toBe(0);

    const second = await host(['--name', 'Mallory'], port);
    const again = spawnPeer(['join', `127.0.0.1:${port}`, '--data', dir, '--json']);
    const warning = await again.waitFor('warning');
    expect(warning).toEqual({ event: 'warning', code: 'key-changed', message: expect.any(String), peer: second.fingerprint });
    const connected = await again.waitFor('connected');
    expect(again.events.indexOf(warning)).toBeLessThan(again.events.indexOf(connected));
    expect(connected).toMatchObject({ peer: second.fingerprint, name: 'Mallory', verified: false });
    // The connection goes on: a new message reaches the new key, the old one's queued message does not.
    again.send('who are you?');
    await second.peer.waitFor('message', (e) => e['text'] === 'who are you?');
    await again.waitFor('delivered');
    expect(second.peer.all('message').map((e) => e['text'])).toEqual(['who are you?']);
  });

  it('name-collision: a new identity with a known name; warning with the new peer before connected, and the connection goes on', async () => {
    const h = await host();
    const a1 = await joined(h.invite, ['--name', 'Alice']);
    await h.peer.waitFor('connected');
    a1.peer.command({ cmd: 'quit' });
    await a1.peer.exited;
    const a2 = await joined(h.invite, ['--name', 'Alice']);
    const warning = await h.peer.waitFor('warning');
    expect(warning).toEqual({ event: 'warning', code: 'name-collision', message: expect.any(String), peer: a2.fingerprint });
    const connected = await h.peer.waitFor('connected', (e) => e['peer'] === a2.fingerprint);
    expect(h.peer.events.indexOf(warning)).toBeLessThan(h.peer.events.indexOf(connected));
    expect(connected['verified']).toBe(false);
    h.peer.send('hello, second Alice'); // a plain line goes to the most recent peer
    expect((await a2.peer.waitFor('message'))['text']).toBe('hello, second Alice');
    expect(a1.peer.all('message')).toEqual([]);
  });
});

describe('replacement', () => {
  it('the same identity connects twice: disconnected(replaced) for the older is printed before connected for the newer', async () => {
    const h = await host();
    const dir = await dataDir();
    const older = await joined(`127.0.0.1:${h.port}`, [], dir);
    await h.peer.waitFor('connected');
    const newer = await joined(`127.0.0.1:${h.port}`, [], dir);
    expect(newer.fingerprint).toBe(older.fingerprint);
    await h.peer.waitFor('connected', () => true, { since: 3 });
    const seq = h.peer.events.filter((e) => e.event === 'connected' || e.event === 'disconnected').map((e) => [e.event, e['peer'], e['reason']]);
    expect(seq).toEqual([
      ['connected', older.fingerprint, undefined],
      ['disconnected', older.fingerprint, 'replaced'],
      ['connected', older.fingerprint, undefined],
    ]);
    // The older process's one connection ended: it exits 0. The newer one still talks.
    expect((await older.peer.waitFor('disconnected'))['reason']).toBe('closed');
    expect((await older.peer.exited).code).toBe(0);
    newer.peer.send('on the newer one');
    await h.peer.waitFor('message', (e) => e['text'] === 'on the newer one');
    await newer.peer.waitFor('delivered');
  });
});

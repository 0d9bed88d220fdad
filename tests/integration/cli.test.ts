/**
 * The CLI contract (CLI.md), checked by driving the real command as separate processes: `id`,
 * `host` and `join` with their events, members, codes and exit statuses, and that stdout holds
 * nothing but JSON lines with --json. Where the other side of a connection is not what is under
 * test, it is an in-process service (cheaper than another process). Session behaviour and the
 * standard-input rules are in cli-session.test.ts.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createKeyFileSealer } from '../../src/core/identity/key-file-sealer.ts';
import { formatInvite, parseInvite } from '../../src/core/protocol/invite.ts';
import { openDataDir } from '../../src/core/storage/data-dir.ts';
import { expectContract, killPeers, spawnHost, spawnPeer as spawnRaw, type CliEvent, type CliPeer } from '../helpers/cli-peer.ts';
import { addressOf, cleanupNodes, startHost, startNode, tempDir } from '../helpers/services.ts';

const SAFETY = /^\d{5}( \d{5}){11}$/;
// Spawning is slow on a loaded machine; these tests wait on processes, not on timers.
const SLOW = { timeout: 60_000 };

const peers: CliPeer[] = [];
/** Spawns a peer whose output is checked against CLI.md at the end. */
function spawnPeer(args: readonly string[], options?: Parameters<typeof spawnRaw>[1]): CliPeer {
  const p = spawnRaw(args, options);
  peers.push(p);
  return p;
}

// Tests run concurrently, so peers are killed and their output checked once, at the end.
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

/** The exit status and the [event, code] pairs of a peer that is expected to stop by itself. */
async function outcome(p: CliPeer): Promise<{ code: number | null; events: unknown[][] }> {
  const exit = await p.exited;
  return { code: exit.code, events: p.events.filter((e) => e.event !== 'ready').map((e) => [e.event, e['code']]) };
}

describe.concurrent('id', () => {
  it('prints the identity as one JSON line and exits 0; same --data, same fingerprint; the default data directory; openssl agrees', SLOW, async () => {
    const dir = await dataDir();
    const a = spawnPeer(['id', '--data', dir, '--json']);
    expect(await a.exited).toEqual({ code: 0, signal: null });
    expect(a.events).toHaveLength(1);
    const id = a.events[0] as CliEvent;
    expect(Object.keys(id).sort()).toEqual(['event', 'fingerprint', 'publicKey']);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const b = spawnPeer(['id', '--data', dir, '--json']);
    expect(await b.exited).toEqual({ code: 0, signal: null });
    expect(b.events).toEqual([id]);
    // Without --data: $XDG_DATA_HOME/parley-peer, owner-only, another identity.
    const xdg = await tempDir('parley-xdg-');
    const c = spawnPeer(['id', '--json'], { env: { ...process.env, XDG_DATA_HOME: xdg, PARLEY_PASSPHRASE: '' } });
    expect((await c.exited).code).toBe(0);
    expect(statSync(join(xdg, 'parley-peer')).mode & 0o777).toBe(0o700);
    expect(c.events[0]?.['fingerprint']).not.toBe(id['fingerprint']);

    const pem = join(dir, '..', 'identity.pem');
    writeFileSync(pem, id['publicKey'] as string);
    const der = execFileSync('openssl', ['pkey', '-pubin', '-in', pem, '-outform', 'DER']);
    expect(der.length).toBe(91);
    expect(der[26]).toBe(0x04); // the point is uncompressed
    const sha = execFileSync('openssl', ['dgst', '-sha256', '-r'], { input: der }).toString().split(' ')[0];
    expect(sha).toBe(id['fingerprint']);
  });

  it('through `npm run --silent peer --` too, with nothing but the JSON line on stdout', SLOW, async () => {
    const p = spawnPeer(['run', '--silent', 'peer', '--', 'id', '--data', await dataDir(), '--json'], { command: ['npm'] });
    expect((await p.exited).code).toBe(0);
    expect(p.events.map((e) => e.event)).toEqual(['identity']);
  });
});

describe.concurrent('host', () => {
  it('ready, then listening with the address, the port and an invite with fp and name; quit exits 0; the name stays in --data; end of input exits 0', SLOW, async () => {
    const dir = await dataDir();
    const h = await host(['--name', 'Bob 🦜'], dir);
    expect(h.peer.events.map((e) => e.event)).toEqual(['ready', 'listening']);
    expect(h.peer.events[0]).toEqual({ event: 'ready', fingerprint: h.fingerprint, name: 'Bob 🦜' });
    expect(h.peer.events[1]).toEqual({ event: 'listening', host: '127.0.0.1', port: h.port, invite: h.invite });
    expect(parseInvite(h.invite)).toEqual({ dht: null, host: '127.0.0.1', port: h.port, fp: h.fingerprint, name: 'Bob 🦜', tok: expect.stringMatching(/^[0-9a-f]{32}$/) });
    h.peer.command({ cmd: 'quit' });
    expect(await h.peer.exited).toEqual({ code: 0, signal: null });
    const again = await host([], dir);
    expect(again.peer.events[0]).toEqual({ event: 'ready', fingerprint: h.fingerprint, name: 'Bob 🦜' });
    again.peer.end();
    expect(await again.peer.exited).toEqual({ code: 0, signal: null });
  });

  it('--port defaults to 47800', SLOW, async () => {
    const p = spawnPeer(['host', '--data', await dataDir(), '--json']);
    const first = await Promise.race([p.waitFor('listening'), p.waitFor('error')]);
    if (first.event === 'listening') {
      expect(first['port']).toBe(47800);
      p.end();
      expect((await p.exited).code).toBe(0);
    } else {
      // Something else on this machine holds 47800: then it must be exactly that error.
      expect(first['code']).toBe('port-in-use');
      expect((await p.exited).code).not.toBe(0);
    }
  });

  it('a taken port is port-in-use, a non-zero exit and no listening', SLOW, async () => {
    const server: Server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const p = spawnPeer(['host', '--port', String((server.address() as { port: number }).port), '--data', await dataDir(), '--json']);
      const result = await outcome(p);
      expect(result.code).not.toBe(0);
      expect(result.code).not.toBeNull();
      expect(result.events).toEqual([['error', 'port-in-use']]);
    } finally {
      server.close();
    }
  });

  it('--bind 127.0.0.2 listens there and its invite works; --bind 0.0.0.0 puts a real address in the invite', SLOW, async () => {
    const h = await host(['--bind', '127.0.0.2']);
    expect(h.peer.events[1]?.['host']).toBe('127.0.0.2');
    expect(parseInvite(h.invite).host).toBe('127.0.0.2');
    const guest = await startNode('Guest');
    expect((await guest.service.join(h.invite)).peer).toBe(h.fingerprint);
    expect((await h.peer.waitFor('connected'))['peer']).toBe(guest.fingerprint);
    const all = await host(['--bind', '0.0.0.0']);
    expect(all.peer.events[1]?.['host']).toBe('0.0.0.0');
    expect(parseInvite(all.invite).host).not.toBe('0.0.0.0');
  });

  it('fatal input errors are bad-input with a non-zero exit: --port out of range, an unknown flag, a --bind that is not ours, a bad --name (too long, or with a C1 control)', SLOW, async () => {
    const cases = [['--port', '65536'], ['--colour'], ['--bind', '192.0.2.1'], ['--port', '0', '--name', 'n'.repeat(65)], ['--port', '0', '--name', 'Bob\u0085']];
    await Promise.all(
      cases.map(async (args) => {
        const result = await outcome(spawnPeer(['host', '--data', await dataDir(), '--json', ...args]));
        expect(result.code, args.join(' ')).not.toBe(0);
        expect(result.events, args.join(' ')).toEqual([['error', 'bad-input']]);
      }),
    );
  });
});

describe.concurrent('join', () => {
  it('by invite: connected and verified on the joiner, unverified on the host, one safety number; exits 0 when the session ends', SLOW, async () => {
    const h = await host(['--name', 'Bob']);
    const j = spawnPeer(['join', h.invite, '--data', await dataDir(), '--name', 'Alice', '--json']);
    const ready = await j.waitFor('ready');
    expect(ready).toEqual({ event: 'ready', fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/), name: 'Alice' });
    const jc = await j.waitFor('connected');
    expect(jc).toEqual({ event: 'connected', peer: h.fingerprint, name: 'Bob', verified: true, safetyNumber: expect.stringMatching(SAFETY) });
    const hc = await h.peer.waitFor('connected');
    expect(hc).toEqual({ event: 'connected', peer: ready['fingerprint'], name: 'Alice', verified: false, safetyNumber: jc['safetyNumber'] });
    h.peer.command({ cmd: 'quit' });
    expect((await h.peer.exited).code).toBe(0);
    expect(h.peer.all('disconnected')).toEqual([{ event: 'disconnected', peer: ready['fingerprint'], reason: 'quit' }]);
    // The joiner's one connection ended: it says so and exits 0 by itself, its stdin still open.
    expect(await j.waitFor('disconnected')).toEqual({ event: 'disconnected', peer: h.fingerprint, reason: 'closed' });
    expect((await j.exited).code).toBe(0);
  });

  it('by HOST:PORT: unverified; quit and end of input given while connecting apply once connected, after the pending send is delivered', SLOW, async () => {
    const { node: bob, hosting } = await startHost('Bob');
    const j = spawnPeer(['join', addressOf(hosting.port), '--data', await dataDir(), '--json']);
    j.send('sent before connecting');
    j.end();
    expect((await j.exited).code).toBe(0);
    expect(j.all('connected')).toEqual([{ event: 'connected', peer: bob.fingerprint, name: 'Bob', verified: false, safetyNumber: expect.stringMatching(SAFETY) }]);
    const got = await bob.waitFor('message');
    expect(got.message.text).toBe('sent before connecting');
    expect(j.all('delivered')).toEqual([{ event: 'delivered', peer: bob.fingerprint, id: got.message.id }]);
    expect(j.all('disconnected')).toEqual([{ event: 'disconnected', peer: bob.fingerprint, reason: 'quit' }]);
  });

  it('failures print one error and exit non-zero: connect-failed, bad-input, handshake-failed, fingerprint-mismatch (with no message exchanged)', SLOW, async () => {
    const closed: Server = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const closedPort = (closed.address() as { port: number }).port;
    await new Promise((r) => closed.close(r));
    const garbage: Server = createServer((s) => {
      s.on('error', () => undefined);
      s.once('data', () => s.end(Buffer.concat([Buffer.from([0, 100]), Buffer.alloc(100, 7)])));
    });
    await new Promise<void>((r) => garbage.listen(0, '127.0.0.1', r));
    const garbagePort = (garbage.address() as { port: number }).port;
    const { node: bob, hosting } = await startHost('Bob');
    const wrongFp = formatInvite({ host: '127.0.0.1', port: hosting.port, fp: '0'.repeat(64) });
    const cases: [string, string][] = [
      [`127.0.0.1:${closedPort}`, 'connect-failed'],
      ['nothing.invalid:47800', 'connect-failed'],
      ['not a target', 'bad-input'],
      ['parley://127.0.0.1:47800', 'bad-input'],
      [`127.0.0.1:${garbagePort}`, 'handshake-failed'],
      [wrongFp, 'fingerprint-mismatch'],
    ];
    try {
      await Promise.all(
        cases.map(async ([target, code]) => {
          const p = spawnPeer(['join', target, '--data', await dataDir(), '--json']);
          p.send('never sent'); // held while connecting, dropped when it fails
          const result = await outcome(p);
          expect(result.code, target).not.toBe(0);
          expect(result.code, target).not.toBeNull();
          expect(result.events, target).toEqual([['error', code]]);
        }),
      );
    } finally {
      garbage.close();
    }
    // The fingerprint-mismatch aborted before message 3: the host saw no connection and no message.
    expect(bob.all('connected')).toEqual([]);
    expect(bob.all('message')).toEqual([]);
    expect(bob.service.contacts()).toEqual([]);
  });
});

describe.concurrent('the data directory', () => {
  it('one that cannot be used is data-dir with a non-zero exit (a file, a path below a file, a directory open to others)', SLOW, async () => {
    const base = await tempDir('parley-cli-');
    const file = join(base, 'a-file');
    writeFileSync(file, 'not a directory');
    const open = join(base, 'open');
    mkdirSync(open);
    writeFileSync(join(open, 'something'), 'x');
    chmodSync(open, 0o755);
    const cases: [string[], string][] = [
      [['host', '--port', '0'], file],
      [['id'], join(file, 'below')],
      [['join', '127.0.0.1:1'], open],
    ];
    await Promise.all(
      cases.map(async ([cmd, dir]) => {
        const result = await outcome(spawnPeer([...cmd, '--data', dir, '--json']));
        expect(result.code, `${cmd[0]} ${dir}`).not.toBe(0);
        expect(result.events, `${cmd[0]} ${dir}`).toEqual([['error', 'data-dir']]);
      }),
    );
  });

  it('a key file that does not open the data: data-dir, a non-zero exit, and the data left as it was', SLOW, async () => {
    // (The passphrase sealer fails the same way; its scrypt is too slow to spawn here: see the storage unit tests.)
    const dir = await dataDir();
    const store = openDataDir(dir, { sealer: createKeyFileSealer(dir) });
    const fingerprint = store.identity.fingerprint;
    store.close();
    const db = readFileSync(join(dir, 'parley.db'));
    const key = readFileSync(join(dir, 'sealer.key'));
    writeFileSync(join(dir, 'sealer.key'), Buffer.alloc(32, 1));
    const result = await outcome(spawnPeer(['host', '--port', '0', '--data', dir, '--json']));
    expect(result.code).not.toBe(0);
    expect(result.events).toEqual([['error', 'data-dir']]);
    expect(readFileSync(join(dir, 'parley.db')).equals(db)).toBe(true);
    writeFileSync(join(dir, 'sealer.key'), key);
    const again = spawnPeer(['id', '--data', dir, '--json']);
    expect((await again.exited).code).toBe(0);
    expect(again.events[0]?.['fingerprint']).toBe(fingerprint);
  });
});

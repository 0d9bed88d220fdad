/**
 * The CLI contract (CLI.md), checked by driving the real command as separate processes: every
 * event with its members, every code and exit status, the standard-input commands, and that
 * stdout holds nothing but JSON lines with --json.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseInvite } from '../../src/core/protocol/invite.ts';
import { expectContract, killPeers, spawnHost, spawnPeer as spawnRaw, type CliEvent, type CliPeer } from '../helpers/cli-peer.ts';
import { cleanupNodes, tempDir } from '../helpers/services.ts';

const SAFETY = /^\d{5}( \d{5}){11}$/;

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

/** Spawns a host; its events are checked too. */
async function host(extra: readonly string[] = [], data?: string): Promise<Awaited<ReturnType<typeof spawnHost>> & { data: string }> {
  const dir = data ?? (await dataDir());
  const h = await spawnHost(dir, extra);
  peers.push(h.peer);
  return { ...h, data: dir };
}

/** Spawns `join target` and waits until it is connected. */
async function joined(target: string, extra: readonly string[] = [], data?: string): Promise<{ peer: CliPeer; fingerprint: string; connected: CliEvent; data: string }> {
  const dir = data ?? (await dataDir());
  const peer = spawnPeer(['join', target, '--data', dir, '--json', ...extra]);
  const ready = await peer.waitFor('ready');
  const connected = await peer.waitFor('connected');
  return { peer, fingerprint: ready['fingerprint'] as string, connected, data: dir };
}

describe.concurrent('id', () => {
  it('prints the identity as one JSON line, exits 0; same --data, same fingerprint; openssl agrees', async () => {
    const dir = await dataDir();
    const a = spawnPeer(['id', '--data', dir, '--json']);
    expect(await a.exited).toEqual({ code: 0, signal: null });
    expect(a.events).toHaveLength(1);
    const id = a.events[0] as CliEvent;
    expect(Object.keys(id).sort()).toEqual(['event', 'fingerprint', 'publicKey']);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const b = spawnPeer(['id', '--data', dir, '--json']);
    expect(await b.exited).toEqual({ code: 0, signal: null });
    expect(b.events[0]?.['fingerprint']).toBe(id['fingerprint']);
    const other = spawnPeer(['id', '--data', await dataDir(), '--json']);
    await other.exited;
    expect(other.events[0]?.['fingerprint']).not.toBe(id['fingerprint']);

    const pem = join(dir, '..', 'identity.pem');
    writeFileSync(pem, id['publicKey'] as string);
    const der = execFileSync('openssl', ['pkey', '-pubin', '-in', pem, '-outform', 'DER']);
    expect(der.length).toBe(91);
    expect(der[26]).toBe(0x04); // the point is uncompressed
    const sha = execFileSync('openssl', ['dgst', '-sha256', '-r'], { input: der }).toString().split(' ')[0];
    expect(sha).toBe(id['fingerprint']);
  });

  it('through `npm run --silent peer --` too, with nothing but the JSON line on stdout', async () => {
    const p = spawnPeer(['run', '--silent', 'peer', '--', 'id', '--data', await dataDir(), '--json'], { command: ['npm'] });
    expect((await p.exited).code).toBe(0);
    expect(p.events.map((e) => e.event)).toEqual(['identity']);
  });
});

describe.concurrent('host', () => {
  it('ready, then listening with the bound address, the port and an invite carrying fp and name; quit exits 0', async () => {
    const h = await host(['--name', 'Bob 🦜']);
    expect(h.peer.events.map((e) => e.event)).toEqual(['ready', 'listening']);
    expect(h.peer.events[0]).toEqual({ event: 'ready', fingerprint: h.fingerprint, name: 'Bob 🦜' });
    const listening = h.peer.events[1] as CliEvent;
    expect(listening['host']).toBe('127.0.0.1');
    expect(parseInvite(h.invite)).toEqual({ host: '127.0.0.1', port: h.port, fp: h.fingerprint, name: 'Bob 🦜' });
    h.peer.command({ cmd: 'quit' });
    expect(await h.peer.exited).toEqual({ code: 0, signal: null });
  });

  it('the end of input exits 0, and the name stays stored in --data', async () => {
    const dir = await dataDir();
    const h = await host(['--name', 'Carol'], dir);
    h.peer.end();
    expect((await h.peer.exited).code).toBe(0);
    const again = await host([], dir);
    expect(again.peer.events[0]?.['name']).toBe('Carol');
    again.peer.end();
    expect((await again.peer.exited).code).toBe(0);
  });

  it('--port defaults to 47800', async () => {
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

  it('a taken port is error port-in-use and a non-zero exit, with no listening', async () => {
    const server: Server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      const p = spawnPeer(['host', '--port', String(port), '--data', await dataDir(), '--json']);
      const exit = await p.exited;
      expect(exit.code).not.toBe(0);
      expect(exit.code).not.toBeNull();
      expect(p.all('error').map((e) => e['code'])).toEqual(['port-in-use']);
      expect(p.all('listening')).toEqual([]);
    } finally {
      server.close();
    }
  });

  it('--bind 127.0.0.2 listens there and its invite works; --bind 0.0.0.0 puts a real address in the invite', async () => {
    const h = await host(['--bind', '127.0.0.2']);
    expect(h.peer.events[1]?.['host']).toBe('127.0.0.2');
    expect(parseInvite(h.invite).host).toBe('127.0.0.2');
    const j = await joined(h.invite);
    expect(j.connected['peer']).toBe(h.fingerprint);
    const all = await host(['--bind', '0.0.0.0']);
    expect(all.peer.events[1]?.['host']).toBe('0.0.0.0');
    expect(parseInvite(all.invite).host).not.toBe('0.0.0.0');
  });

  it('fatal input errors: --port out of range, an unknown flag, a --bind that is not ours: bad-input and a non-zero exit', async () => {
    for (const args of [['--port', '65536'], ['--port', 'x'], ['--colour'], ['--bind', '192.0.2.1']]) {
      const p = spawnPeer(['host', '--data', await dataDir(), '--json', ...args]);
      const exit = await p.exited;
      expect(exit.code, args.join(' ')).not.toBe(0);
      expect(p.all('error').map((e) => e['code']), args.join(' ')).toEqual(['bad-input']);
    }
  });
});

describe.concurrent('join', () => {
  it('by invite: connected and verified on the joiner, unverified on the host, the same safety number; exits 0 after the session', async () => {
    const h = await host(['--name', 'Bob']);
    const j = await joined(h.invite, ['--name', 'Alice']);
    expect(j.connected).toEqual({ event: 'connected', peer: h.fingerprint, name: 'Bob', verified: true, safetyNumber: expect.stringMatching(SAFETY) });
    const hc = await h.peer.waitFor('connected');
    expect(hc).toEqual({ event: 'connected', peer: j.fingerprint, name: 'Alice', verified: false, safetyNumber: j.connected['safetyNumber'] });
    h.peer.command({ cmd: 'quit' });
    expect((await h.peer.exited).code).toBe(0);
    // The joiner's one connection ended: it says so and exits 0 by itself, stdin still open.
    expect(await j.peer.waitFor('disconnected')).toEqual({ event: 'disconnected', peer: h.fingerprint, reason: 'closed' });
    expect((await j.peer.exited).code).toBe(0);
    expect(h.peer.all('disconnected')).toEqual([{ event: 'disconnected', peer: j.fingerprint, reason: 'quit' }]);
  });

  it('by HOST:PORT: unverified on both sides', async () => {
    const h = await host();
    const j = await joined(`127.0.0.1:${h.port}`);
    expect(j.connected['verified']).toBe(false);
    expect((await h.peer.waitFor('connected'))['verified']).toBe(false);
  });

  it('failures print one error and exit non-zero: connect-failed (refused, unresolvable), bad-input targets, handshake-failed, fingerprint-mismatch', async () => {
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
    const h = await host();
    const wrongFp = `parley://127.0.0.1:${h.port}?fp=${'0'.repeat(64)}`;
    const cases: [string, string][] = [
      [`127.0.0.1:${closedPort}`, 'connect-failed'],
      ['nothing.invalid:47800', 'connect-failed'],
      ['not a target', 'bad-input'],
      ['127.0.0.1', 'bad-input'],
      ['parley://127.0.0.1:47800', 'bad-input'],
      [`127.0.0.1:${garbagePort}`, 'handshake-failed'],
      [wrongFp, 'fingerprint-mismatch'],
    ];
    try {
      await Promise.all(
        cases.map(async ([target, code]) => {
          const p = spawnPeer(['join', target, '--data', await dataDir(), '--json']);
          const exit = await p.exited;
          expect(exit.code, target).not.toBe(0);
          expect(exit.code, target).not.toBeNull();
          expect(p.all('error').map((e) => e['code']), target).toEqual([code]);
          expect(p.all('connected'), target).toEqual([]);
        }),
      );
    } finally {
      garbage.close();
    }
    // The fingerprint-mismatch aborted before message 3: the host saw no connection and no message.
    expect(h.peer.all('connected')).toEqual([]);
    expect(h.peer.all('message')).toEqual([]);
  });

  it('a join that is still connecting applies quit (end of input) once the connection is established', async () => {
    const h = await host();
    const dir = await dataDir();
    const p = spawnPeer(['join', h.invite, '--data', dir, '--json']);
    p.send('sent before connecting');
    p.end();
    expect((await p.exited).code).toBe(0);
    expect(p.all('connected')).toHaveLength(1);
    expect(p.all('delivered')).toHaveLength(1);
    const got = await h.peer.waitFor('message');
    expect(got['text']).toBe('sent before connecting');
    expect(got['id']).toBe(p.all('delivered')[0]?.['id']);
  });
});

describe.concurrent('fatal errors', () => {
  it('a bad --name is bad-input with a non-zero exit (host and join)', async () => {
    for (const args of [['host', '--port', '0', '--name', 'n'.repeat(65)], ['join', '127.0.0.1:1', '--name', 'bell\u0007']]) {
      const p = spawnPeer([...args, '--data', await dataDir(), '--json']);
      const exit = await p.exited;
      expect(exit.code).not.toBe(0);
      expect(p.events.map((e) => [e.event, e['code']])).toEqual([['error', 'bad-input']]);
    }
  });

  it('a data directory that cannot be used is data-dir with a non-zero exit', async () => {
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
        const p = spawnPeer([...cmd, '--data', dir, '--json']);
        const exit = await p.exited;
        expect(exit.code, `${cmd[0]} ${dir}`).not.toBe(0);
        expect(p.events.map((e) => [e.event, e['code']]), `${cmd[0]} ${dir}`).toEqual([['error', 'data-dir']]);
      }),
    );
  });

  it('a key file that does not open the data is data-dir with a non-zero exit, and the data is left as it was', async () => {
    // (The passphrase sealer fails the same way; its scrypt makes it too slow to spawn here: see the storage unit tests.)
    const dir = await dataDir();
    const first = spawnPeer(['id', '--data', dir, '--json']);
    expect((await first.exited).code).toBe(0);
    const db = readFileSync(join(dir, 'parley.db'));
    const key = readFileSync(join(dir, 'sealer.key'));
    writeFileSync(join(dir, 'sealer.key'), Buffer.alloc(32, 1));
    const wrong = spawnPeer(['host', '--port', '0', '--data', dir, '--json']);
    expect((await wrong.exited).code).not.toBe(0);
    expect(wrong.events.map((e) => [e.event, e['code']])).toEqual([['error', 'data-dir']]);
    expect(readFileSync(join(dir, 'parley.db')).equals(db)).toBe(true);
    writeFileSync(join(dir, 'sealer.key'), key);
    const again = spawnPeer(['id', '--data', dir, '--json']);
    expect((await again.exited).code).toBe(0);
    expect(again.events[0]?.['fingerprint']).toBe(first.events[0]?.['fingerprint']);
  });

  it('without --data, a per-user directory ($XDG_DATA_HOME/parley-peer) is created owner-only and reused', async () => {
    const xdg = await tempDir('parley-xdg-');
    const env = { ...process.env, XDG_DATA_HOME: xdg, PARLEY_PASSPHRASE: '' };
    const a = spawnPeer(['id', '--json'], { env });
    expect((await a.exited).code).toBe(0);
    expect(statSync(join(xdg, 'parley-peer')).mode & 0o777).toBe(0o700);
    const b = spawnPeer(['id', '--json'], { env });
    expect((await b.exited).code).toBe(0);
    expect(b.events[0]?.['fingerprint']).toBe(a.events[0]?.['fingerprint']);
  });
});

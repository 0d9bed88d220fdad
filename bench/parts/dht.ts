/**
 * P9: Parley over HyperDHT (PROTOCOL.md section 8).
 *
 * - P9.p50 / P9.p99: session set-up through the DHT, from `connect(key)` to the completed Parley
 *   handshake (what the Connector's join runs for an invite's `dht`): the DHT lookup, hole punching,
 *   HyperDHT's own Noise, then Parley's XX. Where the NAT lab can run (root, `ip netns`, nftables:
 *   tests/lab/net-lab.ts) the host and the joiner sit behind two port-preserving NATs with the lab's
 *   public DHT between them; elsewhere both run on a local testnet on 127.0.0.1. The figure says which.
 * - P9.bulk: P2's bulk rounds (64,000-byte messages, at most 1 MiB queued) through a session carried
 *   by the DHT beside a session over TCP, between the same two processes on this machine (a local
 *   testnet on 127.0.0.1, so both paths are loopback and the difference is the carrier: UDX and
 *   HyperDHT's secret stream under Parley's own encryption), rounds interleaved.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Testnet } from 'hyperdht/testnet.js';
import { generateKeyPair } from '../../src/core/crypto/p256.ts';
import type { Carrier } from '../../src/core/net/carrier.ts';
import { DhtNode } from '../../src/core/net/dht-node.ts';
import { FramedConnection } from '../../src/core/net/framed-connection.ts';
import { initiatorHandshake } from '../../src/core/protocol/perform-handshake.ts';
import { SecureSession } from '../../src/core/protocol/secure-session.ts';
import { localTestnet } from '../../tests/helpers/testnet.ts';
import { BOOTSTRAP, buildLab, labUnavailable, type Lab } from '../../tests/lab/net-lab.ts';
import { END_TEXT, joinSession } from '../lib/parley-side.ts';
import type { Part, PartContext } from '../lib/part.ts';
import { figure, type FigureResult } from '../lib/report.ts';
import { NODE_FLAGS, startPeer, type Peer } from '../lib/rpc.ts';
import { spreadText, summarize } from '../lib/stats.ts';

const MESSAGE_BYTES = 64_000;
const HIGH_WATER = 1024 * 1024;
const MiB = 1024 * 1024;

type Bootstrap = { host: string; port: number }[];

export const dhtPart: Part = {
  name: 'DHT (P9)',
  budget: [30, 60],
  async run(ctx: PartContext): Promise<FigureResult[]> {
    const testnet = await localTestnet();
    try {
      const setup = await setUp(ctx, testnet.bootstrap);
      const bulk = await throughput(ctx, testnet);
      return [...setup, ...bulk];
    } finally {
      await testnet.destroy();
    }
  },
};

/** P9.p50 / P9.p99: in the NAT lab where it can run, else on the local testnet. */
async function setUp(ctx: PartContext, local: Bootstrap): Promise<FigureResult[]> {
  const why = labUnavailable();
  let lab: Lab | null = null;
  let publicDht: ChildProcess | null = null;
  const peers: Peer[] = [];
  try {
    let where: string;
    let bootstrap: Bootstrap;
    let hostNs: string | undefined;
    let joinerNs: string | undefined;
    if (why === null) {
      lab = await buildLab({ natA: 'port-preserving', natB: 'port-preserving' });
      publicDht = await startLabDht(lab);
      bootstrap = [BOOTSTRAP];
      hostNs = lab.ns.a;
      joinerNs = lab.ns.b;
      where = 'NAT lab: two port-preserving NATs, a 9-node DHT';
    } else {
      bootstrap = local;
      where = `local testnet on 127.0.0.1 (no NAT lab: ${why})`;
    }
    const host = await startPeer('dht-peer', [], hostNs ? { netns: hostNs } : {});
    peers.push(host);
    const joiner = await startPeer('dht-peer', [], joinerNs ? { netns: joinerNs } : {});
    peers.push(joiner);
    const local127 = why === null ? {} : { host: '127.0.0.1' };
    await Promise.all([host.call('start', { bootstrap, ...local127 }), joiner.call('start', { bootstrap, ...local127 })]);
    const { key } = await host.call<{ key: string }>('listen', {});
    // Warm-up (JIT, the first lookup fills the joiner's routing table), then timed joins one after another.
    await joiner.call('joins', { key, count: 3, forMs: 0, min: 3 });
    const forMs = Math.max(2000, ctx.deadline - performance.now() - (ctx.quick ? 12_000 : 25_000));
    const { ms, relayed } = await joiner.call<{ ms: number[]; relayed: number }>('joins', { key, count: ctx.quick ? 40 : 200, forMs, min: 10 });
    const s = summarize(ms);
    ctx.log(`P9 set-up (${where}): p50 ${s.median.toFixed(1)} ms, p99 ${s.p99.toFixed(1)} ms, n=${s.n}, relayed ${relayed}`);
    const note = `${where}; ${relayed} of ${s.n} relayed`;
    return [
      figure({ id: 'P9.p50', name: 'session set-up through the DHT (lookup, hole punch, handshakes), p50', value: s.median, unit: 'ms', spread: spreadText(s, 1), note }),
      figure({ id: 'P9.p99', name: 'session set-up through the DHT, p99', value: s.p99, unit: 'ms', spread: `max ${s.max.toFixed(1)}`, note }),
    ];
  } finally {
    for (const p of peers) {
      await p.call('close').catch(() => undefined);
      await p.stop();
    }
    publicDht?.kill('SIGKILL');
    await lab?.teardown();
  }
}

/** The lab's public DHT (tests/lab/dht-nodes.ts) inside its public namespace; resolves once it is up. */
async function startLabDht(lab: Lab): Promise<ChildProcess> {
  const script = join(import.meta.dirname, '..', '..', 'tests', 'lab', 'dht-nodes.ts');
  const child = spawn('ip', ['netns', 'exec', lab.ns.pub, process.execPath, ...NODE_FLAGS, script], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('the lab DHT did not start within 20 s')), 20_000);
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      out += chunk;
      if (out.includes('"ready"')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the lab DHT exited (${code})`));
    });
  });
  return child;
}

/** A session whose acks go to `onAck`, and how to run one P2 round through it. */
type Sender = { round(n: number): Promise<number>; close(): void };

function sender(session: SecureSession, socket: Carrier): { sender: Sender; onAck: (id: string) => void } {
  let ended: ((id: string) => void) | null = null;
  const text = '🦜'.repeat(MESSAGE_BYTES / 4); // 16,000 code points, 64,000 bytes, as P2
  return {
    onAck: (id) => ended?.(id),
    sender: {
      async round(n) {
        const end = randomUUID();
        const done = new Promise<void>((resolve) => {
          ended = (id) => {
            if (id === end) resolve();
          };
        });
        const t0 = performance.now();
        for (let i = 0; i < n; i++) {
          if (socket.writableLength > HIGH_WATER) await new Promise<void>((resolve) => socket.once('drain', resolve));
          session.send({ type: 'msg', id: randomUUID(), ts: Date.now(), text });
        }
        session.send({ type: 'msg', id: end, ts: Date.now(), text: END_TEXT });
        await done;
        return (n * MESSAGE_BYTES) / MiB / ((performance.now() - t0) / 1000);
      },
      close: () => session.close('quit'),
    },
  };
}

/** P9.bulk: a DHT-carried session beside a TCP session to the same peer process, interleaved rounds. */
async function throughput(ctx: PartContext, testnet: Testnet): Promise<FigureResult[]> {
  const peer = await startPeer('dht-peer');
  const node = new DhtNode({ bootstrap: testnet.bootstrap, host: '127.0.0.1' });
  try {
    await Promise.all([peer.call('start', { bootstrap: testnet.bootstrap, host: '127.0.0.1' }), node.ready()]);
    const { key, tcpPort } = await peer.call<{ key: string; tcpPort: number }>('listen', { tcp: true });

    const { carrier } = await node.connect(key);
    const conn = new FramedConnection(carrier, 'dht');
    const hs = await initiatorHandshake(conn, { staticKey: generateKeyPair(), name: 'bench', expectedFingerprint: null });
    const dhtSession = new SecureSession(conn, hs.send, hs.receive);
    const dht = sender(dhtSession, carrier);
    dhtSession.start({ onMessage: (m) => (m.type === 'ack' ? dht.onAck(m.id) : undefined), onEnd: () => undefined });

    let tcpAck: (id: string) => void = () => undefined;
    const joined = await joinSession(tcpPort, generateKeyPair(), { onMessage: (m) => (m.type === 'ack' ? tcpAck(m.id) : undefined), onEnd: () => undefined });
    const tcp = sender(joined.session, joined.conn.socket);
    tcpAck = tcp.onAck;

    const rounds = ctx.quick ? 4 : 8;
    const count = Math.ceil(((ctx.quick ? 64 : 256) * MiB) / rounds / MESSAGE_BYTES);
    await dht.sender.round(count); // warm-up: JIT, congestion windows
    await tcp.sender.round(count);
    const res = { dht: [] as number[], tcp: [] as number[] };
    for (let r = 0; r < rounds && (r < 2 || performance.now() < ctx.deadline); r++) {
      res.dht.push(await dht.sender.round(count));
      res.tcp.push(await tcp.sender.round(count));
      ctx.log(`P9 bulk round ${r + 1}/${rounds}: dht ${res.dht.at(-1)?.toFixed(0)} MiB/s, tcp ${res.tcp.at(-1)?.toFixed(0)} MiB/s`);
    }
    dht.sender.close();
    tcp.sender.close();
    const sd = summarize(res.dht);
    const st = summarize(res.tcp);
    const sent = `${((sd.n * count * MESSAGE_BYTES) / MiB).toFixed(0)} MiB in ${sd.n} rounds`;
    return [
      figure({
        id: 'P9.bulk',
        name: 'bulk throughput through a session carried by the DHT (64,000-byte messages), beside one over TCP',
        value: sd.median,
        unit: 'MiB/s',
        baseline: st.median,
        baselineName: 'Parley over TCP',
        spread: `${spreadText(sd, 0)}; ${sent}; TCP ${spreadText(st, 0)}`,
        note: 'local testnet on 127.0.0.1 (both paths loopback, one machine)',
      }),
    ];
  } finally {
    await node.destroy();
    await peer.call('close').catch(() => undefined);
    await peer.stop();
  }
}

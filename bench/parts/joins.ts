/**
 * P5: 1,000 concurrent joins to one host — a real ParleyService in its own process — and the host's
 * worst event-loop delay meanwhile (perf_hooks.monitorEventLoopDelay, 1 ms resolution).
 *
 * The joiners are not 1,000 services (1,000 data directories in one process is not a real
 * situation): each runs what ParleyService#dialAndHandshake runs — dial, initiator handshake,
 * SecureSession — with its own identity, dialling from 127.0.0.2… because the host's listener
 * deliberately accepts at most 32 connections per remote address. The service's join() has no
 * source-address option and does not need one outside a benchmark, so none was added.
 *
 * The listener also holds at most 64 handshakes in progress plus 256 waiting (DEFAULT_LIMITS) and
 * closes what does not fit; a joiner whose connection is closed before its session is up tries
 * again after 50–150 ms, as a client would. Retries are counted and reported.
 */
import { once } from 'node:events';
import { join } from 'node:path';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { generateKeyPair, type KeyPair } from '../../src/core/crypto/p256.ts';
import { joinSession, loopbackAddresses, type Joined } from '../lib/parley-side.ts';
import type { Part, PartContext } from '../lib/part.ts';
import { sleep } from '../lib/part.ts';
import { figure, type FigureResult } from '../lib/report.ts';
import { startPeer } from '../lib/rpc.ts';
import { tlsClientOptions } from '../lib/tls-fixture.ts';
import { PEER_V8_FLAGS } from '../../scripts/peer-v8-flags.mjs';

/** What joinMany leaves running. */
export type Crowd = {
  /** Resolves when every joiner has a session (the joining side's view). */
  readonly ready: Promise<void>;
  /** Attempts that failed and were tried again (refused, or dropped before the host finished). */
  retries(): number;
  /** Closes every session ('quit') and stops rejoining. */
  close(): void;
};

/**
 * Joins 127.0.0.1:port once per key, from several loopback addresses, all at once. A joiner whose
 * attempt fails, or whose session the host closes (a handshake the host gave up on after the
 * joining side had finished its part), tries again after 50–150 ms, as a client would.
 */
export function joinMany(port: number, keys: readonly KeyPair[], deadline: number, namePrefix = ''): Crowd {
  const addresses = loopbackAddresses(Math.ceil(keys.length / 30));
  const live = new Set<Joined>();
  let retries = 0;
  let closing = false;
  const one = async (key: KeyPair, i: number): Promise<void> => {
    const localAddress = addresses[i % addresses.length];
    for (;;) {
      try {
        let joined: Joined | null = null;
        joined = await joinSession(
          port,
          key,
          {
            onMessage: () => undefined,
            onEnd: () => {
              if (joined) live.delete(joined);
              if (!closing) {
                retries += 1;
                setTimeout(() => void one(key, i).catch(() => undefined), 50 + Math.random() * 100);
              }
            },
          },
          // Distinct display names, as real people have (a shared name would raise name-collision warnings).
          { name: `guest ${namePrefix}${i}`, ...(localAddress ? { localAddress } : {}) },
        );
        if (joined.session.open) live.add(joined);
        return;
      } catch (err) {
        if (closing || performance.now() > deadline) throw err;
        retries += 1;
        await sleep(50 + Math.random() * 100);
      }
    }
  };
  const ready = Promise.all(keys.map((k, i) => one(k, i))).then(() => undefined);
  ready.catch(() => undefined);
  return {
    ready,
    retries: () => retries,
    close() {
      closing = true;
      for (const j of live) j.session.close('quit');
      live.clear();
    },
  };
}

export const joinsPart: Part = {
  name: 'concurrent joins (P5)',
  budget: [25, 50],
  async run(ctx: PartContext): Promise<FigureResult[]> {
    const COUNT = Number(process.env['BENCH_P5_COUNT'] ?? 1000);
    // The host runs with the headless peer's V8 flags: taking 1,000 joins is its server role.
    const peer = await startPeer('service-peer', PEER_V8_FLAGS);
    try {
      await peer.call('open', { dir: join(ctx.tmp, 'p5-host'), name: 'Host' });
      const { port } = await peer.call<{ port: number }>('host');
      const keys = Array.from({ length: COUNT }, () => generateKeyPair());
      // Warm the host's code paths with a few joins first (they count towards its connections).
      const warm = joinMany(port, keys.slice(0, 10), performance.now() + 10_000, 'w');
      await warm.ready;
      await peer.call('waitConnected', 10);
      warm.close();
      await sleep(200);
      const rest = keys.slice(10).concat(Array.from({ length: 10 }, () => generateKeyPair()));
      await peer.call('monitorStart');
      const t0 = performance.now();
      const hostDone = peer.call<number>('waitConnected', 10 + COUNT).then(() => performance.now() - t0);
      const crowd = joinMany(port, rest, ctx.deadline);
      await crowd.ready;
      const joinersDone = performance.now() - t0;
      const allDone = Math.max(joinersDone, await hostDone);
      const delay = await peer.call<{ max: number; p99: number; mean: number }>('monitorStop');
      const retries = crowd.retries();
      ctx.log(`P5 all ready after ${allDone.toFixed(0)} ms (joiners ${joinersDone.toFixed(0)} ms), ${retries} retries; host loop delay max ${delay.max.toFixed(1)} ms`);
      crowd.close();
      const tls = await tlsBaseline(ctx, COUNT);
      ctx.log(`P5 baseline: ${COUNT} TLS handshakes ready after ${tls.ms.toFixed(0)} ms, server loop delay max ${tls.delay.max.toFixed(1)} ms`);
      return [
        figure({ id: 'P5.time', name: `${COUNT} concurrent joins to one host: time until all are ready`, value: allDone, unit: 'ms', baseline: tls.ms, baselineName: `${COUNT} TLS 1.3 handshakes`, goal: { text: 'ratio ≤ 1.0', on: 'ratio', max: 1.0 }, spread: `one run; ${retries} joins tried again` }),
        figure({ id: 'P5.delay', name: "the host's worst event-loop delay meanwhile", value: delay.max, unit: 'ms', baseline: tls.delay.max, baselineName: 'TLS server', goal: { text: '≤ 20 ms', on: 'value', max: 20 }, spread: `p99 ${delay.p99.toFixed(1)}, mean ${delay.mean.toFixed(1)}` }),
      ];
    } finally {
      await peer.call('close').catch(() => undefined);
      await peer.stop();
    }
  },
};

/**
 * The same crowd against a bare TLS 1.3 server in another process (P5's baseline): what this
 * machine allows for 1,000 concurrent handshakes of the TLS kind, without storage or sessions.
 */
async function tlsBaseline(ctx: PartContext, count: number): Promise<{ ms: number; delay: { max: number; p99: number; mean: number } }> {
  const peer = await startPeer('channel-peer', PEER_V8_FLAGS); // the same V8 flags as Parley's host
  try {
    const port = await peer.call<number>('listen', { proto: 'tls', mode: 'echo', tls: ctx.tls });
    const addresses = loopbackAddresses(Math.ceil(count / 30));
    const connect = async (i: number): Promise<TLSSocket> => {
      for (;;) {
        const s = tlsConnect(tlsClientOptions(ctx.tls, port, addresses[i % addresses.length]));
        try {
          await once(s, 'secureConnect');
          return s;
        } catch {
          s.destroy();
          await sleep(50 + Math.random() * 100);
        }
      }
    };
    for (const s of await Promise.all(Array.from({ length: 10 }, (_, i) => connect(i)))) s.destroy(); // warm-up
    await sleep(200);
    const before = await peer.call<number>('tlsSessions');
    await peer.call('monitorStart');
    const t0 = performance.now();
    const sockets = await Promise.all(Array.from({ length: count }, (_, i) => connect(i)));
    while ((await peer.call<number>('tlsSessions')) - before < count) await sleep(5);
    const ms = performance.now() - t0;
    const delay = await peer.call<{ max: number; p99: number; mean: number }>('monitorStop');
    for (const s of sockets) s.destroy();
    return { ms, delay };
  } finally {
    await peer.stop();
  }
}

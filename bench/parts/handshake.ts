/**
 * P1: TCP connect → session ready, on the joining side, against a responder in another process;
 * baseline: a full TLS 1.3 handshake (ECDSA P-256 certificate, P-256 group, TLS_AES_256_GCM_SHA384,
 * chain verified, no resumption) on the same loopback. C1/C2: the CPU each side spends per
 * handshake (connection set-up and teardown included, for both protocols alike); C1.gc/C2.gc, the GC
 * pauses per handshake on each side (P1's tail is scavenges in either process: BENCHMARKS.md).
 */
import { once } from 'node:events';
import { connect as tlsConnect } from 'node:tls';
import { generateKeyPair } from '../../src/core/crypto/p256.ts';
import { joinSession } from '../lib/parley-side.ts';
import { startGcMeter } from '../lib/gc-time.ts';
import type { Part, PartContext } from '../lib/part.ts';
import { figure, type FigureResult } from '../lib/report.ts';
import { startPeer } from '../lib/rpc.ts';
import { cpuMicros, spreadText, summarize } from '../lib/stats.ts';
import { tlsClientOptions } from '../lib/tls-fixture.ts';

const BLOCK = 50;
/** Handshakes per GC measurement (C1.gc/C2.gc): ~9 MB of Parley's garbage, a young generation's worth. */
const GC_RUN = 300;
const noop = { onMessage: () => undefined, onEnd: () => undefined };

export const handshakePart: Part = {
  name: 'handshake (P1, C1, C2)',
  budget: [12, 50],
  async run(ctx: PartContext): Promise<FigureResult[]> {
    const peer = await startPeer('channel-peer');
    try {
      const parleyPort = await peer.call<number>('listen', { proto: 'parley', mode: 'echo' });
      const tlsPort = await peer.call<number>('listen', { proto: 'tls', mode: 'echo', tls: ctx.tls });
      // The joiner's identity is loaded once per process in the product, not per connection.
      const key = generateKeyPair();
      const parley = async (): Promise<number> => {
        const t0 = performance.now();
        const j = await joinSession(parleyPort, key, noop);
        const t = performance.now() - t0;
        j.session.close('quit');
        return t;
      };
      const tls = async (): Promise<number> => {
        const t0 = performance.now();
        const s = tlsConnect(tlsClientOptions(ctx.tls, tlsPort));
        await once(s, 'secureConnect');
        const t = performance.now() - t0;
        s.end();
        return t;
      };
      const runs = { parley: { lat: [] as number[], cpuI: [] as number[], cpuR: [] as number[] }, tls: { lat: [] as number[], cpuI: [] as number[], cpuR: [] as number[] } };
      for (let i = 0; i < 20; i++) await parley(); // warm-up: JIT, OpenSSL tables, the sockets' paths
      for (let i = 0; i < 20; i++) await tls();
      const max = ctx.quick ? 300 : 1000;
      while (runs.parley.lat.length < 100 || (runs.parley.lat.length < max && performance.now() < ctx.deadline)) {
        for (const [name, fn] of [['parley', parley], ['tls', tls]] as const) {
          const r = runs[name];
          const peerCpu0 = await peer.call<number>('cpu');
          const cpu0 = cpuMicros();
          for (let i = 0; i < BLOCK; i++) r.lat.push(await fn());
          const cpu1 = cpuMicros();
          const peerCpu1 = await peer.call<number>('cpu');
          r.cpuI.push((cpu1 - cpu0) / BLOCK);
          r.cpuR.push((peerCpu1 - peerCpu0) / BLOCK);
        }
      }
      // C1.gc/C2.gc apart from the blocks above: a scavenge there collects both protocols' garbage,
      // whichever block it falls in. Here each measurement runs one protocol, in both processes
      // from an empty young generation to a final scavenge (gc-time.ts), alternating as the blocks do.
      const gcRuns = { parley: { i: 0, r: 0, n: 0 }, tls: { i: 0, r: 0, n: 0 } };
      for (let round = 0; round < (ctx.quick ? 1 : 3); round++) {
        for (const [name, fn] of [['parley', parley], ['tls', tls]] as const) {
          await peer.call('gcStart');
          const meter = startGcMeter();
          for (let i = 0; i < GC_RUN; i++) await fn();
          gcRuns[name].i += meter.stop();
          gcRuns[name].r += await peer.call<number>('gcStop');
          gcRuns[name].n += GC_RUN;
        }
      }
      const p = summarize(runs.parley.lat);
      const t = summarize(runs.tls.lat);
      const ci = summarize(runs.parley.cpuI);
      const cti = summarize(runs.tls.cpuI);
      const cr = summarize(runs.parley.cpuR);
      const ctr = summarize(runs.tls.cpuR);
      ctx.log(`P1 parley p50 ${p.median.toFixed(3)} ms, tls p50 ${t.median.toFixed(3)} ms`);
      // Issue 11 item 15's goals (P1.p99's is 1.2).
      const ratioGoal = { text: 'ratio ≤ 1.0', on: 'ratio', max: 1.0 } as const;
      return [
        figure({ id: 'P1.p50', name: 'TCP connect → session ready, p50', value: p.median, unit: 'ms', baseline: t.median, baselineName: 'TLS 1.3', goal: ratioGoal, spread: spreadText(p, 3) }),
        figure({ id: 'P1.p99', name: 'TCP connect → session ready, p99', value: p.p99, unit: 'ms', baseline: t.p99, baselineName: 'TLS 1.3', goal: { text: 'ratio ≤ 1.2', on: 'ratio', max: 1.2 }, spread: `max ${p.max.toFixed(2)}, n=${p.n}` }),
        figure({ id: 'C1', name: 'handshake CPU, joining side (initiator / TLS client)', value: ci.median, unit: 'µs', baseline: cti.median, baselineName: 'TLS client', spread: spreadText(ci, 0) + ` blocks of ${BLOCK}` }),
        figure({ id: 'C2', name: 'handshake CPU, hosting side (responder / TLS server)', value: cr.median, unit: 'µs', baseline: ctr.median, baselineName: 'TLS server', goal: ratioGoal, spread: spreadText(cr, 0) + ` blocks of ${BLOCK}` }),
        figure({ id: 'C1.gc', name: 'GC pauses per handshake, joining side', value: gcRuns.parley.i / gcRuns.parley.n, unit: 'µs', baseline: gcRuns.tls.i / gcRuns.tls.n, baselineName: 'TLS client', spread: `${gcRuns.parley.n} handshakes, young generation emptied before` }),
        figure({ id: 'C2.gc', name: 'GC pauses per handshake, hosting side', value: gcRuns.parley.r / gcRuns.parley.n, unit: 'µs', baseline: gcRuns.tls.r / gcRuns.tls.n, baselineName: 'TLS server', spread: `${gcRuns.parley.n} handshakes, young generation emptied before` }),
      ];
    } finally {
      await peer.stop();
    }
  },
};

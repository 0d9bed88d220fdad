/**
 * P4: send → delivered between two ParleyServices in two processes, each over its own data
 * directory (openDataDir + the key-file sealer, as the headless peer opens it): the sender stores
 * the message, sends it, the receiver stores it durably and acks, the sender marks it delivered.
 * Timed from send() to the 'delivered' message-state event, one message at a time.
 */
import { join } from 'node:path';
import { createKeyFileSealer } from '../../src/core/identity/key-file-sealer.ts';
import { ParleyService } from '../../src/core/service/parley-service.ts';
import { openDataDir } from '../../src/core/storage/data-dir.ts';
import { openDatabase } from '../../src/core/storage/database.ts';
import { keepSampling, type Part, type PartContext } from '../lib/part.ts';
import { figure, type FigureResult } from '../lib/report.ts';
import { startPeer } from '../lib/rpc.ts';
import { summarize } from '../lib/stats.ts';

export const deliveryPart: Part = {
  name: 'delivery (P4)',
  budget: [10, 40],
  async run(ctx: PartContext): Promise<FigureResult[]> {
    const peer = await startPeer('service-peer');
    const dir = join(ctx.tmp, 'p4-sender');
    const store = openDataDir(dir, { sealer: createKeyFileSealer(dir) });
    const service = new ParleyService({ store, keyProtection: 'key-file' });
    try {
      await peer.call('open', { dir: join(ctx.tmp, 'p4-receiver'), name: 'Receiver' });
      const hosting = await peer.call<{ invite: string }>('host');
      const { peer: fp } = await service.join(hosting.invite);
      let delivered: { id: string; resolve: () => void } | null = null;
      service.on((e) => {
        if (e.type === 'message-state' && e.state === 'delivered' && delivered?.id === e.id) delivered.resolve();
      });
      const text = 'The quick brown fox jumps over the lazy dog; a chat line of about a hundred bytes, give or take.';
      const one = async (): Promise<number> => {
        let resolve!: () => void;
        const done = new Promise<void>((r) => (resolve = r));
        const t0 = performance.now();
        const m = service.send(fp, text);
        delivered = { id: m.id, resolve };
        await done;
        return performance.now() - t0;
      };
      for (let i = 0; i < 50; i++) await one();
      const samples: number[] = [];
      while (keepSampling(ctx, samples.length, 200, ctx.quick ? 500 : 2000)) samples.push(await one());
      const s = summarize(samples);
      const commit = summarize(durableCommits(join(ctx.tmp, 'p4-commit.db'), ctx.quick ? 200 : 500));
      ctx.log(`P4 p50 ${s.median.toFixed(3)} ms p99 ${s.p99.toFixed(3)} ms; one durable commit p50 ${commit.median.toFixed(3)} ms`);
      return [
        figure({ id: 'P4.p50', name: 'send → delivered (stored, acked) between two services, p50', value: s.median, unit: 'ms', goal: { text: '≤ 1 ms', on: 'value', max: 1 }, spread: `IQR ${s.p25.toFixed(3)}–${s.p75.toFixed(3)}, n=${s.n}` }),
        figure({ id: 'P4.commit', name: 'of which: one durable SQLite commit on this disk (WAL, synchronous=FULL), two on the path', value: commit.median, unit: 'ms', spread: `IQR ${commit.p25.toFixed(3)}–${commit.p75.toFixed(3)}, p99 ${commit.p99.toFixed(2)}, n=${commit.n}` }),
        figure({ id: 'P4.p99', name: 'send → delivered (stored, acked) between two services, p99', value: s.p99, unit: 'ms', goal: { text: '≤ 5 ms', on: 'value', max: 5 }, spread: `max ${s.max.toFixed(2)}` }),
      ];
    } finally {
      await service.close();
      await peer.call('close').catch(() => undefined);
      await peer.stop();
    }
  },
};

/** ms per single-row commit through the store's own openDatabase (WAL, synchronous=FULL). */
function durableCommits(path: string, n: number): number[] {
  const db = openDatabase(path);
  try {
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB NOT NULL) STRICT');
    const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
    const row = new Uint8Array(200);
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      insert.run(row);
      out.push(performance.now() - t0);
    }
    return out;
  } finally {
    db.close();
  }
}

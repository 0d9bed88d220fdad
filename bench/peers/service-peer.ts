/**
 * A real ParleyService in its own process, opened the way the headless peer opens one (openDataDir
 * with the key-file sealer): the far side of P4, and the host of P5 with its event-loop delay
 * watched by perf_hooks.monitorEventLoopDelay.
 */
import { monitorEventLoopDelay, type ELDHistogram } from 'node:perf_hooks';
import { createKeyFileSealer } from '../../src/core/identity/key-file-sealer.ts';
import { ParleyService } from '../../src/core/service/parley-service.ts';
import { openDataDir } from '../../src/core/storage/data-dir.ts';
import { serve } from '../lib/rpc.ts';

let service: ParleyService | null = null;
let connected = 0;
let waiter: { n: number; resolve: () => void } | null = null;
let histogram: ELDHistogram | null = null;

function need(): ParleyService {
  if (!service) throw new Error('open first');
  return service;
}

serve({
  open: (args: { dir: string; name: string }) => {
    const store = openDataDir(args.dir, { sealer: createKeyFileSealer(args.dir) });
    store.settings.setDisplayName(args.name);
    service = new ParleyService({ store, keyProtection: 'key-file' });
    service.on((e) => {
      if (e.type !== 'connected') return;
      connected += 1;
      if (waiter && connected >= waiter.n) {
        waiter.resolve();
        waiter = null;
      }
    });
    return store.identity.fingerprint;
  },
  host: async () => need().host({ port: 0, bind: '127.0.0.1' }),
  /** Resolves once `n` sessions have been established since open. */
  waitConnected: (n: number) =>
    new Promise<number>((resolve) => {
      if (connected >= n) resolve(connected);
      else waiter = { n, resolve: () => resolve(connected) };
    }),
  monitorStart: () => {
    histogram?.disable();
    histogram = monitorEventLoopDelay({ resolution: 1 });
    histogram.enable();
  },
  /** The event-loop delay since monitorStart, in ms. */
  monitorStop: () => {
    if (!histogram) throw new Error('monitorStart first');
    histogram.disable();
    const r = { max: histogram.max / 1e6, p99: histogram.percentile(99) / 1e6, mean: histogram.mean / 1e6 };
    histogram = null;
    return r;
  },
  contacts: () => need().contacts().length,
  rss: () => process.memoryUsage().rss,
  close: async () => {
    await service?.close();
    service = null;
  },
});

/**
 * P10's two sides: a real ParleyService in its own process, with files accepted into a folder. It
 * reports when a transfer was accepted and when it ended (its own clock), chat round trips
 * (send → delivered), and its peak RSS sampled every 20 ms while asked to watch.
 */
import { mkdirSync } from 'node:fs';
import { createKeyFileSealer } from '../../src/core/identity/key-file-sealer.ts';
import { ParleyService } from '../../src/core/service/parley-service.ts';
import { openDataDir } from '../../src/core/storage/data-dir.ts';
import type { ParleyEvent } from '../../src/shared/dto.ts';
import { serve } from '../lib/rpc.ts';

let service: ParleyService | null = null;
const accepted = new Map<string, number>();
const ended = new Map<string, { at: number; how: string }>();
const delivered = new Set<string>();
const waiters = new Set<() => void>();
let rssPeak = 0;
let rssTimer: NodeJS.Timeout | null = null;
let cpuAtWatch = process.cpuUsage();

function need(): ParleyService {
  if (!service) throw new Error('open first');
  return service;
}

function onEvent(e: ParleyEvent): void {
  if (e.type === 'file-accepted' && !accepted.has(e.id)) accepted.set(e.id, performance.now());
  if (e.type === 'file-sent' || e.type === 'file-received') ended.set(e.id, { at: performance.now(), how: e.type });
  if (e.type === 'file-cancelled') ended.set(e.id, { at: performance.now(), how: `cancelled: ${e.reason}` });
  if (e.type === 'file-error') ended.set(e.id, { at: performance.now(), how: `error: ${e.message}` });
  if (e.type === 'message-state' && e.state === 'delivered') delivered.add(e.id);
  for (const w of [...waiters]) w();
}

function until(cond: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const check = (): void => {
      if (!cond()) return;
      waiters.delete(check);
      resolve();
    };
    waiters.add(check);
    check();
  });
}

serve({
  open: (args: { dir: string; acceptDir: string | null }) => {
    const store = openDataDir(args.dir, { sealer: createKeyFileSealer(args.dir) });
    if (args.acceptDir !== null) mkdirSync(args.acceptDir, { recursive: true });
    service = new ParleyService({ store, keyProtection: 'key-file', files: { acceptDir: args.acceptDir, maxFileSize: 2 ** 40 } });
    service.on(onEvent);
    return store.identity.fingerprint;
  },
  host: async () => need().host({ port: 0, bind: '127.0.0.1' }),
  join: async (invite: string) => (await need().join(invite)).peer,
  sendFile: async (args: { peer: string; path: string }) => (await need().sendFile(args.peer, args.path)).id,
  /** Ms from the transfer's file-accepted event to its end here (file-sent on the sender). */
  transferMs: async (id: string) => {
    await until(() => ended.has(id));
    const end = ended.get(id) as { at: number; how: string };
    if (end.how !== 'file-sent' && end.how !== 'file-received') throw new Error(`transfer ${id} ended ${end.how}`);
    return end.at - (accepted.get(id) ?? Number.NaN);
  },
  done: (id: string) => ended.get(id)?.how ?? null,
  /** One chat round trip: send → delivered, in ms. */
  rtt: async (peer: string) => {
    const t0 = performance.now();
    const m = need().send(peer, 'a chat line typed during a transfer, about sixty bytes');
    await until(() => delivered.has(m.id));
    delivered.delete(m.id);
    return performance.now() - t0;
  },
  rssWatch: () => {
    cpuAtWatch = process.cpuUsage();
    rssPeak = process.memoryUsage().rss;
    rssTimer = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 20);
    return rssPeak;
  },
  rssPeak: () => {
    if (rssTimer) clearInterval(rssTimer);
    rssTimer = null;
    return Math.max(rssPeak, process.memoryUsage().rss);
  },
  /** CPU time (user + system, ms) since rssWatch: the machine is shared, so CPU per byte compares better than wall time. */
  cpuMs: () => {
    const u = process.cpuUsage(cpuAtWatch);
    return (u.user + u.system) / 1000;
  },
  close: async () => {
    await service?.close();
    service = null;
  },
});

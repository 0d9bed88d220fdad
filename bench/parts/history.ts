/**
 * P6: a conversation of 1,000,000 messages (250,000 with --quick) in a real data directory.
 *
 * - insert rate: through the product's path, messages.insertIncoming, one durable (fsynced)
 *   commit per message, as ParleyService stores each message it receives before acking it;
 * - the rest of the million is filled in bulk (lib/fill-history.ts: rows as the store writes them);
 * - open the latest 50: ParleyService.history on a freshly opened store (openDataDir, as at start),
 *   the first call, repeated over several opens; page 50 older: walking back page by page;
 * - bytes on disk per message: the growth of parley.db (+ WAL) after a checkpoint, per message;
 * - and, because every received message emits contact-changed, the cost of that event's contact
 *   summary (unread count and last message) with this history.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { generateKeyPair } from '../../src/core/crypto/p256.ts';
import { createKeyFileSealer } from '../../src/core/identity/key-file-sealer.ts';
import { ParleyService } from '../../src/core/service/parley-service.ts';
import { openDataDir, type Store } from '../../src/core/storage/data-dir.ts';
import { chatLine, checkpoint, fillConversation, storeBytes } from '../lib/fill-history.ts';
import type { Part, PartContext } from '../lib/part.ts';
import { figure, type FigureResult } from '../lib/report.ts';
import { spreadText, summarize } from '../lib/stats.ts';


function open(dir: string): Store {
  return openDataDir(dir, { sealer: createKeyFileSealer(dir) });
}

export const historyPart: Part = {
  name: 'history (P6)',
  budget: [35, 150],
  async run(ctx: PartContext): Promise<FigureResult[]> {
    // The figure is defined on 1,000,000 messages; --quick uses 250,000 and says so in the names.
    const TOTAL = ctx.quick ? 250_000 : 1_000_000;
    const total = TOTAL.toLocaleString('en-US');
    const dir = join(ctx.tmp, 'p6');
    let store = open(dir);
    const { contact } = store.contacts.upsertSeen({ publicKey: generateKeyPair().publicKey, name: 'Chatty' });
    const peer = contact.fingerprint;
    store.close();
    checkpoint(dir);
    const emptyBytes = storeBytes(dir);
    store = open(dir);

    // Insert rate through the product path: one fsynced commit per message.
    const rateSeconds = ctx.quick ? 2 : 5;
    let inserted = 0;
    const rates: number[] = [];
    for (let s = 0; s < rateSeconds; s++) {
      const t0 = performance.now();
      let n = 0;
      while (performance.now() - t0 < 1000) {
        store.messages.insertIncoming(peer, { id: randomUUID(), ts: Date.now(), text: chatLine(inserted) });
        inserted++;
        n++;
      }
      rates.push(n / ((performance.now() - t0) / 1000));
    }
    store.close();

    // Bulk fill to a million.
    const fillStart = performance.now();
    fillConversation(dir, peer, inserted, TOTAL);
    const fillSeconds = (performance.now() - fillStart) / 1000;
    const bytesPerMessage = (storeBytes(dir) - emptyBytes) / TOTAL;
    ctx.log(`P6 filled ${TOTAL} messages in ${fillSeconds.toFixed(1)} s; ${bytesPerMessage.toFixed(0)} B/message`);

    // Open the latest 50, on a freshly opened store each time (the first query after start).
    const openTimes: number[] = [];
    const summaryTimes: number[] = [];
    const pageTimes: number[] = [];
    for (let r = 0; r < (ctx.quick ? 5 : 15) && (r < 3 || performance.now() < ctx.deadline); r++) {
      const s = open(dir);
      const service = new ParleyService({ store: s, keyProtection: 'key-file' });
      const t0 = performance.now();
      const latest = service.history(peer, { before: null, limit: 50 });
      openTimes.push(performance.now() - t0);
      if (latest.length !== 50) throw new Error('history returned a short page');
      const t1 = performance.now();
      service.contact(peer);
      summaryTimes.push(performance.now() - t1);
      if (r === 0) {
        // Page 50 older, walking back from the newest.
        let cursor = latest[0]?.seq as number;
        for (let p = 0; p < (ctx.quick ? 200 : 1000); p++) {
          const t = performance.now();
          const page = service.history(peer, { before: cursor, limit: 50 });
          pageTimes.push(performance.now() - t);
          cursor = page[0]?.seq as number;
        }
      }
      await service.close();
    }
    const o = summarize(openTimes);
    const p = summarize(pageTimes);
    const c = summarize(summaryTimes);
    const r = summarize(rates);
    return [
      figure({ id: 'P6.insert', name: 'insert rate, one durable commit per received message (insertIncoming)', value: r.median, unit: 'msg/s', spread: `${spreadText(r, 0)} one-second runs; bulk fill ${((TOTAL - inserted) / fillSeconds).toFixed(0)} msg/s` }),
      figure({ id: 'P6.open', name: `open the latest 50 of ${total} (first query on a fresh store)`, value: o.median, unit: 'ms', goal: { text: '≤ 5 ms', on: 'value', max: 5 }, spread: `${spreadText(o, 2)} opens, max ${o.max.toFixed(2)}` }),
      figure({ id: 'P6.page', name: 'page 50 older', value: p.median, unit: 'ms', spread: `${spreadText(p, 2)}, p99 ${p.p99.toFixed(2)}` }),
      figure({ id: 'P6.bytes', name: `bytes on disk per message (${total} texts of 10–150 characters)`, value: bytesPerMessage, unit: 'B' }),
      figure({ id: 'P6.summary', name: `contact summary with ${total} messages (per contact-changed event)`, value: c.median, unit: 'ms', spread: spreadText(c, 2) }),
    ];
  },
};

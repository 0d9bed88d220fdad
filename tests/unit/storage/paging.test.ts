import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { hasControlChars } from '../../../src/shared/text.ts';
import type { Store } from '../../../src/core/storage/data-dir.ts';
import type { StoredMessage } from '../../../src/core/storage/message-codec.ts';
import { addPeer, cleanupTempDirs, openTestStore } from './helpers.ts';

const store: Store = openTestStore();
afterAll(() => {
  store.close();
  cleanupTempDirs();
});

/** Walks the whole conversation backwards in pages of n; checks each page's shape on the way. */
function walk(peer: string, n: number, between?: () => void): StoredMessage[] {
  let page = store.messages.latest(peer, n);
  let all = page;
  while (page.length === n) {
    between?.();
    const cursor = page[0]?.seq ?? 0;
    page = store.messages.before(peer, cursor, n);
    expect(page.length).toBeLessThanOrEqual(n);
    if (page.length > 0) expect(page.at(-1)?.seq).toBeLessThan(cursor);
    all = [...page, ...all];
  }
  return all;
}

const text = fc.string({ minLength: 1, maxLength: 12, unit: 'binary' }).filter((s) => s.isWellFormed() && !hasControlChars(s, true));
const op = fc.record({ who: fc.integer({ min: 0, max: 1 }), incoming: fc.boolean(), text });

describe('paging', () => {
  it('latest + before pages concatenate to the whole history, in order, for any page size', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), fc.integer({ min: 1, max: 9 }), (ops, n) => {
        const peers = [addPeer(store, 'P0'), addPeer(store, 'P1')];
        const expected: [string[], string[]] = [[], []];
        for (const { who, incoming, text: t } of ops) {
          const peer = peers[who] ?? '';
          if (incoming) store.messages.insertIncoming(peer, { id: randomUUID(), ts: 1, text: t });
          else store.messages.insertOutgoing(peer, t);
          expected[who as 0 | 1].push(`${incoming ? 'in' : 'out'}:${t}`);
        }
        for (const who of [0, 1] as const) {
          const peer = peers[who] ?? '';
          const all = walk(peer, n);
          expect(all.map((m) => `${m.direction}:${m.text}`)).toEqual(expected[who]);
          expect(all.every((m) => m.peer === peer)).toBe(true);
          const seqs = all.map((m) => m.seq);
          expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
          expect(new Set(seqs).size).toBe(seqs.length);
          expect(store.messages.count(peer)).toBe(expected[who].length);
        }
      }),
      { seed: 42, numRuns: 60 },
    );
  });

  it('a cursor stays valid while new messages arrive during the walk', () => {
    const peer = addPeer(store);
    const history = Array.from({ length: 23 }, (_, i) => store.messages.insertOutgoing(peer, `old ${i}`).text);
    let arrivals = 0;
    const seen = walk(peer, 5, () => {
      store.messages.insertIncoming(peer, { id: randomUUID(), ts: 2, text: `new ${arrivals++}` });
    });
    expect(arrivals).toBeGreaterThan(0);
    expect(seen.map((m) => m.text)).toEqual(history);
    expect(store.messages.latest(peer, 2).map((m) => m.text)).toEqual([`new ${arrivals - 2}`, `new ${arrivals - 1}`]);
  });

  it('exact multiples of the page size end with an empty page; an empty conversation is one empty page', () => {
    const peer = addPeer(store);
    expect(store.messages.latest(peer, 3)).toEqual([]);
    for (let i = 0; i < 6; i++) store.messages.insertOutgoing(peer, `m${i}`);
    const first = store.messages.latest(peer, 3);
    expect(first.map((m) => m.text)).toEqual(['m3', 'm4', 'm5']);
    const second = store.messages.before(peer, first[0]?.seq ?? 0, 3);
    expect(second.map((m) => m.text)).toEqual(['m0', 'm1', 'm2']);
    expect(store.messages.before(peer, second[0]?.seq ?? 0, 3)).toEqual([]);
  });
});

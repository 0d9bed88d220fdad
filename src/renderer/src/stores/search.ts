/**
 * Searching message text across conversations. The core decrypts history page by page (at most 1,000 rows a
 * call, 10–30 ms), so results come in pages: `more()` continues from the cursor, and `scanned` tells how far.
 */
import { ref } from 'vue';
import { defineStore } from 'pinia';
import type { SearchHitDto } from '../../../shared/dto.ts';
import type { ParleyError } from '../../../shared/result.ts';
import { call } from '../api/parley.ts';

/** Hits wanted before a search stops asking on its own (the user can ask for more). */
const WANTED = 20;
/** Calls made on their own for one batch (each a bounded slice of history). */
const MAX_CALLS = 20;

/** The search store. */
export const useSearchStore = defineStore('search', () => {
  const query = ref('');
  const hits = ref<SearchHitDto[]>([]);
  /** The cursor for more, null once all of history was searched. */
  const next = ref<number | null>(null);
  const scanned = ref(0);
  const busy = ref(false);
  const searched = ref(false);
  const error = ref<ParleyError | null>(null);
  let generation = 0;

  // Pages until WANTED more hits or the end; a newer search makes this one stop.
  async function fetch(q: string, from: number | null, mine: number): Promise<void> {
    busy.value = true;
    const target = hits.value.length + WANTED;
    let cursor = from;
    for (let calls = 0; calls < MAX_CALLS; calls++) {
      const r = await call((api) => api.search(q, cursor));
      if (mine !== generation) return;
      if (!r.ok) {
        error.value = r.error;
        break;
      }
      hits.value = [...hits.value, ...r.value.hits];
      scanned.value += r.value.scanned;
      cursor = r.value.next;
      next.value = cursor;
      if (cursor === null || hits.value.length >= target) break;
    }
    busy.value = false;
    searched.value = true;
  }

  /** Starts a new search (the previous one's pages are dropped). */
  async function run(text: string): Promise<void> {
    const q = text.trim();
    const mine = ++generation;
    query.value = text;
    hits.value = [];
    scanned.value = 0;
    next.value = null;
    error.value = null;
    searched.value = false;
    if (q === '') {
      busy.value = false;
      return;
    }
    await fetch(q, null, mine);
  }

  /** More hits from where the last page stopped. */
  async function more(): Promise<void> {
    if (busy.value || next.value === null) return;
    await fetch(query.value.trim(), next.value, generation);
  }

  return { query, hits, next, scanned, busy, searched, error, run, more };
});

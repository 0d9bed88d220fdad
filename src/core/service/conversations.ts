/**
 * Reading conversations: one thread per person (the current key's history and that of every key
 * archived on it, in one timeline, with the key changes to show inline), paging before, after or
 * around a message, and search.
 *
 * Search cannot use an index over the text: message text is sealed at rest (docs/SECURITY.md), and
 * an FTS table would hold it in clear. It walks the history backwards from a cursor, opening each
 * text, with a bounded cost per call: at most SEARCH_SCAN_ROWS rows are read and decrypted (10–30
 * ms on the development machine, see below), and the call returns a cursor to go on from. A search over a history of n messages costs n AES-GCM opens in all, paid a page at a time,
 * so the UI stays responsive and can stop whenever it has enough.
 */
import type { HistoryPage, KeyChangeDto, MessageDto, SearchHitDto, SearchPageDto, VerificationMethod } from '../../shared/dto.ts';
import { countCodePoints, hasControlChars } from '../../shared/text.ts';
import type { StoredMessage } from '../storage/message-codec.ts';
import { MAX_PAGE } from '../storage/messages-repo.ts';
import type { ContactView } from './contact-view.ts';
import { toMessageDto } from './dto.ts';
import { ServiceError } from './errors.ts';
import type { ServiceStore } from './service-store.ts';

/**
 * Rows read and decrypted per search call at most (the bounded cost of one call): measured at 8.5
 * to 30 µs per row (an SQLite step and an AES-GCM open of a ~100-character text) on the 2-core
 * development machine, idle to loaded, so one call blocks the main process for about 10–30 ms.
 */
export const SEARCH_SCAN_ROWS = 1000;
/** Hits returned per search call at most. */
export const SEARCH_MAX_HITS = 50;
/** Longest query, in code points. */
export const MAX_QUERY_CODE_POINTS = 200;
const SNIPPET_CONTEXT = 50;

/** See the module comment. */
export class Conversations {
  readonly #store: ServiceStore;
  readonly #contacts: ContactView;
  readonly #decorate: (dto: MessageDto) => MessageDto;

  /** `decorate` adds what the message row alone does not hold (a file offer's transfer). */
  constructor(store: ServiceStore, contacts: ContactView, decorate: (dto: MessageDto) => MessageDto = (dto) => dto) {
    this.#store = store;
    this.#contacts = contacts;
    this.#decorate = decorate;
  }

  /**
   * A page of the thread, oldest first: the newest `limit`; the `limit` before `before` or after
   * `after` (seqs); or about `limit` around `around` (that message and the ones just before and after).
   */
  history(peer: string, page: HistoryPage): MessageDto[] {
    this.#contacts.require(peer);
    const { limit } = page;
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_PAGE) throw new ServiceError('bad-input', `a page holds 1 to ${MAX_PAGE} messages`);
    const cursors = [page.before ?? null, page.after ?? null, page.around ?? null].filter((c) => c !== null);
    if (cursors.length > 1) throw new ServiceError('bad-input', 'page with one of before, after or around');
    if (cursors.some((c) => !Number.isSafeInteger(c) || c < 1)) throw new ServiceError('bad-input', 'a cursor is a message seq (a positive integer)');
    const keys = this.#store.people.threadKeys(peer);
    let rows: StoredMessage[];
    if (page.around !== undefined) {
      const older = this.#older(keys, page.around + 1, Math.ceil(limit / 2));
      rows = [...older, ...this.#newer(keys, page.around, limit - older.length)];
    } else if (page.after !== undefined) rows = this.#newer(keys, page.after, limit);
    else rows = this.#older(keys, page.before ?? null, limit);
    return rows.map((m) => this.#decorate(toMessageDto(m, peer)));
  }

  /** The thread's archived keys, oldest change first: the inline "key changed" events. */
  keyHistory(peer: string): KeyChangeDto[] {
    this.#contacts.require(peer);
    return this.#store.people.keyChanges(peer).map((k) => ({ ...k, oldVerifiedMethod: k.oldVerifiedMethod as VerificationMethod | null }));
  }

  /**
   * Messages whose text contains `query` (case-insensitive), newest first, in every thread but
   * blocked ones. `cursor`: null to start from the newest message, else the `next` of the previous
   * call. Reads at most SEARCH_SCAN_ROWS rows per call (see the module comment).
   */
  search(query: string, cursor: number | null): SearchPageDto {
    if (typeof query !== 'string' || query.trim() === '' || countCodePoints(query) > MAX_QUERY_CODE_POINTS || hasControlChars(query, false)) {
      throw new ServiceError('bad-input', `a search is 1 to ${MAX_QUERY_CODE_POINTS} characters without control characters`);
    }
    if (cursor !== null && (!Number.isSafeInteger(cursor) || cursor < 1)) throw new ServiceError('bad-input', 'the cursor is the next of an earlier search');
    const needle = query.toLowerCase();
    const threads = new Map<string, string | null>(); // key → its thread's current key, null: left out
    const hits: SearchHitDto[] = [];
    let from = cursor ?? Number.MAX_SAFE_INTEGER;
    let scanned = 0;
    while (scanned < SEARCH_SCAN_ROWS && hits.length < SEARCH_MAX_HITS) {
      const rows = this.#store.messages.scanBefore(from, Math.min(MAX_PAGE, SEARCH_SCAN_ROWS - scanned));
      if (rows.length === 0) return { hits, next: null, scanned };
      for (const m of rows) {
        scanned++;
        from = m.seq;
        const thread = this.#threadOf(threads, m.peer);
        const at = thread === null ? -1 : m.text.toLowerCase().indexOf(needle);
        if (thread !== null && at >= 0) {
          hits.push({ peer: thread, key: m.peer, id: m.id, seq: m.seq, ts: m.ts, direction: m.direction, ...snippet(m.text, at, needle.length) });
          if (hits.length === SEARCH_MAX_HITS) break;
        }
      }
    }
    return { hits, next: from > 1 ? from : null, scanned };
  }

  #threadOf(cache: Map<string, string | null>, key: string): string | null {
    let thread = cache.get(key);
    if (thread === undefined) {
      const contact = this.#store.contacts.get(key);
      thread = contact === null || contact.status === 'blocked' ? null : (contact.thread ?? key);
      if (thread !== key && thread !== null && this.#store.contacts.get(thread)?.status === 'blocked') thread = null;
      cache.set(key, thread);
    }
    return thread;
  }

  // One page per key, merged by seq: k index range scans of at most n rows (k = the thread's keys,
  // almost always 1), never a sort over the whole thread.
  #older(keys: readonly string[], before: number | null, n: number): StoredMessage[] {
    if (n <= 0) return [];
    const pages = keys.map((k) => (before === null ? this.#store.messages.latest(k, n) : this.#store.messages.before(k, before, n)));
    return pages.flat().sort((a, b) => a.seq - b.seq).slice(-n);
  }

  #newer(keys: readonly string[], after: number, n: number): StoredMessage[] {
    if (n <= 0) return [];
    return keys.flatMap((k) => this.#store.messages.after(k, after, n)).sort((a, b) => a.seq - b.seq).slice(0, n);
  }
}

/** Up to SNIPPET_CONTEXT characters either side of the match, on one line. */
function snippet(text: string, at: number, length: number): { snippet: string; matchStart: number; matchLength: number } {
  let start = Math.max(0, at - SNIPPET_CONTEXT);
  let end = Math.min(text.length, at + length + SNIPPET_CONTEXT);
  // Never cut a surrogate pair in two (the snippet would hold a lone half).
  if (start > 0 && isLowSurrogate(text.charCodeAt(start))) start--;
  if (end < text.length && isLowSurrogate(text.charCodeAt(end))) end++;
  const head = start > 0 ? '…' : '';
  const body = text.slice(start, end).replace(/[\t\n]/g, ' ');
  return { snippet: `${head}${body}${end < text.length ? '…' : ''}`, matchStart: head.length + at - start, matchLength: Math.min(length, end - at) };
}

function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}

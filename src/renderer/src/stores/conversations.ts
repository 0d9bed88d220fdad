/**
 * Message history per contact, paged from the core. `history(fp, {before, limit})` answers the `limit`
 * messages immediately before seq `before` (the newest when null), in ascending seq order. Threads hold
 * plain arrays marked raw (replaced on change, never deep-reactive) so that 100,000 messages cost no proxies.
 */
import { markRaw, ref, shallowReactive } from 'vue';
import { defineStore } from 'pinia';
import type { DeliveryState, FileDto, KeyChangeDto, MessageDto, SendOptions } from '../../../shared/dto.ts';
import type { ParleyError } from '../../../shared/result.ts';
import { call } from '../api/parley.ts';

/** Messages per history call. */
export const PAGE_SIZE = 100;

const MAX_EARLY_STATES = 1000;
const RANK: Readonly<Record<DeliveryState, number>> = { queued: 0, sent: 1, delivered: 2 };

/** One conversation's loaded slice of history. */
export type Thread = {
  messages: readonly MessageDto[];
  /** A history call is in flight. */
  loading: boolean;
  /** The first page has arrived. */
  loaded: boolean;
  /** The oldest message is loaded: nothing earlier to fetch. */
  reachedStart: boolean;
  error: ParleyError | null;
  /** The newest message is loaded (false after a jump to a search hit, until paged forward). */
  reachedEnd: boolean;
  /** The seq to highlight (a search hit jumped to), else null. */
  highlight: number | null;
  /** The person's earlier keys archived on this thread, each drawn after the message with seq `afterSeq`. */
  keyChanges: readonly KeyChangeDto[];
};

/** The later of two delivery states: events can overtake the answer to `send`, states never go back. */
function laterState(a: DeliveryState, b: DeliveryState): DeliveryState {
  return RANK[b] > RANK[a] ? b : a;
}

/** Merges messages into a sorted, duplicate-free array (by id), keeping the furthest delivery state. */
function merge(existing: readonly MessageDto[], incoming: readonly MessageDto[]): MessageDto[] {
  const sorted = [...incoming].sort((a, b) => a.seq - b.seq);
  const first = existing[0];
  const last = existing.at(-1);
  const lastIn = sorted.at(-1);
  const firstIn = sorted[0];
  // Fast paths: an older page goes in front, a new message at the end.
  if (first === undefined) return sorted;
  if (lastIn !== undefined && lastIn.seq < first.seq) return sorted.concat(existing);
  if (firstIn !== undefined && last !== undefined && firstIn.seq > last.seq) return existing.concat(sorted);
  const byId = new Map<string, MessageDto>();
  for (const m of [...existing, ...sorted]) {
    const had = byId.get(m.id);
    byId.set(m.id, had === undefined ? m : { ...m, state: laterState(had.state, m.state) });
  }
  return [...byId.values()].sort((a, b) => a.seq - b.seq);
}

/** The conversations store. */
export const useConversationsStore = defineStore('conversations', () => {
  const threads = shallowReactive(new Map<string, Thread>());
  // States that arrived before their message (e.g. 'sent' before `send` answered).
  const earlyStates = new Map<string, DeliveryState>();
  /** Unsent text per contact, kept while the user looks at other conversations. */
  const drafts = ref<Record<string, string>>({});
  /** The message the composer replies to, per contact. */
  const replyingTo = ref<Record<string, MessageDto>>({});

  function setReply(fp: string, m: MessageDto | null): void {
    const { [fp]: _old, ...rest } = replyingTo.value;
    replyingTo.value = m === null ? rest : { ...rest, [fp]: m };
  }

  function setDraft(fp: string, text: string): void {
    drafts.value = { ...drafts.value, [fp]: text };
  }

  function thread(fp: string): Thread {
    let t = threads.get(fp);
    if (t === undefined) {
      t = shallowReactive<Thread>({ messages: [], loading: false, loaded: false, reachedStart: false, error: null, keyChanges: [], reachedEnd: true, highlight: null });
      threads.set(fp, t);
    }
    return t;
  }

  /** The thread of fp if one was opened, without creating it (safe inside computed values). */
  function peek(fp: string | null): Thread | null {
    return fp === null ? null : (threads.get(fp) ?? null);
  }

  function put(t: Thread, incoming: readonly MessageDto[]): void {
    const adjusted = incoming.map((m) => {
      const early = earlyStates.get(m.id);
      if (early === undefined) return m;
      earlyStates.delete(m.id);
      return { ...m, state: laterState(m.state, early) };
    });
    t.messages = markRaw(merge(t.messages, adjusted));
  }

  async function fetchPage(fp: string, before: number | null): Promise<void> {
    const t = thread(fp);
    if (t.loading) return;
    t.loading = true;
    const r = await call((api) => api.history(fp, { before, limit: PAGE_SIZE }));
    t.loading = false;
    if (!r.ok) {
      t.error = r.error;
      return;
    }
    t.error = null;
    const page = before === null ? r.value : r.value.filter((m) => m.seq < before);
    if (r.value.length < PAGE_SIZE) t.reachedStart = true;
    put(t, page);
    t.loaded = true;
  }

  /** Loads the newest page the first time a conversation is shown. */
  async function open(fp: string): Promise<void> {
    const t = thread(fp);
    if (t.loaded || t.loading) return;
    await Promise.all([fetchPage(fp, null), loadKeyChanges(fp)]);
  }

  /** The inline "key changed" events of a thread (an empty list for most people). */
  async function loadKeyChanges(fp: string): Promise<void> {
    const r = await call((api) => api.keyHistory(fp));
    // Without them the thread still reads right, only without the marker: no error for the user.
    if (r.ok) thread(fp).keyChanges = markRaw([...r.value].sort((a, b) => a.afterSeq - b.afterSeq));
  }

  /** Loads the page before the oldest loaded message. */
  async function loadOlder(fp: string): Promise<void> {
    const t = thread(fp);
    if (!t.loaded) return open(fp);
    if (t.reachedStart || t.loading) return;
    const oldest = t.messages[0];
    if (oldest === undefined) {
      t.reachedStart = true;
      return;
    }
    await fetchPage(fp, oldest.seq);
  }

  /**
   * Opens the thread at a search hit: the messages around `seq`, that one highlighted; older and newer
   * pages follow as the user scrolls (loadOlder / loadNewer).
   */
  async function jumpTo(fp: string, seq: number): Promise<void> {
    const t = thread(fp);
    t.loading = true;
    const r = await call((api) => api.history(fp, { before: null, around: seq, limit: PAGE_SIZE }));
    t.loading = false;
    if (!r.ok) {
      t.error = r.error;
      return;
    }
    t.error = null;
    t.messages = markRaw([]);
    put(t, r.value);
    t.loaded = true;
    // Unknown until paged: the ends are asked for when the user scrolls there.
    t.reachedStart = r.value.length === 0;
    t.reachedEnd = r.value.length === 0;
    t.highlight = seq;
    if (t.keyChanges.length === 0) await loadKeyChanges(fp);
  }

  /** Loads the page after the newest loaded message (after a jump). */
  async function loadNewer(fp: string): Promise<void> {
    const t = thread(fp);
    const newest = t.messages.at(-1);
    if (t.reachedEnd || t.loading || newest === undefined) return;
    t.loading = true;
    const r = await call((api) => api.history(fp, { before: null, after: newest.seq, limit: PAGE_SIZE }));
    t.loading = false;
    if (!r.ok) {
      t.error = r.error;
      return;
    }
    if (r.value.length < PAGE_SIZE) t.reachedEnd = true;
    put(t, r.value.filter((m) => m.seq > newest.seq));
  }

  /** A message from an event or from `send`; ignored until the conversation's first page is loaded (it will be in it). */
  function receive(m: MessageDto): void {
    const t = threads.get(m.peer);
    // After a jump the newest page is not loaded: the message comes with it (loadNewer), not out of order.
    if (t === undefined || (!t.loaded && !t.loading) || !t.reachedEnd) return;
    put(t, [m]);
  }

  /** Adds a message the user just sent (a file offer) to a loaded thread. */
  function added(m: MessageDto): void {
    const t = thread(m.peer);
    if (t.loaded || t.loading) put(t, [m]);
  }

  /** A delivery state change from an event. */
  function setState(peer: string, id: string, state: DeliveryState): void {
    const t = threads.get(peer);
    const msgs = t?.messages ?? [];
    for (let i = msgs.length - 1; i >= 0; i--) {
      const m = msgs[i] as MessageDto;
      if (m.id !== id) continue;
      if (laterState(m.state, state) === m.state) return;
      const copy = [...msgs];
      copy[i] = { ...m, state };
      (t as Thread).messages = markRaw(copy);
      return;
    }
    earlyStates.set(id, laterState(earlyStates.get(id) ?? 'queued', state));
    // States for conversations that are not loaded are never claimed: keep only the most recent few.
    if (earlyStates.size > MAX_EARLY_STATES) earlyStates.delete(earlyStates.keys().next().value as string);
  }

  /** Changes the file of an offer already in a loaded thread (from a file event); false when it is not loaded. */
  function patchFile(peer: string, id: string, change: (file: FileDto) => FileDto): boolean {
    if (patchIn(threads.get(peer), id, change)) return true;
    // A transfer begun under a person's earlier key reports that key as its peer, while its offer now
    // sits in the one thread of the person's current key: look for the message id in the others.
    for (const [fp, t] of threads) if (fp !== peer && patchIn(t, id, change)) return true;
    return false;
  }

  function patchIn(t: Thread | undefined, id: string, change: (file: FileDto) => FileDto): boolean {
    const msgs = t?.messages ?? [];
    for (let i = msgs.length - 1; i >= 0; i--) {
      const m = msgs[i] as MessageDto;
      if (m.id !== id || m.file === undefined) continue;
      const copy = [...msgs];
      copy[i] = { ...m, file: change(m.file) };
      (t as Thread).messages = markRaw(copy);
      return true;
    }
    return false;
  }

  /** The message `id` of a loaded thread, else null. */
  function find(peer: string, id: string): MessageDto | null {
    const msgs = threads.get(peer)?.messages ?? [];
    for (let i = msgs.length - 1; i >= 0; i--) if ((msgs[i] as MessageDto).id === id) return msgs[i] as MessageDto;
    return null;
  }

  /**
   * Sends text to fp, as a reply or a reaction when `options` says so; the message joins the thread at
   * once with the state the core gave it.
   */
  async function send(fp: string, text: string, options: SendOptions = {}): Promise<ParleyError | null> {
    const r = await call((api) =>
      options.replyTo ? api.reply(fp, text, { replyTo: options.replyTo }) : options.reactTo ? api.reply(fp, text, { reactTo: options.reactTo }) : api.send(fp, text),
    );
    if (!r.ok) return r.error;
    const t = thread(fp);
    if ((t.loaded || t.loading) && t.reachedEnd) put(t, [r.value]);
    else if (t.loaded && !t.reachedEnd) {
      // Writing after a jump to an old message: back to the newest page, where the new message is.
      t.messages = markRaw([]);
      t.highlight = null;
      t.reachedEnd = true;
      t.reachedStart = false;
      await fetchPage(fp, null);
      put(t, [r.value]);
    }
    return null;
  }

  /** Forgets one thread (deleted, or its history changed shape: a key archived into it); the next open reloads it. */
  function forget(fp: string): void {
    threads.delete(fp);
    const { [fp]: _gone, ...rest } = drafts.value;
    drafts.value = rest;
  }

  /** Forgets every loaded thread (used when the identity changes). */
  function reset(): void {
    threads.clear();
    earlyStates.clear();
    drafts.value = {};
    replyingTo.value = {};
  }

  return { threads, drafts, setDraft, replyingTo, setReply, thread, peek, open, loadOlder, jumpTo, loadNewer, receive, added, setState, patchFile, find, send, forget, reset };
});

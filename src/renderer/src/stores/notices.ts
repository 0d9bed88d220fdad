/**
 * Short messages for the user: confirmations fade after a while, errors stay until dismissed.
 *
 * Notices never float over controls. They are shown inside a region that a layout reserves for them
 * (a notice host: the window, the main pane, a conversation above its composer, an open dialog), and
 * only in one host at a time: the most specific one on screen. While a modal dialog is open, confirmations
 * are held: one that arrives meanwhile waits, and gets its full time once the dialog closes; errors show in
 * the dialog.
 */
import { computed, ref } from 'vue';
import { defineStore } from 'pinia';

/** What a notice offers to do about it (a button beside Dismiss), e.g. "Open Host". */
export type NoticeAction = { readonly label: string; readonly run: () => void };

/** One notice; `key` names what it is about, so that a newer notice about the same thing replaces it. */
export type Notice = { readonly id: number; readonly kind: 'info' | 'error'; readonly title: string; readonly text: string; readonly key: string | null; readonly action?: NoticeAction };

/** The regions that can show notices, from the least to the most specific. */
export type NoticeHostKind = 'window' | 'pane' | 'conversation' | 'dialog';

type Host = { readonly id: number; readonly kind: NoticeHostKind };

/**
 * The notice key of a contact's status (connected, a key warning, blocked…): one status line per
 * contact, the newest replacing the older, cleared once resolved. A join says "connected" too, and one is enough.
 */
export function statusKey(peer: string): string {
  return `status:${peer}`;
}

/** The status line of "this peer connected" (see statusKey). */
export const connectedKey = statusKey;

/** How long a confirmation stays on screen. */
export const INFO_MS = 6000;
const MAX_ITEMS = 5;
const RANK: Readonly<Record<NoticeHostKind, number>> = { window: 0, pane: 1, conversation: 2, dialog: 3 };

/** The notices store. */
export const useNoticesStore = defineStore('notices', () => {
  const items = ref<Notice[]>([]);
  const hosts = ref<Host[]>([]);
  const timers = new Map<number, ReturnType<typeof setTimeout>>();
  let next = 1;

  /** The host that shows notices now: the highest rank, and among equals (nested dialogs) the newest. */
  const activeHost = computed<number | null>(() => {
    let best: Host | null = null;
    for (const h of hosts.value) if (best === null || RANK[h.kind] >= RANK[best.kind]) best = h;
    return best?.id ?? null;
  });

  /** True while a modal dialog is open: confirmations wait for it to close. */
  const holding = computed(() => hosts.value.some((h) => h.kind === 'dialog'));

  /** The notices on screen (in the active host), oldest first. */
  const visible = computed<readonly Notice[]>(() => {
    if (activeHost.value === null) return [];
    return holding.value ? items.value.filter((n) => n.kind === 'error') : items.value;
  });

  // A confirmation's time starts when it is first on screen (one held back by a dialog waits for it to close)
  // and then runs on: one already seen is not brought back in full after a long dialog.
  function syncTimers(): void {
    const present = new Set(items.value.map((n) => n.id));
    for (const [id, timer] of timers) {
      if (present.has(id)) continue;
      clearTimeout(timer);
      timers.delete(id);
    }
    for (const n of visible.value) if (n.kind === 'info' && !timers.has(n.id)) timers.set(n.id, setTimeout(() => dismiss(n.id), INFO_MS));
  }

  function dismiss(id: number): void {
    items.value = items.value.filter((n) => n.id !== id);
    syncTimers();
  }

  /** Shows a notice; one with the same `key` (e.g. about the same connection) is replaced, not stacked. */
  function push(kind: Notice['kind'], title: string, text = '', key: string | null = null, action?: NoticeAction): number {
    const id = next++;
    const others = key === null ? items.value : items.value.filter((n) => n.key !== key);
    items.value = [...others.slice(-(MAX_ITEMS - 1)), { id, kind, title, text, key, ...(action ? { action } : {}) }];
    syncTimers();
    return id;
  }

  /** Clears the notices with this key (what they said is resolved); `kind` limits it to errors or confirmations. */
  function clear(key: string, kind: Notice['kind'] | null = null): void {
    const left = items.value.filter((n) => n.key !== key || (kind !== null && n.kind !== kind));
    if (left.length === items.value.length) return;
    items.value = left;
    syncTimers();
  }

  /** Registers a region that can show notices; returns its id (for isActive and removeHost). */
  function addHost(kind: NoticeHostKind): number {
    const id = next++;
    hosts.value = [...hosts.value, { id, kind }];
    syncTimers();
    return id;
  }

  function removeHost(id: number): void {
    hosts.value = hosts.value.filter((h) => h.id !== id);
    syncTimers();
  }

  /** True when the host with this id is the one showing notices. */
  function isActive(id: number): boolean {
    return activeHost.value === id;
  }

  return { items, visible, holding, push, dismiss, clear, addHost, removeHost, isActive };
});

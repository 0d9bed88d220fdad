/** Contacts as the core reports them, kept fresh by events, plus the key warnings of this session. */
import { computed, ref } from 'vue';
import { defineStore } from 'pinia';
import type { ContactDto, MessageDto, VerificationMethod } from '../../../shared/dto.ts';
import type { WarningCode } from '../../../shared/errors.ts';
import { reactionPreview } from '../../../shared/reaction-preview.ts';
import type { ParleyError, Result } from '../../../shared/result.ts';
import { call } from '../api/parley.ts';
import { statusKey, useNoticesStore } from './notices.ts';

/** A 'warning' event as remembered for the banner (PROTOCOL.md section 6). */
export type KeyWarning = {
  readonly code: WarningCode;
  readonly peer: string;
  readonly previous: string | null;
  readonly message: string;
  readonly at: number;
  /**
   * Whether the previous key was verified when the warning came. Kept here because accepting or
   * verifying the new key archives the old one on the same thread (issue 12), so it leaves the list.
   */
  readonly previousVerified?: boolean;
};

/** Most recent activity first, then by name: the order of the contact list. */
function activity(c: ContactDto): number {
  return Math.max(c.lastMessage?.at ?? 0, c.lastSeen);
}

/** The contacts store. */
export const useContactsStore = defineStore('contacts', () => {
  const byFp = ref<Record<string, ContactDto>>({});
  const loaded = ref(false);
  const loadError = ref<ParleyError | null>(null);
  const warnings = ref<Record<string, KeyWarning>>({});
  const dismissed = ref<Record<string, true>>({});

  const all = computed(() =>
    Object.values(byFp.value).sort((a, b) => activity(b) - activity(a) || a.displayName.localeCompare(b.displayName) || a.fingerprint.localeCompare(b.fingerprint)),
  );
  /** The contacts proper (accepted), in list order. */
  const list = computed(() => all.value.filter((c) => c.status === 'accepted'));
  /** Message requests: new identities waiting for Accept / Block / Delete. */
  const requests = computed(() => all.value.filter((c) => c.status === 'request'));
  const blockedList = computed(() => all.value.filter((c) => c.status === 'blocked'));
  // Held messages of requests are not counted: they are not notified.
  const totalUnread = computed(() => list.value.reduce((n, c) => n + c.unread, 0));

  function get(fp: string | null): ContactDto | null {
    return fp === null ? null : (byFp.value[fp] ?? null);
  }

  function upsert(c: ContactDto): void {
    byFp.value = { ...byFp.value, [c.fingerprint]: c };
  }

  function patch(fp: string, changes: Partial<ContactDto>): boolean {
    const c = byFp.value[fp];
    if (c === undefined) return false;
    upsert({ ...c, ...changes });
    return true;
  }

  async function load(): Promise<void> {
    const r = await call((api) => api.listContacts());
    if (!r.ok) {
      loadError.value = r.error;
      return;
    }
    loadError.value = null;
    byFp.value = Object.fromEntries(r.value.map((c) => [c.fingerprint, c]));
    loaded.value = true;
  }

  /**
   * Keeps the preview and unread count current between contact-changed events. `reactedTo`: for a
   * reaction, the text of the message it reacts to when this window holds it (null: not loaded).
   */
  function noteMessage(m: MessageDto, seen: boolean, reactedTo: string | null = null): void {
    const c = byFp.value[m.peer];
    if (c === undefined) return;
    const newer = c.lastMessage === null || m.storedAt >= c.lastMessage.at;
    const reaction = m.reactTo !== null;
    upsert({
      ...c,
      // A reaction previews as what it is (worded as the core words it), not as a bare emoji.
      lastMessage: newer ? { text: reaction ? reactionPreview(m.text, reactedTo) : m.text, at: m.storedAt, direction: m.direction } : c.lastMessage,
      // A reaction is not unread (issue 12): it shows under its message, not as a message.
      unread: m.direction === 'in' && !seen && !reaction ? c.unread + 1 : c.unread,
    });
  }

  async function applying(r: Promise<Result<ContactDto>>): Promise<ParleyError | null> {
    const res = await r;
    if (!res.ok) return res.error;
    upsert(res.value);
    // Calm notices: what a status line warned about is over once verified, accepted or no longer held.
    if (res.value.blocked === null || res.value.verified) useNoticesStore().clear(statusKey(res.value.fingerprint), 'error');
    return null;
  }

  function verify(fp: string, method: Exclude<VerificationMethod, 'invite'>): Promise<ParleyError | null> {
    return applying(call((api) => api.verify(fp, method)));
  }

  function unverify(fp: string): Promise<ParleyError | null> {
    return applying(call((api) => api.unverify(fp)));
  }

  function acceptKey(fp: string): Promise<ParleyError | null> {
    return applying(call((api) => api.acceptKey(fp)));
  }

  function acceptRequest(fp: string): Promise<ParleyError | null> {
    return applying(call((api) => api.acceptRequest(fp)));
  }

  function block(fp: string): Promise<ParleyError | null> {
    return applying(call((api) => api.block(fp)));
  }

  function unblock(fp: string): Promise<ParleyError | null> {
    return applying(call((api) => api.unblock(fp)));
  }

  /** A local nickname (never sent); blank clears it, so the peer's own name shows again. */
  function rename(fp: string, nickname: string): Promise<ParleyError | null> {
    const n = nickname.trim();
    return applying(call((api) => api.rename(fp, n === '' ? null : n)));
  }

  /** Deletes the contact and its history (the UI asked first); it leaves the list at once. */
  async function remove(fp: string): Promise<ParleyError | null> {
    const r = await call((api) => api.deleteContact(fp));
    if (!r.ok) return r.error;
    forget(fp);
    return null;
  }

  async function disconnect(fp: string): Promise<ParleyError | null> {
    const r = await call((api) => api.disconnect(fp));
    return r.ok ? null : r.error;
  }

  /** Drops a contact from the list (deleted, or archived into another thread). */
  function forget(fp: string): void {
    const { [fp]: _gone, ...rest } = byFp.value;
    byFp.value = rest;
    const { [fp]: _w, ...otherWarnings } = warnings.value;
    warnings.value = otherWarnings;
  }

  /** Marks fp's messages read; `force` calls the core even when the local count is already 0 (it may lag). */
  async function markRead(fp: string, force = false): Promise<void> {
    const c = byFp.value[fp];
    if (c === undefined || (c.unread === 0 && !force)) return;
    patch(fp, { unread: 0 });
    await call((api) => api.markRead(fp));
  }

  function addWarning(w: KeyWarning): void {
    warnings.value = { ...warnings.value, [w.peer]: w };
    const { [w.peer]: _gone, ...rest } = dismissed.value;
    dismissed.value = rest;
  }

  function dismissWarning(fp: string): void {
    dismissed.value = { ...dismissed.value, [fp]: true };
  }

  /**
   * The warning to show for a contact, or null. A blocked contact always has one (it cannot be dismissed);
   * an unverified contact that replaces another keeps a dismissible one.
   */
  function warningFor(fp: string): (KeyWarning & { readonly blocking: boolean }) | null {
    const c = byFp.value[fp];
    const w = warnings.value[fp];
    if (c?.blocked) {
      return { code: c.blocked, peer: fp, previous: c.replaces ?? w?.previous ?? null, message: w?.message ?? '', at: w?.at ?? c.firstSeen, blocking: true };
    }
    if (dismissed.value[fp] || c?.verified) return null;
    if (w !== undefined) return { ...w, previous: w.previous ?? c?.replaces ?? null, blocking: false };
    if (c?.replaces) return { code: 'key-changed', peer: fp, previous: c.replaces, message: '', at: c.firstSeen, blocking: false };
    return null;
  }

  return {
    byFp, loaded, loadError, list, requests, blockedList, totalUnread, warnings,
    get, upsert, patch, load, noteMessage, verify, unverify, acceptKey, markRead, addWarning, dismissWarning, warningFor,
    acceptRequest, block, unblock, rename, remove, disconnect, forget,
  };
});

/**
 * Files in conversations (issue 10): sending (main's dialog, a dropped file's token, a pasted
 * image), accepting, declining and cancelling, opening and showing received files through main,
 * the progress samples behind speed and time left, and inline previews of received images as
 * blob: URLs made from the bytes main serves by message id.
 */
import { shallowReactive } from 'vue';
import { defineStore } from 'pinia';
import type { FileEventDto, MessageDto } from '../../../shared/dto.ts';
import { MAX_PASTED_IMAGE_BYTES } from '../../../shared/ipc/schemas.ts';
import type { ParleyError, Result } from '../../../shared/result.ts';
import { call, findParleyApi } from '../api/parley.ts';
import { addSample, stateForReason, type Sample } from '../lib/file-card.ts';
import { useConversationsStore } from './conversations.ts';

const PASTE_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'] as const;
type PasteType = (typeof PASTE_TYPES)[number];

/** A preview: loading, an object URL, or none (not an image by its bytes, too large, or gone). */
export type Preview = { readonly state: 'loading' } | { readonly state: 'ready'; readonly url: string } | { readonly state: 'none' };

export const useFilesStore = defineStore('files', () => {
  const conversations = useConversationsStore();
  /** Progress samples per offer id, for speed and time left. */
  const samples = shallowReactive(new Map<string, readonly Sample[]>());
  const previews = shallowReactive(new Map<string, Preview>());
  /** The last error per offer id, shown on its card. */
  const errors = shallowReactive(new Map<string, string>());

  async function sent(r: Result<MessageDto | null>): Promise<ParleyError | null> {
    if (!r.ok) return r.error;
    if (r.value !== null) conversations.added(r.value);
    return null;
  }

  /** Main's file dialog, then the offer. */
  async function pickAndSend(peer: string): Promise<ParleyError | null> {
    return sent(await call((api) => api.pickAndSendFile(peer)));
  }

  /** Files dropped on the conversation: each becomes a preload token, then an offer. */
  async function sendDropped(peer: string, files: readonly File[]): Promise<ParleyError | null> {
    let first: ParleyError | null = null;
    for (const file of files) {
      const token = findParleyApi()?.registerDroppedFile(file) ?? null;
      const problem =
        token === null
          ? { code: 'bad-input' as const, message: `“${file.name}” cannot be sent: only files from your computer (not folders) can be dropped` }
          : await sent(await call((api) => api.sendDroppedFile(peer, token)));
      first ??= problem;
    }
    return first;
  }

  /** A pasted image: its bytes go to main, which writes and sends it. */
  async function sendPasted(peer: string, blob: Blob): Promise<ParleyError | null> {
    if (!(PASTE_TYPES as readonly string[]).includes(blob.type)) return { code: 'bad-input', message: 'only PNG, JPEG, GIF and WebP pictures can be pasted' };
    if (blob.size > MAX_PASTED_IMAGE_BYTES) return { code: 'bad-input', message: 'that picture is too large to paste (over 32 MiB): save it and attach the file instead' };
    const bytes = new Uint8Array(await blob.arrayBuffer());
    return sent(await call((api) => api.sendPastedImage(peer, { type: blob.type as PasteType, bytes })));
  }

  async function act(id: string, r: Promise<Result<unknown>>): Promise<ParleyError | null> {
    const result = await r;
    if (result.ok) {
      errors.delete(id);
      return null;
    }
    errors.set(id, result.error.message);
    return result.error;
  }

  /** Accepts an offer; while the sender is offline no event follows, so the card says it waits. */
  async function accept(m: MessageDto): Promise<ParleyError | null> {
    const problem = await act(m.id, call((api) => api.acceptFile(m.id)));
    if (problem === null) conversations.patchFile(m.peer, m.id, (f) => (f.state === 'offered' ? { ...f, state: 'waiting' } : f));
    return problem;
  }
  /** Declines an offer, or cancels a transfer (either side). */
  const cancel = (m: MessageDto) => act(m.id, call((api) => api.cancelFile(m.id)));
  const open = (m: MessageDto) => act(m.id, call((api) => api.openFile(m.key, m.id)));
  const showInFolder = (m: MessageDto) => act(m.id, call((api) => api.showFileInFolder(m.key, m.id)));

  /** Loads the inline preview of a received image once. */
  async function loadPreview(m: MessageDto): Promise<void> {
    if (previews.has(m.id)) return;
    previews.set(m.id, { state: 'loading' });
    const r = await call((api) => api.previewFile(m.key, m.id));
    if (!r.ok || r.value === null) {
      previews.set(m.id, { state: 'none' });
      return;
    }
    const url = URL.createObjectURL(new Blob([r.value.bytes as Uint8Array<ArrayBuffer>], { type: r.value.type }));
    previews.set(m.id, { state: 'ready', url });
  }

  /** A file event from the core: the offer's card follows it. */
  function onEvent(e: FileEventDto, now: number = Date.now()): void {
    switch (e.type) {
      case 'file-offer':
        return; // the offer arrives as a 'message' event too
      case 'file-accepted':
        samples.set(e.id, [{ at: now, bytes: e.offset }]);
        conversations.patchFile(e.peer, e.id, (f) => ({ ...f, state: f.state === 'done' ? f.state : 'waiting', bytes: e.offset }));
        return;
      case 'file-progress':
        samples.set(e.id, addSample(samples.get(e.id) ?? [], { at: now, bytes: e.bytes }));
        conversations.patchFile(e.peer, e.id, (f) => (f.state === 'done' || f.state === 'declined' || f.state === 'cancelled' || f.state === 'failed' ? f : { ...f, state: 'transferring', bytes: e.bytes }));
        return;
      case 'file-received':
      case 'file-sent':
        samples.delete(e.id);
        conversations.patchFile(e.peer, e.id, (f) => ({ ...f, state: 'done', bytes: f.size }));
        return;
      case 'file-cancelled':
        samples.delete(e.id);
        conversations.patchFile(e.peer, e.id, (f) => ({ ...f, state: stateForReason(e.reason), reason: e.reason, endedBy: e.by }));
        return;
      case 'file-error':
        errors.set(e.id, e.message);
        return;
    }
  }

  /** The peer went offline: bytes stop moving (the core resumes later), so moving cards wait. */
  function peerGone(peer: string): void {
    const msgs = conversations.peek(peer)?.messages ?? [];
    for (const m of msgs) {
      if (m.file?.state !== 'transferring') continue;
      samples.delete(m.id);
      conversations.patchFile(peer, m.id, (f) => (f.state === 'transferring' ? { ...f, state: 'waiting' } : f));
    }
  }

  /** Forgets samples and previews (the identity changed). */
  function reset(): void {
    for (const p of previews.values()) if (p.state === 'ready') URL.revokeObjectURL(p.url);
    previews.clear();
    samples.clear();
    errors.clear();
  }

  return { samples, previews, errors, pickAndSend, sendDropped, sendPasted, accept, cancel, open, showInFolder, loadPreview, onEvent, peerGone, reset };
});

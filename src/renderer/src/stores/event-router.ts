/** Routes the core's events (`onEvent`) to the stores; the one place that knows which store cares about what. */
import type { ParleyApi } from '../../../shared/api.ts';
import type { MessageDto, ParleyEvent } from '../../../shared/dto.ts';
import { assertNever } from '../../../shared/result.ts';
import { describeError } from '../lib/errors.ts';
import { displayName } from '../lib/people.ts';
import { useContactsStore } from './contacts.ts';
import { useConversationsStore } from './conversations.ts';
import { useFilesStore } from './files.ts';
import { HOST_AT_START_NOTICE, useHostingStore } from './hosting.ts';
import { useJoinStore } from './join.ts';
import { statusKey, useNoticesStore } from './notices.ts';
import { useUiStore } from './ui.ts';

const MARK_READ_DELAY_MS = 300;

/** True when the user can see the window (so a message shown in it counts as read). */
function windowSeen(): boolean {
  return document.visibilityState !== 'hidden' && document.hasFocus();
}

/** Subscribes the stores to the API's events; returns the unsubscribe function. */
export function routeEvents(api: ParleyApi): () => void {
  const contacts = useContactsStore();
  const conversations = useConversationsStore();
  const files = useFilesStore();
  const hosting = useHostingStore();
  const notices = useNoticesStore();
  const ui = useUiStore();
  const join = useJoinStore();
  const readTimers = new Map<string, ReturnType<typeof setTimeout>>();

  // A burst of messages in an open conversation becomes one markRead call.
  function markReadSoon(fp: string): void {
    if (readTimers.has(fp)) return;
    readTimers.set(
      fp,
      setTimeout(() => {
        readTimers.delete(fp);
        void contacts.markRead(fp, true);
      }, MARK_READ_DELAY_MS),
    );
  }

  // The name the user knows for a warned key: the earlier contact's, else the new key's own.
  function warnedName(peer: string, previous: string | null): string {
    const known = contacts.get(previous) ?? contacts.get(peer);
    return displayName(known?.displayName ?? known?.name);
  }

  // The text a reaction answers, when its thread is loaded here (the preview quotes it).
  function reactedTo(m: MessageDto): string | null {
    return m.reactTo === null ? null : (conversations.find(m.peer, m.reactTo)?.text ?? null);
  }

  function handle(e: ParleyEvent): void {
    switch (e.type) {
      case 'message': {
        conversations.receive(e.message);
        const seen = ui.isShowing(e.message.peer) && windowSeen();
        if (contacts.get(e.message.peer) === null) void contacts.load();
        else contacts.noteMessage(e.message, seen, reactedTo(e.message));
        return;
      }
      case 'message-state':
        conversations.setState(e.peer, e.id, e.state);
        return;
      case 'contact-changed': {
        const wasHeld = contacts.get(e.contact.fingerprint)?.blocked != null;
        contacts.upsert(e.contact);
        // A key warning is resolved once sending is no longer held (verified or accepted elsewhere).
        if ((wasHeld && e.contact.blocked === null) || e.contact.verified) notices.clear(statusKey(e.contact.fingerprint), 'error');
        return;
      }
      case 'connected': {
        const known = contacts.get(e.peer);
        const shown = known?.nickname ?? e.name;
        if (!contacts.patch(e.peer, { online: true, connection: e.connection, rejoining: null, name: e.name, displayName: shown, verified: e.verified, safetyNumber: e.safetyNumber })) {
          // Someone new (they joined us while we host): say who, in plain words (the key is in the Verify
          // dialog) — unless it is a message request, which is never notified (the Requests count says it).
          void contacts.load().then(() => {
            // A join of ours said it already ("Connected to …", with how it was checked): one line is enough.
            if (contacts.get(e.peer)?.status !== 'accepted' || notices.items.some((n) => n.key === statusKey(e.peer))) return;
            notices.push('info', `${displayName(e.name)} connected`, e.verified ? 'Verified.' : 'Not verified yet: compare safety numbers to be sure it is them.', statusKey(e.peer));
          });
        }
        return;
      }
      case 'disconnected':
        contacts.patch(e.peer, { online: false, connection: null });
        files.peerGone(e.peer);
        // "X connected" is no longer true: the header says offline now.
        notices.clear(statusKey(e.peer), 'info');
        return;
      case 'verified':
        contacts.patch(e.peer, { verified: e.verified });
        if (e.verified) notices.clear(statusKey(e.peer), 'error');
        return;
      case 'warning':
        contacts.addWarning({ code: e.code, peer: e.peer, previous: e.previous, message: e.message, at: Date.now(), previousVerified: e.previous ? contacts.get(e.previous)?.verified === true : false });
        // Also here, so that a warning about a conversation that is not on screen is not missed; plain
        // names (the keys are in the conversation's warning and the Verify dialog); one line per contact.
        notices.push(
          'error',
          e.code === 'key-changed' ? `${warnedName(e.peer, e.previous)}’s key changed` : `Someone new uses the name of ${warnedName(e.peer, e.previous)}`,
          'Open the conversation to check that it is really them.',
          statusKey(e.peer),
        );
        // The new identity is a separate contact (PROTOCOL.md section 6): fetch it with its blocked state.
        void contacts.load();
        return;
      case 'listening':
      case 'hosting-changed':
        hosting.onListening(e.hosting);
        return;
      case 'stopped-hosting':
        hosting.onStopped();
        return;
      case 'error': {
        const d = describeError(e);
        notices.push('error', d.title, d.detail ? `${d.hint} (${d.detail})` : d.hint);
        return;
      }
      // A message request: listed under Requests (the count says it), never notified; its messages are
      // held in its thread, without an unread badge.
      case 'request':
        contacts.upsert(e.contact);
        return;
      case 'request-message':
        conversations.receive(e.message);
        contacts.noteMessage(e.message, true, reactedTo(e.message));
        return;
      case 'contact-removed':
        contacts.forget(e.peer);
        conversations.forget(e.peer);
        if (e.into !== null) {
          // One thread per person: the old key's history now belongs to `into`; reload it from the core.
          conversations.forget(e.into);
          if (ui.isShowing(e.peer) || ui.isShowing(e.into)) {
            ui.openConversation(e.into);
            void conversations.open(e.into);
          }
        } else if (ui.isShowing(e.peer)) ui.openSection('welcome');
        void contacts.load();
        return;
      case 'join-progress':
        join.onProgress(e.progress);
        return;
      case 'host-at-start-failed': {
        // Calm: what happened and what to do, with the way there; the Host screen keeps the reason.
        hosting.startFailed({ code: e.code, message: e.message }, e.port);
        const d = describeError({ code: e.code, message: e.message });
        notices.push('error', 'Parley could not start hosting', `It tried port ${e.port}. ${d.hint}`, HOST_AT_START_NOTICE, {
          label: 'Open Host',
          run: () => ui.openSection('host'),
        });
        return;
      }
      case 'open-invite':
        // A parley:// link opened elsewhere: fill the join dialog; joining stays the user's decision.
        join.prefill(e.invite);
        ui.openSection('join');
        return;
      case 'file-offer':
      case 'file-accepted':
      case 'file-progress':
      case 'file-received':
      case 'file-sent':
      case 'file-cancelled':
      case 'file-error':
        files.onEvent(e); // an offer itself arrives as a 'message' event
        return;
      default:
        assertNever(e, 'event');
    }
  }

  const off = api.onEvent((e) => {
    handle(e);
    if (e.type === 'message' && e.message.direction === 'in' && ui.isShowing(e.message.peer) && windowSeen()) markReadSoon(e.message.peer);
  });
  return () => {
    off();
    for (const t of readTimers.values()) clearTimeout(t);
    readTimers.clear();
  };
}


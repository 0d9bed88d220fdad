/**
 * Getting the user's attention: a desktop notification for each incoming message while the window
 * is not focused, and the total unread count on the dock/taskbar badge. Text only: peers choose
 * their names and messages, so both are reduced to one plain line before they reach the OS.
 */
import type { ContactDto, ParleyEvent } from '../shared/dto.ts';
import { formatBytes } from '../shared/file-size.ts';

/** What the OS side provides (Electron's Notification, BrowserWindow.isFocused, app.setBadgeCount). */
export type AttentionPort = {
  isWindowFocused(): boolean;
  notify(notification: { readonly title: string; readonly body: string; readonly peer: string }): void;
  /** Called only where a badge exists (macOS, Linux launchers that support it). */
  setBadgeCount(count: number): void;
};

/** Longest notification body, in code points (OS popups show about two lines). */
export const MAX_BODY = 160;
/** Longest name in a notification title, in code points. */
export const MAX_TITLE_NAME = 48;

/**
 * One plain line of at most `max` code points, with an ellipsis when cut. Control characters (C1
 * included), line breaks and blank-drawing symbols (U+2800) become spaces, collapsed and trimmed;
 * default-ignorable and format characters (bidi embeddings, overrides, isolates, zero-width
 * characters, Hangul fillers, tags) are dropped, so a name cannot reorder or hide the text around
 * it, nor pad itself with blanks. On Linux the notification server
 * may read the body as markup (the spec's `body-markup`: <b>, <a>, <img>), so `escapeMarkup` turns
 * & < > into entities there.
 */
export function plainLine(text: string, max: number, escapeMarkup = false): string {
  const points: string[] = [];
  let space = true; // drops leading spaces and collapses runs
  for (const ch of text) {
    const c = ch.codePointAt(0) ?? 0;
    if (INVISIBLE.test(ch)) continue;
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c === 0x2028 || c === 0x2029 || c === 0x2800 || /\s/.test(ch)) {
      if (!space) points.push(' ');
      space = true;
      continue;
    }
    points.push(ch);
    space = false;
  }
  if (space && points.length > 0) points.pop();
  const cut = points.length > max ? `${points.slice(0, max - 1).join('').trimEnd()}…` : points.join('');
  return escapeMarkup ? cut.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;') : cut;
}

const INVISIBLE = /^[\p{Default_Ignorable_Code_Point}\p{Cf}]$/u;

/** The first four groups of a fingerprint: "3f2a 91c0 5b7e 0d44 …" (enough to tell keys apart, never to verify one). */
export function shortKey(fingerprint: string): string {
  return `${(fingerprint.slice(0, 16).match(/.{1,4}/g) ?? []).join(' ')} …`;
}

/**
 * Who a notification is from. A name is whatever the peer chose, so for a contact the user has not
 * verified the title carries the short key too (issue 11): "Message from Bob (3f2a 91c0 5b7e 0d44 …)"
 * cannot pass for a verified Bob's "Message from Bob", however the name is padded or spelled.
 */
export function senderLabel(name: string, fingerprint: string, verified: boolean): string {
  const shown = plainLine(name, MAX_TITLE_NAME);
  if (shown === '') return `a contact (${shortKey(fingerprint)})`;
  return verified ? shown : `${shown} (${shortKey(fingerprint)})`;
}

/** Whether the platform has a badge count Electron can set (Windows has none; it uses overlay icons). */
export function hasBadge(platform: NodeJS.Platform): boolean {
  return platform === 'darwin' || platform === 'linux';
}

/** Follows the service's events; see the module comment. */
export class Attention {
  readonly #port: AttentionPort;
  readonly #platform: NodeJS.Platform;
  readonly #unread = new Map<string, number>();
  readonly #names = new Map<string, string>();
  readonly #verified = new Map<string, boolean>();
  #badge = -1;

  constructor(port: AttentionPort, platform: NodeJS.Platform) {
    this.#port = port;
    this.#platform = platform;
  }

  /** Starts from the contacts as they are (when the service starts). */
  reset(contacts: readonly ContactDto[]): void {
    this.#unread.clear();
    this.#names.clear();
    this.#verified.clear();
    for (const c of contacts) this.#remember(c);
    this.#updateBadge();
  }

  /** Feeds one service event. */
  onEvent(event: ParleyEvent): void {
    if (event.type === 'contact-changed') {
      this.#remember(event.contact);
      this.#updateBadge();
    } else if (event.type === 'connected') {
      this.#names.set(event.peer, event.name);
      this.#verified.set(event.peer, event.verified);
    } else if (event.type === 'verified') {
      this.#verified.set(event.peer, event.verified);
    } else if (event.type === 'message' && event.message.direction === 'in' && event.message.reactTo === null && !this.#port.isWindowFocused()) {
      // A reaction is not a message (issue 12): it shows under its message and in the preview, unannounced.
      const { peer } = event.message;
      const who = senderLabel(this.#names.get(peer) ?? '', peer, this.#verified.get(peer) ?? false);
      const file = event.message.kind === 'file' ? event.message.file : undefined;
      // An offer says so, with its size: nothing is saved until the user accepts it in the app.
      const text = file === undefined ? event.message.text : `${event.message.text} (${formatBytes(file.size)}) — open Parley to accept or decline it`;
      this.#port.notify({
        title: `${file === undefined ? 'Message' : 'File'} from ${who}`,
        body: plainLine(text, MAX_BODY, this.#platform === 'linux'),
        peer: event.message.peer,
      });
    }
  }

  /** The badge's current total. */
  get unreadTotal(): number {
    let n = 0;
    for (const v of this.#unread.values()) n += v;
    return n;
  }

  #remember(c: ContactDto): void {
    // A request's messages are held: they do not count on the badge (issue 12). The user's nickname is the name shown.
    this.#unread.set(c.fingerprint, c.status === 'accepted' ? c.unread : 0);
    this.#names.set(c.fingerprint, c.displayName);
    this.#verified.set(c.fingerprint, c.verified);
  }

  #updateBadge(): void {
    const total = this.unreadTotal;
    if (total === this.#badge || !hasBadge(this.#platform)) return;
    this.#badge = total;
    this.#port.setBadgeCount(total);
  }
}

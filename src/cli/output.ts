/**
 * What the headless peer prints. With --json: one JSON object per line on stdout (CLI.md's events),
 * logs on stderr. Without: the same events as short human sentences on stdout.
 */
import { formatFingerprint } from '../core/crypto/fingerprint.ts';

export type CliEvent =
  | { event: 'identity'; fingerprint: string; publicKey: string }
  | { event: 'ready'; fingerprint: string; name: string }
  | { event: 'listening'; host: string; port: number; invite: string; dht?: string }
  | { event: 'connected'; peer: string; name: string; verified: boolean; safetyNumber: string; path?: 'tcp' | 'dht' }
  | { event: 'message'; peer: string; id: string; ts: number; text: string; reply?: string; react?: string; request?: true }
  | { event: 'request'; peer: string; name: string }
  | { event: 'delivered'; peer: string; id: string }
  | { event: 'verified'; peer: string }
  | { event: 'disconnected'; peer: string; reason: string }
  | { event: 'warning'; code: string; message: string; peer?: string }
  | { event: 'error'; code: string; message: string }
  // Additions (CLI.md): discovery and files.
  | { event: 'found'; name: string; fingerprint: string; host: string; port: number; invite: string }
  | { event: 'file-sending'; peer: string; id: string; name: string; size: number; sha256: string }
  | { event: 'file-offer'; peer: string; id: string; name: string; size: number; sha256: string }
  | { event: 'file-progress'; peer: string; id: string; bytes: number; size: number }
  | { event: 'file-received'; peer: string; id: string; path: string; size: number; sha256: string }
  | { event: 'file-sent'; peer: string; id: string }
  | { event: 'file-cancelled'; peer: string; id: string; reason: string };

/** Writes events in the chosen form. */
export class Output {
  readonly #json: boolean;
  constructor(json: boolean) {
    this.#json = json;
  }

  /** Prints one event. */
  emit(e: CliEvent): void {
    const line = formatEvent(e, this.#json);
    if (!this.#json && (e.event === 'error' || e.event === 'warning')) process.stderr.write(`${line}\n`);
    else process.stdout.write(`${line}\n`);
  }

  /** A diagnostic for people, always on stderr. */
  log(line: string): void {
    process.stderr.write(`parley: ${line}\n`);
  }
}

/**
 * One event as printed, without the final LF: a JSON line, or human text.
 *
 * Why (security review): names and texts come from peers, and the wire allows LF in a text and any
 * non-control character in both. JSON.stringify escapes C0 controls but leaves U+0085, U+2028 and
 * U+2029, which some line splitters (Python's str.splitlines) break on: they are escaped too (the
 * parsed value is the same). In human text a peer's LF would start a line that looks like another
 * event, and C1 controls (U+009B is CSI to some terminals) or bidi overrides would act on the
 * terminal or reorder the line: continuation lines are indented, and such characters are shown as
 * escapes such as \u{202e}.
 */
export function formatEvent(e: CliEvent, json: boolean): string {
  if (json) return JSON.stringify(e).replace(/[\u0085\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return human(e);
}

// C0 (but TAB and LF) and C1 controls, DEL, bidi marks, embeddings, overrides and isolates, line and paragraph separators.
// eslint-disable-next-line no-control-regex
const TERMINAL_UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const CONTINUATION = '    ';

/** A peer-chosen string made safe for a terminal line: unsafe characters as visible escapes, LF as an indented continuation. */
function visible(s: string): string {
  return s.replace(TERMINAL_UNSAFE, (c) => `\\u{${(c.codePointAt(0) ?? 0).toString(16)}}`).replace(/\n/g, `\n${CONTINUATION}`);
}

function short(fp: string): string {
  return fp.slice(0, 16);
}

function human(e: CliEvent): string {
  switch (e.event) {
    case 'identity':
      return `fingerprint: ${formatFingerprint(e.fingerprint)}\n${e.publicKey.trimEnd()}`;
    case 'ready':
      return `Parley ready as ${visible(JSON.stringify(e.name))}, fingerprint ${formatFingerprint(e.fingerprint)}`;
    case 'listening':
      return `listening on ${e.host}:${e.port}${e.dht ? ` and on the DHT as ${e.dht}` : ''}\ninvite: ${e.invite}`;
    case 'connected':
      return `connected to ${visible(JSON.stringify(e.name))} (${short(e.peer)}…, ${e.verified ? 'verified' : 'not verified'}${e.path === 'dht' ? ', through the DHT' : ''})\nsafety number: ${e.safetyNumber}`;
    case 'message':
      return `${short(e.peer)}${e.request ? ' (request)' : ''}${e.react ? ` reacts to ${e.react}` : ''}${e.reply ? ` replying to ${e.reply}` : ''}: ${visible(e.text)}`;
    case 'request':
      return `message request from ${visible(JSON.stringify(e.name))} (${short(e.peer)}…): accept with {"cmd":"accept","peer":"${e.peer}"}`;
    case 'delivered':
      return `delivered ${e.id}`;
    case 'verified':
      return `verified ${short(e.peer)}…`;
    case 'disconnected':
      return `disconnected from ${short(e.peer)}… (${e.reason})`;
    case 'warning':
      return `warning (${e.code}): ${visible(e.message)}`;
    case 'error':
      return `error (${e.code}): ${visible(e.message)}`;
    case 'found':
      return `found ${visible(JSON.stringify(e.name))} (${short(e.fingerprint)}…) at ${e.host}:${e.port}\ninvite: ${e.invite}`;
    case 'file-sending':
      return `offering ${visible(JSON.stringify(e.name))} (${e.size} bytes) to ${short(e.peer)}…, id ${e.id}`;
    case 'file-offer':
      return `${short(e.peer)}… offers ${visible(JSON.stringify(e.name))} (${e.size} bytes), id ${e.id}`;
    case 'file-progress':
      return `file ${e.id}: ${e.bytes} of ${e.size} bytes`;
    case 'file-received':
      return `received file ${e.id} (${e.size} bytes, sha256 checked) as ${visible(e.path)}`;
    case 'file-sent':
      return `file ${e.id} delivered to ${short(e.peer)}…`;
    case 'file-cancelled':
      return `file ${e.id} cancelled (${visible(e.reason)})`;
  }
}

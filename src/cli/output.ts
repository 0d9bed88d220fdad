/**
 * What the headless peer prints. With --json: one JSON object per line on stdout (CLI.md's events),
 * logs on stderr. Without: the same events as short human sentences on stdout.
 */
import { formatFingerprint } from '../core/crypto/fingerprint.ts';

export type CliEvent =
  | { event: 'identity'; fingerprint: string; publicKey: string }
  | { event: 'ready'; fingerprint: string; name: string }
  | { event: 'listening'; host: string; port: number; invite: string }
  | { event: 'connected'; peer: string; name: string; verified: boolean; safetyNumber: string }
  | { event: 'message'; peer: string; id: string; ts: number; text: string }
  | { event: 'delivered'; peer: string; id: string }
  | { event: 'verified'; peer: string }
  | { event: 'disconnected'; peer: string; reason: string }
  | { event: 'warning'; code: string; message: string; peer?: string }
  | { event: 'error'; code: string; message: string };

/** Writes events in the chosen form. */
export class Output {
  readonly #json: boolean;
  constructor(json: boolean) {
    this.#json = json;
  }

  /** Prints one event. */
  emit(e: CliEvent): void {
    if (this.#json) {
      process.stdout.write(`${JSON.stringify(e)}\n`);
      return;
    }
    const line = human(e);
    if (e.event === 'error' || e.event === 'warning') process.stderr.write(`${line}\n`);
    else process.stdout.write(`${line}\n`);
  }

  /** A diagnostic for people, always on stderr. */
  log(line: string): void {
    process.stderr.write(`parley: ${line}\n`);
  }
}

function short(fp: string): string {
  return fp.slice(0, 16);
}

function human(e: CliEvent): string {
  switch (e.event) {
    case 'identity':
      return `fingerprint: ${formatFingerprint(e.fingerprint)}\n${e.publicKey.trimEnd()}`;
    case 'ready':
      return `Parley ready as ${JSON.stringify(e.name)}, fingerprint ${formatFingerprint(e.fingerprint)}`;
    case 'listening':
      return `listening on ${e.host}:${e.port}\ninvite: ${e.invite}`;
    case 'connected':
      return `connected to ${JSON.stringify(e.name)} (${short(e.peer)}…, ${e.verified ? 'verified' : 'not verified'})\nsafety number: ${e.safetyNumber}`;
    case 'message':
      return `${short(e.peer)}: ${e.text}`;
    case 'delivered':
      return `delivered ${e.id}`;
    case 'verified':
      return `verified ${short(e.peer)}…`;
    case 'disconnected':
      return `disconnected from ${short(e.peer)}… (${e.reason})`;
    case 'warning':
      return `warning (${e.code}): ${e.message}`;
    case 'error':
      return `error (${e.code}): ${e.message}`;
  }
}

/**
 * parley:// invites opened anywhere (argv on Windows and Linux, open-url on macOS, a second
 * instance's argv) reach the renderer as an `open-invite` event that fills the join dialog.
 * An invite that arrives before the page can listen is held and sent once the page has asked for
 * its status (the renderer subscribes to events before it calls `getStatus`).
 */
import { MAX_TARGET_LENGTH, hasControlChars } from '../shared/text.ts';

const SCHEME = 'parley://';

/** The text if it looks like an invite worth showing the user (the join itself parses it strictly), else null. */
export function asInvite(candidate: unknown): string | null {
  if (typeof candidate !== 'string') return null;
  if (candidate.length <= SCHEME.length || candidate.length > MAX_TARGET_LENGTH) return null;
  if (candidate.slice(0, SCHEME.length).toLowerCase() !== SCHEME) return null;
  if (hasControlChars(candidate, false) || !candidate.isWellFormed() || /\s/.test(candidate)) return null;
  return candidate;
}

/** The first invite among command-line arguments, or null. Flags and paths are ignored. */
export function findInvite(argv: readonly unknown[]): string | null {
  for (const arg of argv) {
    const invite = asInvite(arg);
    if (invite !== null) return invite;
  }
  return null;
}

/** Holds an invite until the page is ready to hear it, then sends it once. */
export class InviteRelay {
  readonly #send: (invite: string) => void;
  #pending: string | null = null;
  #ready = false;

  constructor(send: (invite: string) => void) {
    this.#send = send;
  }

  /** A new invite: sent now if the page listens, else held (a later one replaces it). */
  offer(candidate: unknown): boolean {
    const invite = asInvite(candidate);
    if (invite === null) return false;
    if (this.#ready) this.#send(invite);
    else this.#pending = invite;
    return true;
  }

  /** The page has asked for its status: it listens now. Sends what was held. */
  pageReady(): void {
    this.#ready = true;
    const invite = this.#pending;
    this.#pending = null;
    if (invite !== null) this.#send(invite);
  }

  /** The page is (re)loading: hold invites until it asks again. */
  pageGone(): void {
    this.#ready = false;
  }

  /** The held invite, if any (for tests and logs). */
  get pending(): string | null {
    return this.#pending;
  }
}

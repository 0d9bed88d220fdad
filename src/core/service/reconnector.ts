/**
 * Rejoining contacts after a connection drops: attempts with backoff (1 s doubling to 60 s),
 * until a session is up again, the user disconnects the contact, or the contact can no longer be
 * reached (the dial says so by resolving with another fingerprint or `null`). How to reach a
 * contact (its saved TCP address, its DHT key) is read afresh for every attempt by `dial`, so a
 * `reach` message or a new address is used at once.
 */
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.ts';

// `dueAt`: when the scheduled attempt fires (null: none scheduled); `dialing`: an attempt is under way.
type Entry = { attempt: number; timer: NodeJS.Timeout | null; dueAt: number | null; dialing: boolean };

/** Where a peer's rejoining stands while it is active: an attempt under way (`next` null) or the next one's time (ms). */
export type RejoinState = { readonly next: number | null };

/** Tries to reach `peer`; resolves with the fingerprint that answered, or null when there is no way to try. */
export type RejoinDial = (peer: string) => Promise<string | null>;

/** The rejoin schedule of every contact being rejoined. */
export class Reconnector {
  readonly #entries = new Map<string, Entry>();
  readonly #policy: BackoffPolicy;
  readonly #dial: RejoinDial;
  readonly #shouldTry: (peer: string) => boolean;
  readonly #log: (line: string) => void;
  readonly #onChange: (peer: string) => void;

  /** `onChange(peer)`: the peer's state() may have changed (scheduled, attempting, stopped). */
  constructor(options: { policy?: BackoffPolicy; dial: RejoinDial; shouldTry: (peer: string) => boolean; log: (line: string) => void; onChange?: (peer: string) => void }) {
    this.#policy = options.policy ?? DEFAULT_BACKOFF;
    this.#dial = options.dial;
    this.#shouldTry = options.shouldTry;
    this.#log = options.log;
    this.#onChange = options.onChange ?? (() => {});
  }

  /** Null unless an attempt is scheduled or under way for the peer (an entry stays while connected, idle). */
  state(peer: string): RejoinState | null {
    const entry = this.#entries.get(peer);
    if (!entry) return null;
    if (entry.dialing) return { next: null };
    return entry.dueAt === null ? null : { next: entry.dueAt };
  }

  /** True while the peer is on the schedule. */
  has(peer: string): boolean {
    return this.#entries.has(peer);
  }

  /** A session came up: the next drop starts again from the shortest delay. */
  reset(peer: string): void {
    const entry = this.#entries.get(peer);
    if (entry) entry.attempt = 0;
  }

  /** Schedules the next attempt (no-op while one is pending). */
  schedule(peer: string): void {
    let entry = this.#entries.get(peer);
    if (!entry) {
      entry = { attempt: 0, timer: null, dueAt: null, dialing: false };
      this.#entries.set(peer, entry);
    }
    if (entry.timer) return;
    const delay = backoffDelay(entry.attempt, this.#policy);
    entry.attempt += 1;
    const current = entry;
    current.dueAt = Date.now() + delay;
    current.timer = setTimeout(() => {
      current.timer = null;
      current.dueAt = null;
      if (this.#entries.get(peer) !== current || !this.#shouldTry(peer)) {
        this.#onChange(peer);
        return;
      }
      current.dialing = true;
      this.#onChange(peer);
      this.#dial(peer).then(
        (got) => {
          current.dialing = false;
          if (got !== peer) this.cancel(peer); // nowhere left to try, or another key answers there
          else this.#onChange(peer);
        },
        (err: unknown) => {
          current.dialing = false;
          this.#log(`rejoining ${peer.slice(0, 16)} failed: ${err instanceof Error ? err.message : String(err)}`);
          if (this.#entries.get(peer) === current) this.schedule(peer);
          else this.#onChange(peer);
        },
      );
    }, delay);
    current.timer.unref();
    this.#onChange(peer);
  }

  /**
   * Tries now instead of at the scheduled time (the user pressed "Try now"). Resolves with whether
   * the peer answered; after a failure the backoff schedule goes on from where it was.
   */
  async now(peer: string): Promise<boolean> {
    let entry = this.#entries.get(peer);
    if (!entry) {
      entry = { attempt: 0, timer: null, dueAt: null, dialing: false };
      this.#entries.set(peer, entry);
    }
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = null;
    entry.dueAt = null;
    entry.dialing = true;
    const current = entry;
    this.#onChange(peer);
    try {
      const got = await this.#dial(peer);
      current.dialing = false;
      if (got !== peer) this.cancel(peer);
      else this.#onChange(peer);
      return got === peer;
    } catch (err) {
      current.dialing = false;
      this.#log(`rejoining ${peer.slice(0, 16)} now failed: ${err instanceof Error ? err.message : String(err)}`);
      if (this.#entries.get(peer) === current) this.schedule(peer);
      else this.#onChange(peer);
      return false;
    }
  }

  /** Stops rejoining the peer. */
  cancel(peer: string): void {
    const entry = this.#entries.get(peer);
    if (!entry) return;
    if (entry.timer) clearTimeout(entry.timer);
    this.#entries.delete(peer);
    this.#onChange(peer);
  }

  /** Stops everything (the service is closing). */
  cancelAll(): void {
    // Silently: the service is going away, nobody is left to tell.
    for (const entry of this.#entries.values()) if (entry.timer) clearTimeout(entry.timer);
    this.#entries.clear();
  }
}

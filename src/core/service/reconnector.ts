/**
 * Rejoining contacts after a connection drops: attempts with backoff (1 s doubling to 60 s),
 * until a session is up again, the user disconnects the contact, or the contact can no longer be
 * reached (the dial says so by resolving with another fingerprint or `null`). How to reach a
 * contact (its saved TCP address, its DHT key) is read afresh for every attempt by `dial`, so a
 * `reach` message or a new address is used at once.
 */
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.ts';

type Entry = { attempt: number; timer: NodeJS.Timeout | null };

/** Tries to reach `peer`; resolves with the fingerprint that answered, or null when there is no way to try. */
export type RejoinDial = (peer: string) => Promise<string | null>;

/** The rejoin schedule of every contact being rejoined. */
export class Reconnector {
  readonly #entries = new Map<string, Entry>();
  readonly #policy: BackoffPolicy;
  readonly #dial: RejoinDial;
  readonly #shouldTry: (peer: string) => boolean;
  readonly #log: (line: string) => void;

  constructor(options: { policy?: BackoffPolicy; dial: RejoinDial; shouldTry: (peer: string) => boolean; log: (line: string) => void }) {
    this.#policy = options.policy ?? DEFAULT_BACKOFF;
    this.#dial = options.dial;
    this.#shouldTry = options.shouldTry;
    this.#log = options.log;
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
      entry = { attempt: 0, timer: null };
      this.#entries.set(peer, entry);
    }
    if (entry.timer) return;
    const delay = backoffDelay(entry.attempt, this.#policy);
    entry.attempt += 1;
    const current = entry;
    current.timer = setTimeout(() => {
      current.timer = null;
      if (this.#entries.get(peer) !== current || !this.#shouldTry(peer)) return;
      this.#dial(peer).then(
        (got) => {
          if (got !== peer) this.cancel(peer); // nowhere left to try, or another key answers there
        },
        (err: unknown) => {
          this.#log(`rejoining ${peer.slice(0, 16)} failed: ${err instanceof Error ? err.message : String(err)}`);
          if (this.#entries.get(peer) === current) this.schedule(peer);
        },
      );
    }, delay);
    current.timer.unref();
  }

  /**
   * Tries now instead of at the scheduled time (the user pressed "Try now"). Resolves with whether
   * the peer answered; after a failure the backoff schedule goes on from where it was.
   */
  async now(peer: string): Promise<boolean> {
    let entry = this.#entries.get(peer);
    if (!entry) {
      entry = { attempt: 0, timer: null };
      this.#entries.set(peer, entry);
    }
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = null;
    const current = entry;
    try {
      const got = await this.#dial(peer);
      if (got !== peer) this.cancel(peer);
      return got === peer;
    } catch (err) {
      this.#log(`rejoining ${peer.slice(0, 16)} now failed: ${err instanceof Error ? err.message : String(err)}`);
      if (this.#entries.get(peer) === current) this.schedule(peer);
      return false;
    }
  }

  /** Stops rejoining the peer. */
  cancel(peer: string): void {
    const entry = this.#entries.get(peer);
    if (entry?.timer) clearTimeout(entry.timer);
    this.#entries.delete(peer);
  }

  /** Stops everything (the service is closing). */
  cancelAll(): void {
    for (const peer of [...this.#entries.keys()]) this.cancel(peer);
  }
}

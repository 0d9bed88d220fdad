/**
 * Rejoining contacts this node joined (issue 3): after a connection drops, try the same address
 * again with backoff (1 s doubling to 60 s), until it works, the user disconnects the contact,
 * or the address answers with another key.
 */
import { splitAddress } from './addresses.ts';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.ts';

type Entry = { address: string; attempt: number; timer: NodeJS.Timeout | null };

/** Dials host:port without an expected fingerprint; resolves with the fingerprint that answered. */
export type RejoinDial = (host: string, port: number) => Promise<string>;

/** The rejoin schedule of every contact this node joined. */
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

  /** This node joined `peer` at `address`: rejoin it there when the connection drops. */
  remember(peer: string, address: string): void {
    this.cancel(peer);
    this.#entries.set(peer, { address, attempt: 0, timer: null });
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

  /** Schedules the next attempt (no-op if the peer is not remembered or an attempt is pending). */
  schedule(peer: string): void {
    const entry = this.#entries.get(peer);
    if (!entry || entry.timer) return;
    const delay = backoffDelay(entry.attempt, this.#policy);
    entry.attempt += 1;
    entry.timer = setTimeout(() => {
      entry.timer = null;
      if (this.#entries.get(peer) !== entry || !this.#shouldTry(peer)) return;
      const [host, port] = splitAddress(entry.address);
      this.#dial(host, port).then(
        (got) => {
          if (got !== peer) this.cancel(peer); // the address now answers with another key
        },
        (err: unknown) => {
          this.#log(`rejoining ${entry.address} failed: ${err instanceof Error ? err.message : String(err)}`);
          this.schedule(peer);
        },
      );
    }, delay);
    entry.timer.unref();
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

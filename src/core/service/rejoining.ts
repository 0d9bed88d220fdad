/**
 * Which contacts come back by themselves after a drop, and how they are tried (see Reconnector for
 * the schedule): a contact the user joined (now or, through `known()`, in an earlier run) — not
 * whoever answered at an address on another contact's behalf — or, with the DHT on, a contact that
 * gave us its DHT key (either side may then reach the other, PROTOCOL.md section 8).
 */
import { splitAddress } from './addresses.ts';
import type { BackoffPolicy } from './backoff.ts';
import type { Connector, JoinAttempt } from './connector.ts';
import type { Reach } from './reach.ts';
import { Reconnector, type RejoinState } from './reconnector.ts';
import type { ServiceStore } from './service-store.ts';

/** See the module comment. */
export class Rejoining {
  readonly #store: ServiceStore;
  readonly #connector: Connector;
  readonly #reach: () => Reach | null;
  readonly #enabled: boolean;
  readonly #schedule: Reconnector;
  readonly #joined = new Set<string>();

  constructor(options: {
    store: ServiceStore;
    connector: Connector;
    reach: () => Reach | null;
    enabled: boolean;
    backoff?: BackoffPolicy | undefined;
    shouldTry: (peer: string) => boolean;
    log: (line: string) => void;
    /** The peer's state() may have changed (the contact's `rejoining` member). */
    onChange?: (peer: string) => void;
  }) {
    this.#store = options.store;
    this.#connector = options.connector;
    this.#reach = options.reach;
    this.#enabled = options.enabled;
    this.#schedule = new Reconnector({
      policy: options.backoff,
      dial: (peer) => this.#redial(peer),
      shouldTry: options.shouldTry,
      log: options.log,
      ...(options.onChange ? { onChange: options.onChange } : {}),
    });
  }

  /** Whether an automatic (or "Try now") rejoin of `peer` is scheduled or under way, and when the next attempt is. */
  state(peer: string): RejoinState | null {
    return this.#schedule.state(peer);
  }

  /** The user joined `peer`: rejoin it after drops. */
  joined(peer: string): void {
    this.#joined.add(peer);
  }

  /** Schedules every reachable contact that is not connected; returns how many. */
  known(isConnected: (peer: string) => boolean): number {
    if (!this.#enabled) return 0;
    let scheduled = 0;
    for (const c of this.#store.contacts.list()) {
      // Requests and blocked keys are never rejoined (issue 12): only the user's contacts.
      if (c.status !== 'accepted' || isConnected(c.fingerprint) || this.#schedule.has(c.fingerprint) || this.#attempts(c.fingerprint).length === 0) continue;
      if (c.lastAddress !== null) this.#joined.add(c.fingerprint);
      this.#schedule.schedule(c.fingerprint);
      scheduled++;
    }
    return scheduled;
  }

  /**
   * "Try now": an attempt right away for a contact of the user's that there is a way to reach (a saved
   * address or, with the DHT, its key); resolves with whether it answered, false when there is no way.
   */
  async now(peer: string): Promise<boolean> {
    if (!this.#enabled || this.#store.contacts.get(peer)?.status !== 'accepted' || this.#attempts(peer).length === 0) return false;
    if (this.#store.contacts.get(peer)?.lastAddress !== null) this.#joined.add(peer);
    return this.#schedule.now(peer);
  }

  /** A session with `peer` ended (not by quit or replacement): try again if it is one to rejoin. */
  ended(peer: string): void {
    if (!this.#enabled) return;
    if (this.#joined.has(peer) || (this.#reach() !== null && this.#store.reach.getDhtKey(peer) !== null)) this.#schedule.schedule(peer);
  }

  /**
   * The user accepted `newKey` as the person `oldKey` was (one thread per person): the new key is
   * now the contact the user joined, and the old one is not tried any more.
   */
  merged(oldKey: string, newKey: string): void {
    this.#schedule.cancel(oldKey);
    if (this.#joined.delete(oldKey)) this.#joined.add(newKey);
  }

  /** A session came up: the next drop starts again from the shortest delay. */
  connected(peer: string): void {
    this.#schedule.reset(peer);
  }

  /** The user disconnected `peer`: no more attempts. Returns whether attempts were scheduled. */
  stop(peer: string): boolean {
    const was = this.#schedule.has(peer);
    this.#schedule.cancel(peer);
    this.#joined.delete(peer);
    return was;
  }

  /** Stops every attempt (the service is closing). */
  stopAll(): void {
    this.#schedule.cancelAll();
  }

  // The ways to reach a known contact now: its saved TCP address (without an expected key, so that
  // another key answering there is noticed as key-changed) and its DHT key (expecting the contact:
  // a DHT key is only a locator).
  #attempts(peer: string): JoinAttempt[] {
    const attempts: JoinAttempt[] = [];
    const address = this.#store.contacts.get(peer)?.lastAddress ?? null;
    if (address !== null) {
      const [host, port] = splitAddress(address);
      attempts.push(this.#connector.tcpAttempt(host, port));
    }
    const reach = this.#reach();
    const dht = reach ? this.#store.reach.getDhtKey(peer) : null;
    if (reach && dht !== null) attempts.push({ ...reach.attempt(dht, "the contact's DHT key"), expected: peer });
    return attempts;
  }

  async #redial(peer: string): Promise<string | null> {
    const attempts = this.#attempts(peer);
    return attempts.length === 0 ? null : this.#connector.join(attempts, null, { viaInvite: false });
  }
}

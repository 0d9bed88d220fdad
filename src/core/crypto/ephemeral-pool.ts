/**
 * Ephemeral key pairs generated ahead of need, so that a handshake's key generation (~50 µs of
 * P-256 work, on both sides' critical path: the initiator's message 1, the responder's message 2)
 * happens while the event loop is idle rather than between a message and its answer.
 *
 * Each pair is handed out at most once: take() removes it from the pool before returning it, and
 * the taker owns it (the handshake zeroes its private key when it ends). After a take, the pool
 * refills one pair per turn of the loop (setImmediate, unref'd: the pool never keeps a process
 * alive), so a refill never holds the loop for more than one generation. An empty pool generates
 * on the spot, as if there were no pool. clear() zeroes the pairs still waiting.
 */
import type { KeyPair } from './p256.ts';

/** Pairs kept ready: a burst of this many handshakes finds its keys waiting. */
export const DEFAULT_POOL_SIZE = 8;

/** A pool of fresh key pairs from `generate`; see the module comment. */
export class EphemeralPool {
  readonly #generate: () => KeyPair;
  readonly #forget: (privateKey: Uint8Array) => void;
  readonly #size: number;
  #ready: KeyPair[] = [];
  #refill: NodeJS.Immediate | null = null;

  /**
   * `generate` makes one pair; `forget` is called with a waiting pair's private key before clear()
   * zeroes it (to drop whatever the generator remembers of it).
   */
  constructor(generate: () => KeyPair, forget: (privateKey: Uint8Array) => void = () => undefined, size = DEFAULT_POOL_SIZE) {
    if (!Number.isSafeInteger(size) || size < 1) throw new RangeError('EphemeralPool: size must be a positive integer');
    this.#generate = generate;
    this.#forget = forget;
    this.#size = size;
  }

  /** Pairs waiting to be taken. */
  get ready(): number {
    return this.#ready.length;
  }

  /** A pair nobody else has been or will be given; schedules a refill. */
  take(): KeyPair {
    const pair = this.#ready.pop() ?? this.#generate();
    this.#scheduleRefill();
    return pair;
  }

  /** Zeroes and drops the waiting pairs and stops refilling (a later take() starts again). */
  clear(): void {
    if (this.#refill !== null) clearImmediate(this.#refill);
    this.#refill = null;
    for (const pair of this.#ready) {
      this.#forget(pair.privateKey);
      pair.privateKey.fill(0);
    }
    this.#ready = [];
  }

  #scheduleRefill(): void {
    if (this.#refill !== null || this.#ready.length >= this.#size) return;
    this.#refill = setImmediate(() => {
      this.#refill = null;
      this.#ready.push(this.#generate());
      this.#scheduleRefill();
    });
    this.#refill.unref();
  }
}

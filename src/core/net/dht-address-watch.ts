/**
 * Keeps a listening DhtNode reachable after the router's public address changed.
 *
 * Learned by trying (hyperdht 6.34): relay nodes forward a joiner's handshake to the address the
 * host announced from, and the host re-announces only every ~5 minutes (or when its relay nodes
 * stop answering; they keep answering after the router's address changed). The 'nat-update' event
 * comes only after the NAT sampler has seen many new samples (minutes). So while listening we ask
 * one DHT node every ADDRESS_CHECK_MS which address it sees us at, and announce again when it
 * changed: joiners then reach us at the new address (NAT lab case "address change").
 */
import type HyperDHT from 'hyperdht';
import type { DhtServer } from 'hyperdht';

/** While listening, how often we ask a DHT node which public address it sees us at. */
export const ADDRESS_CHECK_MS = 5_000;

/** Watches the address DHT nodes see `server`'s DHT at, from construction until stop(). */
export class AddressWatch {
  readonly #dht: HyperDHT;
  readonly #server: DhtServer;
  readonly #log: (line: string) => void;
  readonly #timer: NodeJS.Timeout;
  #seenAs: string | null;
  #stopped = false;

  constructor(dht: HyperDHT, server: DhtServer, log: (line: string) => void) {
    this.#dht = dht;
    this.#server = server;
    this.#log = log;
    // The address the NAT sampler settled on during the bootstrap: the first check compares with it.
    this.#seenAs = dht.host;
    this.#timer = setInterval(() => void this.#check(), ADDRESS_CHECK_MS);
    this.#timer.unref();
  }

  /** Stops the checks; one already waiting for its answer then does nothing. */
  stop(): void {
    this.#stopped = true;
    clearInterval(this.#timer);
  }

  /** Announces again when a DHT node sees us at another address than last time (see the module comment). */
  async #check(): Promise<void> {
    const [node] = this.#dht.toArray({ limit: 1 });
    if (!node || this.#stopped) return;
    let seen: string;
    try {
      const res = await this.#dht.ping(node);
      if (!res.to) return;
      seen = res.to.host;
    } catch {
      return; // no answer this time: nothing learned
    }
    if (this.#stopped) return;
    if (this.#seenAs !== null && this.#seenAs !== seen) {
      this.#log(`dht: our public address changed (${this.#seenAs} -> ${seen}); announcing again`);
      this.#server.refresh();
    }
    this.#seenAs = seen;
  }
}

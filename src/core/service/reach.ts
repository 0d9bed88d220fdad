/**
 * Reaching peers through HyperDHT (PROTOCOL.md section 8), as the service uses it: our DHT key
 * pair (from the seed kept in the store), listening and reachability for the host screen, join
 * attempts through a contact's DHT key, and a new key on request. The DHT node starts lazily, on
 * the first use, and the DHT key is a locator only: every connection still runs the full
 * handshake, and its fingerprint decides who the peer is.
 */
import { DhtNode, type Reachability } from '../net/dht-node.ts';
import { DhtError } from '../net/dht-errors.ts';
import { dhtKeyPairFromSeed } from '../net/dht-keys.ts';
import { FramedConnection } from '../net/framed-connection.ts';
import type { JoinAttempt } from './connector.ts';
import { ServiceError } from './errors.ts';
import type { ServiceStore } from './service-store.ts';

/** How this node uses the DHT (the user's settings, or the CLI's flags). */
export type DhtSettings = {
  /** Replaces HyperDHT's public bootstrap nodes; null or absent keeps them. */
  readonly bootstrap?: readonly { readonly host: string; readonly port: number }[] | null;
  /** A blind relay's public key (64 hex) to go through when no direct path opens. */
  readonly relay?: string | null;
  /** Local address to bind the DHT's UDP socket (tests). */
  readonly host?: string;
};

export type { Reachability };

/** See the module comment. */
export class Reach {
  readonly #store: ServiceStore;
  readonly #settings: DhtSettings;
  readonly #accept: (conn: FramedConnection) => void;
  readonly #onChange: () => void;
  readonly #log: (line: string) => void;
  #node: DhtNode | null = null;
  #unsubscribe: (() => void) | null = null;
  #closed = false;

  constructor(options: { store: ServiceStore; settings: DhtSettings; accept: (conn: FramedConnection) => void; onChange: () => void; log: (line: string) => void }) {
    this.#store = options.store;
    this.#settings = options.settings;
    this.#accept = options.accept;
    this.#onChange = options.onChange;
    this.#log = options.log;
  }

  /** Our DHT public key (64 hex) while we listen on the DHT, else null. */
  get key(): string | null {
    return this.#node?.listeningKey ?? null;
  }

  /** What the host screen shows; null while the DHT has not been started. */
  get reachability(): Reachability | null {
    return this.#node?.reachability ?? null;
  }

  /** Our DHT public key (64 hex), whether or not we listen now (created on first use). */
  keyOf(): string {
    return this.#keyPair().publicKey.toString('hex');
  }

  /** Listens on the DHT with our key pair; resolves with the public key once announced. */
  async listen(): Promise<string> {
    const node = this.#ensureNode();
    const keyPair = this.#keyPair();
    try {
      await node.listen(keyPair, (carrier) => this.#accept(new FramedConnection(carrier, 'dht')), { relayThrough: this.#settings.relay ?? null });
    } catch (err) {
      throw toServiceError(err);
    }
    return keyPair.publicKey.toString('hex');
  }

  /** Stops listening on the DHT (sessions stay up). */
  async stopListening(): Promise<void> {
    await this.#node?.stopListening();
  }

  /** A new DHT key pair ("get a new reachable address"): old invites stop working through the DHT. */
  async rotate(): Promise<string | null> {
    const wasListening = this.key !== null;
    this.#store.reach.replaceSeed().fill(0);
    if (!wasListening) return null;
    await this.stopListening();
    return this.listen();
  }

  /** A join attempt through the DHT key `key` (checked against `expected` by the handshake). */
  attempt(key: string, label = 'the DHT'): JoinAttempt {
    return {
      where: label,
      address: null,
      path: 'dht',
      open: async (signal) => {
        const node = this.#ensureNode();
        try {
          const { carrier } = await node.connect(key, { relayThrough: this.#settings.relay ?? null, signal });
          if (this.#closed) {
            carrier.destroy();
            throw new ServiceError('internal', 'the service is closing');
          }
          return new FramedConnection(carrier, 'dht');
        } catch (err) {
          throw toServiceError(err);
        }
      },
    };
  }

  /** Path details of a DHT connection, for "same network / internet, direct / relayed". */
  describe(conn: FramedConnection): { relayed: boolean; sameNetwork: boolean } | null {
    const carrier = conn.socket as { info?: () => { relayed: boolean; sameNetwork: boolean } };
    return conn.path === 'dht' && typeof carrier.info === 'function' ? carrier.info() : null;
  }

  /** Stops the DHT node (listener, connections, sockets). */
  async close(): Promise<void> {
    this.#closed = true;
    this.#unsubscribe?.();
    await this.#node?.destroy();
  }

  #keyPair(): ReturnType<typeof dhtKeyPairFromSeed> {
    const seed = this.#store.reach.loadOrCreateSeed();
    try {
      return dhtKeyPairFromSeed(seed);
    } finally {
      seed.fill(0);
    }
  }

  #ensureNode(): DhtNode {
    if (this.#closed) throw new ServiceError('internal', 'the service is closing');
    if (this.#node) return this.#node;
    const node = new DhtNode({ bootstrap: this.#settings.bootstrap ?? undefined, host: this.#settings.host, log: this.#log });
    this.#unsubscribe = node.onReachabilityChange(() => this.#onChange());
    this.#node = node;
    return node;
  }
}

function toServiceError(err: unknown): unknown {
  return err instanceof DhtError ? new ServiceError(err.code, err.message) : err;
}

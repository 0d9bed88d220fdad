/**
 * One HyperDHT instance (PROTOCOL.md section 8): listening under a DHT key pair, connecting to a
 * DHT public key, and what the host screen shows about it (reachable yes / checking / no, and why).
 *
 * Learned by trying (hyperdht 6.34):
 * - with no bootstrap node answering, `fullyBootstrapped()` resolves after ~6 s with an empty
 *   routing table and `online` still true, and a connect then fails with PEER_NOT_FOUND after
 *   ~4 s more: "nobody answered" must be told from "nobody listens" by `nodes.length === 0`.
 * - the server's 'connection' stream is already started (its remote address is known); a client
 *   stream is usable once it emits 'open' (after both Noise handshakes).
 * - a router's new public address reaches joiners only after minutes unless we announce again:
 *   dht-address-watch.ts.
 * - every stream emits 'error' (ECONNRESET when the other side goes away): a listener is attached
 *   the moment a stream exists, so no HyperDHT error escapes as an uncaught exception.
 */
import type HyperDHT from 'hyperdht';
import type { DhtServer, HostPort, SecretStream } from 'hyperdht';
import { AddressWatch } from './dht-address-watch.ts';
import { DhtCarrier, type DhtPathInfo } from './dht-carrier.ts';
import { DhtError, UNREACHABLE_MESSAGE, describeDhtFailure } from './dht-errors.ts';
import { loadHyperDht, parseDhtKey, type DhtKeyPair } from './dht-keys.ts';

/** How long the bootstrap may take before the DHT counts as unreachable (the contract says 15 s). */
export const BOOTSTRAP_WAIT_MS = 12_000;
/** How long a connect may take in all (finding the peer, holepunching, relay): under 30 s. */
export const CONNECT_TIMEOUT_MS = 25_000;

/** What the host screen shows: can people reach this computer through the DHT now, and why (not). */
export type Reachability = { readonly state: 'yes' | 'checking' | 'no'; readonly reason: string };

export type DhtNodeOptions = {
  /** Replaces HyperDHT's public bootstrap nodes (private networks, tests). */
  readonly bootstrap?: readonly HostPort[] | undefined;
  /** The local address to bind (tests on a local testnet need 127.0.0.1). */
  readonly host?: string | undefined;
  readonly log?: ((line: string) => void) | undefined;
};

export type DhtConnectOptions = {
  /** A blind relay's DHT public key (64 hex) to go through when no direct path opens. */
  readonly relayThrough?: string | null | undefined;
  readonly timeoutMs?: number | undefined;
  /** A cancelled join: the lookup or hole punch in progress is destroyed. */
  readonly signal?: AbortSignal | undefined;
};

/** One HyperDHT instance; see the module comment. Create, `await ready()`, then listen or connect. */
export class DhtNode {
  readonly dht: HyperDHT;
  readonly #log: (line: string) => void;
  readonly #bootstrapped: Promise<void>;
  #bootstrapDone = false;
  #server: DhtServer | null = null;
  #listening: 'no' | 'starting' | 'yes' = 'no';
  #destroyed = false;
  #addressWatch: AddressWatch | null = null;
  /** Streams handed to Parley (connected or accepted): told apart from HyperDHT's relay streams. */
  readonly #streams = new Set<SecretStream>();
  readonly #changeListeners = new Set<(r: Reachability) => void>();

  constructor(options: DhtNodeOptions = {}) {
    this.#log = options.log ?? (() => {});
    const HyperDhtClass = loadHyperDht();
    this.dht = new HyperDhtClass({
      ...(options.bootstrap ? { bootstrap: options.bootstrap.map((b) => ({ host: b.host, port: b.port })) } : {}),
      ...(options.host ? { host: options.host } : {}),
    });
    this.dht.on('error', (err: unknown) => this.#log(`dht: ${String(err)}`));
    this.dht.on('network-update', () => this.#changed());
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, BOOTSTRAP_WAIT_MS);
    });
    this.#bootstrapped = Promise.race([this.dht.fullyBootstrapped().catch(() => {}), waited]).then(() => {
      clearTimeout(timer);
      this.#bootstrapDone = true;
      this.#log(`dht: bootstrap done, ${this.dht.nodes.length} nodes known`);
      this.#changed();
    });
  }

  /** Resolves once the bootstrap has finished or given up (within BOOTSTRAP_WAIT_MS). */
  async ready(): Promise<Reachability> {
    await this.#bootstrapped;
    return this.reachability;
  }

  /** True when at least one DHT node answered. */
  get bootstrapped(): boolean {
    return this.dht.nodes.length > 0;
  }

  /** The public key we listen under (64 hex), or null. */
  get listeningKey(): string | null {
    return this.#listening === 'yes' ? this.#listenKey : null;
  }
  #listenKey: string | null = null;

  get reachability(): Reachability {
    if (this.#destroyed) return { state: 'no', reason: 'The DHT is switched off.' };
    if (!this.#bootstrapDone) return { state: 'checking', reason: 'Looking for other DHT nodes…' };
    if (!this.bootstrapped) return { state: 'no', reason: UNREACHABLE_MESSAGE };
    if (!this.dht.online) return { state: 'no', reason: 'The network connection went away; waiting for it to come back.' };
    if (this.#listening === 'no') return { state: 'no', reason: 'Not listening on the DHT.' };
    if (this.#listening === 'starting') return { state: 'checking', reason: 'Announcing this computer on the DHT…' };
    if (this.dht.randomized) {
      return {
        state: 'yes',
        reason: "Reachable through the DHT. This network's router changes ports for every connection, so people behind a similar router can only join through a relay.",
      };
    }
    return { state: 'yes', reason: 'Reachable through the DHT.' };
  }

  /** Calls `listener` whenever the reachability may have changed; returns an unsubscribe function. */
  onReachabilityChange(listener: (r: Reachability) => void): () => void {
    this.#changeListeners.add(listener);
    return () => this.#changeListeners.delete(listener);
  }

  /** Listens under `keyPair`; every incoming connection is handed over as a carrier. */
  async listen(keyPair: DhtKeyPair, onConnection: (carrier: DhtCarrier) => void, options: { relayThrough?: string | null } = {}): Promise<void> {
    if (this.#destroyed) throw new DhtError('connect-failed', 'The DHT is switched off.');
    if (this.#server) throw new Error('listen: already listening; call stopListening() first');
    const relay = options.relayThrough ? parseDhtKey(options.relayThrough) : null;
    const server = this.dht.createServer(relay ? { relayThrough: relay } : {}, (stream) => {
      const carrier = this.#adopt(stream);
      if (carrier) onConnection(carrier);
    });
    server.on('error', (err: unknown) => this.#log(`dht server: ${String(err)}`));
    this.#server = server;
    this.#listening = 'starting';
    this.#changed();
    try {
      await server.listen(keyPair);
    } catch (err) {
      if (this.#server === server) this.#server = null;
      this.#listening = 'no';
      this.#changed();
      throw new DhtError('connect-failed', `Could not listen on the DHT (${err instanceof Error ? err.message : String(err)}).`);
    }
    if (this.#server !== server) return; // stopped meanwhile
    this.#listenKey = keyPair.publicKey.toString('hex');
    this.#listening = 'yes';
    this.#changed();
    this.#addressWatch = new AddressWatch(this.dht, server, this.#log);
  }

  /** Stops listening (unannounces); open connections stay up. */
  async stopListening(): Promise<void> {
    const server = this.#server;
    this.#server = null;
    this.#addressWatch?.stop();
    this.#addressWatch = null;
    this.#listening = 'no';
    this.#listenKey = null;
    this.#changed();
    if (server) await server.close().catch((err: unknown) => this.#log(`dht server close: ${String(err)}`));
  }

  /** Connects to the peer listening under `publicKeyHex`; rejects with DhtError (dht-errors.ts). */
  async connect(publicKeyHex: string, options: DhtConnectOptions = {}): Promise<{ carrier: DhtCarrier; info: DhtPathInfo }> {
    const key = parseDhtKey(publicKeyHex);
    if (!key) throw new DhtError('connect-failed', 'That is not a DHT address (64 lowercase hex digits expected).');
    const relay = options.relayThrough ? parseDhtKey(options.relayThrough) : null;
    if (options.relayThrough && !relay) throw new DhtError('connect-failed', 'The relay is not a DHT address (64 lowercase hex digits expected).');
    if (this.#destroyed) throw new DhtError('connect-failed', 'The DHT is switched off.');
    await this.#bootstrapped;
    if (!this.bootstrapped) throw new DhtError('dht-unreachable', UNREACHABLE_MESSAGE);
    const timeoutMs = options.timeoutMs ?? CONNECT_TIMEOUT_MS;
    const { signal } = options;
    if (signal?.aborted) throw new DhtError('connect-failed', 'The connection was cancelled.');
    const stream = this.dht.connect(key, { relayThrough: relay });
    this.#track(stream);
    return new Promise((resolve, reject) => {
      const done = (err: unknown): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        stream.off('open', onOpen);
        stream.off('close', onClose);
        if (err === null) {
          const carrier = new DhtCarrier(stream, () => this.#isRelayed(stream));
          resolve({ carrier, info: carrier.info() });
          return;
        }
        stream.destroy();
        reject(err instanceof DhtError ? err : describeDhtFailure(err, { bootstrapped: this.bootstrapped, relayed: relay !== null }));
      };
      let failure: unknown = null;
      const onOpen = (): void => done(null);
      const onClose = (): void => done(failure ?? new Error('closed before it opened'));
      const onAbort = (): void => done(new DhtError('connect-failed', 'The connection was cancelled.'));
      signal?.addEventListener('abort', onAbort, { once: true });
      const timer = setTimeout(
        () => done(new DhtError('connect-failed', `No connection through the DHT within ${Math.round(timeoutMs / 1000)} s: the peer or the network did not answer.`)),
        timeoutMs,
      );
      stream.on('error', (err: unknown) => {
        failure ??= err;
      });
      stream.once('open', onOpen);
      stream.once('close', onClose);
    });
  }

  /** Stops everything: the listener, every connection, the DHT's sockets and timers. */
  async destroy(): Promise<void> {
    if (this.#destroyed) return;
    await this.stopListening();
    this.#destroyed = true;
    for (const s of this.#streams) s.destroy();
    await this.#bootstrapped;
    await this.dht.destroy().catch((err: unknown) => this.#log(`dht destroy: ${String(err)}`));
    this.#changed();
  }

  #adopt(stream: SecretStream): DhtCarrier | null {
    this.#track(stream);
    if (this.#destroyed) {
      stream.destroy();
      return null;
    }
    return new DhtCarrier(stream, () => this.#isRelayed(stream));
  }

  #track(stream: SecretStream): void {
    stream.on('error', (err: unknown) => this.#log(`dht stream: ${String(err)}`));
    this.#streams.add(stream);
    stream.once('close', () => this.#streams.delete(stream));
  }

  /**
   * A relayed stream's UDX packets go to the blind relay over the same UDP socket and address as
   * HyperDHT's own connection to that relay (the check hyperdht's connect.js `isRelay` makes). So:
   * relayed when another raw stream that is not one of ours shares socket, host and port.
   */
  #isRelayed(stream: SecretStream): boolean {
    const raw = stream.rawStream;
    if (!raw || raw.remoteHost === null) return false;
    const ours = new Set([...this.#streams].map((s) => s.rawStream));
    for (const other of this.dht.rawStreams) {
      if (other === raw || ours.has(other)) continue;
      if (other.socket === raw.socket && other.remoteHost === raw.remoteHost && other.remotePort === raw.remotePort) return true;
    }
    return false;
  }

  #changed(): void {
    const r = this.reachability;
    for (const l of [...this.#changeListeners]) l(r);
  }
}

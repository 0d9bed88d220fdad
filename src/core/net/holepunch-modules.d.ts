/**
 * The few parts of hyperdht 6.34 and blind-relay 1.6 that Parley uses (neither ships types).
 * Written from their sources (node_modules/hyperdht/index.js, lib/server.js, lib/connect.js,
 * node_modules/@hyperswarm/secret-stream/index.js, node_modules/blind-relay/index.js): keep in
 * step with those versions.
 */
declare module 'hyperdht' {
  import type { EventEmitter } from 'node:events';

  export type KeyPair = { publicKey: Buffer; secretKey: Buffer };
  export type HostPort = { host: string; port: number };

  /** The UDX stream under a secret stream (udx-native). */
  export type UdxStream = EventEmitter & {
    readonly id: number;
    readonly remoteHost: string | null;
    readonly remotePort: number;
    readonly socket: unknown;
    readonly connected: boolean;
    destroy(err?: Error): void;
  };

  /** A @hyperswarm/secret-stream NoiseSecretStream: a streamx Duplex. */
  export type SecretStream = EventEmitter & {
    readonly publicKey: Buffer | null;
    readonly remotePublicKey: Buffer | null;
    readonly rawStream: UdxStream | null;
    readonly destroyed: boolean;
    readonly destroying: boolean;
    readonly _writableState: { buffered: number };
    write(chunk: Uint8Array): boolean;
    end(): void;
    destroy(err?: Error): void;
    pause(): unknown;
    resume(): unknown;
    unshift(chunk: Uint8Array): void;
    setKeepAlive(ms: number): void;
  };

  export type DhtServer = EventEmitter & {
    listen(keyPair: KeyPair): Promise<unknown>;
    /** Announces again (to the DHT nodes closest to the key), from the current address. */
    refresh(): void;
    close(): Promise<void>;
    readonly closed: boolean;
  };

  export type DhtOptions = {
    bootstrap?: HostPort[];
    keyPair?: KeyPair;
    host?: string;
    port?: number;
    ephemeral?: boolean;
    firewalled?: boolean;
    connectionKeepAlive?: number | false;
  };

  export type ConnectOptions = {
    keyPair?: KeyPair;
    relayThrough?: Buffer | null;
    localConnection?: boolean;
  };

  export default class HyperDHT extends EventEmitter {
    constructor(opts?: DhtOptions);
    static keyPair(seed?: Buffer): KeyPair;
    static bootstrapper(port: number, host: string, opts?: DhtOptions): HyperDHT;
    readonly nodes: { length: number };
    readonly rawStreams: Iterable<UdxStream>;
    readonly destroyed: boolean;
    readonly online: boolean;
    readonly firewalled: boolean;
    readonly randomized: boolean;
    readonly host: string | null;
    readonly port: number;
    readonly bootstrapped: boolean;
    fullyBootstrapped(): Promise<void>;
    /** Resolves with the answer; `to` is our own address as that node saw it. */
    ping(node: HostPort): Promise<{ to?: HostPort | null }>;
    toArray(opts?: { limit?: number }): HostPort[];
    address(): HostPort;
    connect(publicKey: Buffer, opts?: ConnectOptions): SecretStream;
    createServer(opts: Record<string, unknown>, onconnection?: (stream: SecretStream) => void): DhtServer;
    createServer(onconnection?: (stream: SecretStream) => void): DhtServer;
    createRawStream(opts?: Record<string, unknown>): UdxStream;
    destroy(opts?: { force?: boolean }): Promise<void>;
  }
}

declare module 'hyperdht/testnet.js' {
  import type HyperDHT from 'hyperdht';
  import type { DhtOptions, HostPort } from 'hyperdht';

  export type Testnet = {
    readonly nodes: HyperDHT[];
    readonly bootstrap: HostPort[];
    createNode(opts?: DhtOptions): HyperDHT;
    destroy(): Promise<void>;
  };
  export default function createTestnet(size?: number, opts?: { host?: string; port?: number; bootstrap?: HostPort[] }): Promise<Testnet>;
}

declare module 'blind-relay' {
  import type { EventEmitter } from 'node:events';
  import type { SecretStream, UdxStream } from 'hyperdht';

  export class Server extends EventEmitter {
    constructor(opts: { createStream: (opts: Record<string, unknown>) => UdxStream });
    accept(stream: SecretStream, opts: { id: Buffer | null }): EventEmitter;
    close(): Promise<void>;
  }
}

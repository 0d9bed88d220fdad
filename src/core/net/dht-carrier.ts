/**
 * A HyperDHT connection (a @hyperswarm/secret-stream NoiseSecretStream, itself a streamx Duplex)
 * seen as a Carrier (carrier.ts), so FramedConnection and everything above run on it unchanged.
 *
 * streamx is not node:stream, and these are the differences that matter here:
 * - there is no `writableLength`; the byte count waiting in the write queue is
 *   `_writableState.buffered` (streamx 2.x, stable across its releases). The secret stream waits
 *   for the UDX stream's 'drain' before taking the next chunk, so this count does grow while the
 *   peer does not read, and back-pressure works as over TCP.
 * - `pause()` keeps reading ahead up to the readable high-water mark (16 KiB), then stops asking
 *   the secret stream, which then pauses its UDX stream: reading pauses with a bounded buffer.
 * - `unshift()` puts the chunk before everything queued and it is emitted again only once the
 *   stream flows (after `resume()`), which is what FramedConnection expects.
 * - 'error' is emitted before 'close' on every abnormal end (ECONNRESET when the peer goes away):
 *   the adapter always listens for it, so nothing escapes as an uncaught exception.
 */
import type { SecretStream } from 'hyperdht';
import type { Carrier } from './carrier.ts';

/** How a DHT connection reaches the peer, for "same network / internet, direct / relayed". */
export type DhtPathInfo = {
  /** The address the encrypted packets go to: the peer (direct) or the relay (relayed). */
  readonly remoteHost: string;
  readonly remotePort: number;
  /** True while the bytes go through a blind relay rather than straight to the peer. */
  readonly relayed: boolean;
  /** True when the peer was reached at a private/LAN address (both sides on one network). */
  readonly sameNetwork: boolean;
};

/** A DHT stream as a Carrier; `isRelayed` is asked each time `info()` is called (the path can change). */
export class DhtCarrier implements Carrier {
  readonly stream: SecretStream;
  readonly #isRelayed: () => boolean;

  constructor(stream: SecretStream, isRelayed: () => boolean = () => false) {
    this.stream = stream;
    this.#isRelayed = isRelayed;
    // Never let an 'error' go unheard (streamx throws an unhandled 'error' like any EventEmitter).
    stream.on('error', () => {});
  }

  get remoteAddress(): string | undefined {
    return this.stream.rawStream?.remoteHost ?? undefined;
  }

  get remotePort(): number | undefined {
    return this.stream.rawStream?.remotePort ?? undefined;
  }

  get writableLength(): number {
    return this.stream._writableState.buffered;
  }

  get destroyed(): boolean {
    return this.stream.destroyed || this.stream.destroying;
  }

  /** The 32-byte DHT public key of the other side (authenticated by HyperDHT's own Noise). */
  get remotePublicKey(): string {
    return this.stream.remotePublicKey?.toString('hex') ?? '';
  }

  /** How the connection runs right now (a relayed connection may later be upgraded to direct). */
  info(): DhtPathInfo {
    const remoteHost = this.remoteAddress ?? '';
    const relayed = this.#isRelayed();
    return { remoteHost, remotePort: this.remotePort ?? 0, relayed, sameNetwork: !relayed && isPrivateAddress(remoteHost) };
  }

  write(chunk: Uint8Array): boolean {
    if (this.destroyed) return false;
    return this.stream.write(chunk);
  }

  pause(): this {
    this.stream.pause();
    return this;
  }

  resume(): this {
    this.stream.resume();
    return this;
  }

  unshift(chunk: Uint8Array): void {
    this.stream.unshift(chunk);
  }

  end(): this {
    if (!this.destroyed) this.stream.end();
    return this;
  }

  destroy(): this {
    this.stream.destroy();
    return this;
  }

  on(event: 'data', listener: (chunk: Buffer) => void): this;
  on(event: 'drain' | 'error' | 'close' | 'end', listener: (...args: unknown[]) => void): this;
  on(event: string, listener: (...args: never[]) => void): this {
    this.stream.on(event, listener as (...args: unknown[]) => void);
    return this;
  }

  once(event: 'drain', listener: () => void): this {
    this.stream.once(event, listener);
    return this;
  }
}

/**
 * True for addresses that only exist inside one network: RFC 1918, loopback, link-local, and
 * IPv6 unique-local/link-local. Carrier-grade NAT space (100.64/10) is NOT counted: two peers
 * behind one carrier NAT are not on the same home network.
 */
export function isPrivateAddress(host: string): boolean {
  const h = host.startsWith('::ffff:') ? host.slice(7) : host;
  const m = /^(\d{1,3})\.(\d{1,3})\.\d{1,3}\.\d{1,3}$/.exec(h);
  if (m) {
    const a = Number(m[1]);
    const b = Number(m[2]);
    return a === 10 || a === 127 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254);
  }
  const l = h.toLowerCase();
  return l === '::1' || l.startsWith('fc') || l.startsWith('fd') || l.startsWith('fe80:');
}

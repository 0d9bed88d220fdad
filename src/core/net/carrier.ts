/**
 * A carrier: the reliable, ordered byte stream that Parley's frames ride on (PROTOCOL.md sections
 * 1 and 8). A TCP socket is one as it is (node:net's Socket satisfies this type structurally);
 * a HyperDHT stream is one through a small adapter. Everything above — framing, the handshake,
 * sessions — is written against this type only, so there is one code path whatever carries the
 * bytes.
 */

/** How the bytes travel: a TCP connection, or a HyperDHT stream (direct or relayed). */
export type CarrierPath = 'tcp' | 'dht';

/** The subset of a Node-style duplex stream that framing needs (see the module comment). */
export type Carrier = {
  readonly remoteAddress?: string | undefined;
  readonly remotePort?: number | undefined;
  /** Bytes accepted by write() and not yet handed on: the sender holds back while this is large. */
  readonly writableLength: number;
  readonly destroyed: boolean;
  write(chunk: Uint8Array): boolean;
  pause(): unknown;
  resume(): unknown;
  /** Puts bytes back at the front of the read side (read again after resume). */
  unshift(chunk: Uint8Array): void;
  end(): unknown;
  destroy(): unknown;
  setNoDelay?(noDelay?: boolean): unknown;
  /** Holds writes until uncork (net.Socket: one writev for a frame's pieces); a carrier without it writes each piece. */
  cork?(): void;
  uncork?(): void;
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
  on(event: 'drain' | 'error' | 'close' | 'end', listener: (...args: unknown[]) => void): unknown;
  once(event: 'drain', listener: () => void): unknown;
};

/**
 * What the handshake and the session need of a connection: frames in, frames out, write
 * back-pressure and the end. Defined here, in the protocol layer, so that the protocol does not
 * depend on the network layer above it; net/framed-connection.ts implements it over any carrier.
 */

/** Why a connection ended, from this side's point of view. */
export type CloseCause = 'closed' | 'protocol-error' | 'timeout' | 'local';

/** Rejected from readFrame when the connection ends first. */
export class ConnectionClosedError extends Error {
  override name = 'ConnectionClosedError';
  readonly reason: CloseCause;
  constructor(reason: CloseCause) {
    super(`connection ${reason}`);
    this.reason = reason;
  }
}

/** A connection seen as frames (see the module comment). */
export type FrameChannel = {
  readonly closed: boolean;
  /** The next frame (handshake mode); rejects with ConnectionClosedError if the connection ends first. */
  readFrame(): Promise<Uint8Array>;
  /** Switches to handler mode: every frame, synchronously, as it arrives; valid only during the call (copy to keep it). */
  setFrameHandler(handler: (frame: Uint8Array) => void): void;
  /** Writes one frame; false if the connection is closed. */
  writeFrame(body: Uint8Array): boolean;
  /** Writes one frame whose body is the concatenation of `parts`, without joining them; false if the connection is closed. */
  writeFrameParts(parts: readonly Uint8Array[]): boolean;
  /** True while written bytes wait for a slow reader: a sender should hold back. */
  readonly backpressured: boolean;
  /** Calls `listener` once the write buffer has drained (never if the connection ends first). */
  onceDrained(listener: () => void): void;
  /** Calls `listener` once when the connection ends (at once if it already has). */
  onClose(listener: (cause: CloseCause) => void): void;
  close(cause?: CloseCause): void;
};

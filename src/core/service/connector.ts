/**
 * Making authenticated connections: the host's listener with its responder handshakes, and the
 * joiner's dial with its initiator handshake. What an authenticated connection means (trust,
 * replacement, the session) is the service's business: this hands it over through
 * `onAuthenticated`. Failures become ServiceErrors with the shared codes.
 */
import type { KeyPair } from '../crypto/p256.ts';
import { dial, DialError } from '../net/dialer.ts';
import { FramedConnection } from '../net/framed-connection.ts';
import { ListenError } from '../net/listen-error.ts';
import { Listener, type Admission, type ListenerLimits } from '../net/listener.ts';
import type { HelloExtensions } from '../protocol/hello.ts';
import { HandshakeError, initiatorHandshake, responderHandshake, HANDSHAKE_TIMEOUT_MS, type HandshakeResult } from '../protocol/perform-handshake.ts';
import { formatAddress } from './addresses.ts';
import { ServiceError } from './errors.ts';

/** How an authenticated connection came about. */
export type AuthContext = { readonly initiator: boolean; readonly address: string | null; readonly viaInvite: boolean };

export type ConnectorOptions = {
  readonly identity: KeyPair & { readonly fingerprint: string };
  readonly displayName: () => string;
  /** The hello's extension members at the time of each handshake (features, DHT key). */
  readonly extensions: () => HelloExtensions;
  readonly handshakeTimeoutMs?: number;
  readonly connectTimeoutMs?: number;
  readonly listenerLimits?: Partial<ListenerLimits>;
  readonly onAuthenticated: (conn: FramedConnection, result: HandshakeResult, ctx: AuthContext) => void;
  readonly log: (line: string) => void;
};

/** See the module comment. */
export class Connector {
  readonly #opts: ConnectorOptions;
  readonly #pending = new Set<FramedConnection>();
  #listener: Listener | null = null;
  #closed = false;

  constructor(options: ConnectorOptions) {
    this.#opts = options;
  }

  /** True while listening. */
  get listening(): boolean {
    return this.#listener !== null;
  }

  /** Binds bind:port and starts admitting joiners; resolves with the bound address. */
  async listen(bind: string, port: number): Promise<{ host: string; port: number }> {
    try {
      this.#listener = await Listener.listen(bind, port, (a) => this.#admit(a), this.#opts.listenerLimits);
    } catch (err) {
      if (err instanceof ListenError) throw new ServiceError(err.code, err.message);
      throw err;
    }
    return this.#listener.address;
  }

  /** Stops listening (established sessions are not touched); false if it was not listening. */
  async stopListening(): Promise<boolean> {
    const l = this.#listener;
    if (!l) return false;
    this.#listener = null;
    await l.close();
    return true;
  }

  /** Joins host:port (checking `expected` before message 3); resolves with the peer's fingerprint. */
  async dial(host: string, port: number, expected: string | null): Promise<string> {
    const where = formatAddress(host, port);
    let conn: FramedConnection;
    try {
      conn = new FramedConnection(await dial(host, port, { timeoutMs: this.#opts.connectTimeoutMs }));
    } catch (err) {
      if (err instanceof DialError) throw new ServiceError(err.code, err.message);
      throw err;
    }
    this.#pending.add(conn);
    let result: HandshakeResult;
    try {
      result = await initiatorHandshake(conn, {
        staticKey: this.#opts.identity,
        name: this.#opts.displayName(),
        extensions: this.#opts.extensions(),
        expectedFingerprint: expected,
        timeoutMs: this.#opts.handshakeTimeoutMs,
      });
    } catch (err) {
      conn.close('protocol-error');
      if (err instanceof HandshakeError) {
        if (err.code === 'fingerprint-mismatch') {
          throw new ServiceError(
            'fingerprint-mismatch',
            `the host at ${where} presented fingerprint ${err.presented} instead of the invite's ${expected}: the connection may be intercepted`,
          );
        }
        throw new ServiceError(err.code === 'handshake-timeout' ? 'handshake-timeout' : 'handshake-failed', `handshake with ${where} failed: ${err.message}`);
      }
      throw err;
    } finally {
      this.#pending.delete(conn);
    }
    if (this.#closed) {
      conn.close('local');
      throw new ServiceError('internal', 'the service is closing');
    }
    if (result.remoteFingerprint === this.#opts.identity.fingerprint) {
      // Our own invite or address. A session with ourselves made a contact of this node and, as we
      // had "joined" it, a rejoin loop (connected, closed, rejoined…) that never ended.
      conn.close('local');
      throw new ServiceError('bad-input', `${where} is this node itself: it cannot join itself`);
    }
    this.#opts.onAuthenticated(conn, result, { initiator: true, address: where, viaInvite: expected !== null });
    return result.remoteFingerprint;
  }

  /** Closes handshakes in progress and the listener. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const c of this.#pending) c.close('local');
    await this.stopListening();
  }

  #admit(admission: Admission): void {
    if (this.#closed) {
      admission.socket.destroy();
      return;
    }
    const conn = new FramedConnection(admission.socket);
    this.#pending.add(conn);
    const elapsed = Date.now() - admission.acceptedAt;
    responderHandshake(conn, {
      staticKey: this.#opts.identity,
      name: this.#opts.displayName(),
      extensions: this.#opts.extensions(),
      timeoutMs: (this.#opts.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS) - elapsed,
      onProgress: () => admission.progress(),
    }).then(
      (result) => {
        this.#pending.delete(conn);
        admission.release();
        if (this.#closed || result.remoteFingerprint === this.#opts.identity.fingerprint) {
          conn.close('local'); // closing, or this node joined itself (the joining side reports it)
          return;
        }
        try {
          this.#opts.onAuthenticated(conn, result, { initiator: false, address: null, viaInvite: false });
        } catch (err) {
          // E.g. the database failed while recording the contact: drop this connection, keep the
          // host running (an exception here would be an unhandled rejection, fatal to the process).
          conn.close('local');
          this.#opts.log(`could not take the connection from ${result.remoteFingerprint.slice(0, 16)}: ${err instanceof Error ? err.message : String(err)}`);
        }
      },
      (err: unknown) => {
        this.#pending.delete(conn);
        admission.release();
        conn.close('protocol-error');
        this.#opts.log(`inbound handshake from ${conn.remoteAddress} failed: ${err instanceof Error ? err.message : String(err)}`);
      },
    );
  }
}

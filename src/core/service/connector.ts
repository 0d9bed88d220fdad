/**
 * Making authenticated connections: the host's listener with its responder handshakes, and the
 * joiner's dial with its initiator handshake. What an authenticated connection means (trust,
 * replacement, the session) is the service's business: this hands it over through
 * `onAuthenticated`. Failures become ServiceErrors with the shared codes.
 */
import type { KeyPair } from '../crypto/p256.ts';
import { dial, DialAborted, DialError } from '../net/dialer.ts';
import { FramedConnection } from '../net/framed-connection.ts';
import { ListenError } from '../net/listen-error.ts';
import { Listener, type Admission, type ListenerLimits } from '../net/listener.ts';
import { P256_EPHEMERAL_POOL } from '../noise/suites.ts';
import type { HelloExtensions } from '../protocol/hello.ts';
import { HandshakeError, initiatorHandshake, responderHandshake, HANDSHAKE_TIMEOUT_MS, type HandshakeResult } from '../protocol/perform-handshake.ts';
import { formatAddress } from './addresses.ts';
import { ServiceError } from './errors.ts';
import { joinCancelled, rankFailure, type JoinAttempt, type JoinOptions, type JoinStep } from './join-terms.ts';

export type { JoinAttempt, JoinOptions, JoinProgress, JoinStep } from './join-terms.ts';

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
  #carried = 0;
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

  /** One way to reach a host over TCP, for join(). */
  tcpAttempt(host: string, port: number): JoinAttempt {
    const where = formatAddress(host, port);
    return {
      where,
      address: where,
      path: 'tcp',
      open: async (signal) => {
        try {
          return new FramedConnection(await dial(host, port, { timeoutMs: this.#opts.connectTimeoutMs, signal }), 'tcp');
        } catch (err) {
          if (err instanceof DialError) throw new ServiceError(err.code, err.message);
          if (err instanceof DialAborted) throw joinCancelled();
          throw err;
        }
      },
    };
  }

  /**
   * Joins through every attempt at once (TCP and the DHT, PROTOCOL.md section 8) and keeps the
   * first connection whose handshake completes (with `expected`, when given); the others are
   * closed as soon as one wins, before their own handshakes complete where they can. When all
   * fail, the most telling failure is reported (see rankFailure). Once `options.signal` aborts, it
   * rejects with `cancelled` at once and no connection of this join is ever handed over.
   */
  async join(attempts: readonly JoinAttempt[], expected: string | null, options: JoinOptions = {}): Promise<string> {
    if (attempts.length === 0) throw new ServiceError('bad-input', 'nowhere to connect to');
    const { signal } = options;
    if (signal?.aborted) throw joinCancelled();
    const viaInvite = options.viaInvite ?? expected !== null;
    const open = new Set<FramedConnection>();
    let won = false;
    // Cancelled: close every handshake in progress (its #initiate fails), and stop waiting for the rest.
    let stop: (err: ServiceError) => void = () => {};
    const stopped = new Promise<never>((_resolve, reject) => (stop = reject));
    stopped.catch(() => {}); // only ever awaited through the race below
    const onAbort = (): void => {
      for (const conn of open) conn.close('local');
      stop(joinCancelled());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    // A progress listener's failure must not decide the join.
    const report = (step: JoinStep, path: 'tcp' | 'dht'): void => {
      if (won || signal?.aborted || !options.onProgress) return;
      try {
        options.onProgress({ step, path });
      } catch (err) {
        this.#opts.log(`join progress listener failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    };
    const tries = attempts.map(async (attempt) => {
      const path = attempt.path ?? 'tcp';
      report('finding', path);
      const conn = await attempt.open(signal);
      if (won || this.#closed || signal?.aborted) {
        conn.close('local');
        throw new ServiceError('internal', 'another path connected first');
      }
      report('path', path);
      open.add(conn);
      this.#pending.add(conn);
      try {
        report('securing', path);
        const result = await this.#initiate(conn, attempt.where, attempt.expected !== undefined ? attempt.expected : expected, options.token ?? null);
        if (won || signal?.aborted) {
          conn.close('local');
          throw new ServiceError('internal', 'another path connected first');
        }
        won = true;
        for (const other of open) if (other !== conn) other.close('local');
        return { conn, result, attempt };
      } finally {
        open.delete(conn);
        this.#pending.delete(conn);
      }
    });
    let winner: Awaited<(typeof tries)[number]>;
    try {
      winner = await Promise.race([Promise.any(tries), stopped]);
    } catch (err) {
      throw err instanceof AggregateError ? rankFailure(err.errors) : err;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
    const { conn, result, attempt } = winner;
    // Nothing runs between here and onAuthenticated that could let an abort in unnoticed.
    if (signal?.aborted) {
      conn.close('local');
      throw joinCancelled();
    }
    if (this.#closed) {
      conn.close('local');
      throw new ServiceError('internal', 'the service is closing');
    }
    if (result.remoteFingerprint === this.#opts.identity.fingerprint) {
      // Our own invite or address. A session with ourselves made a contact of this node and, as we
      // had "joined" it, a rejoin loop (connected, closed, rejoined…) that never ended.
      conn.close('local');
      throw new ServiceError('bad-input', `${attempt.where} is this node itself: it cannot join itself`);
    }
    this.#opts.onAuthenticated(conn, result, { initiator: true, address: attempt.address, viaInvite });
    return result.remoteFingerprint;
  }

  /**
   * Takes an inbound connection that did not come through the TCP listener (a HyperDHT stream):
   * the responder's handshake within the deadline, at most MAX_CARRIED_HANDSHAKES at once.
   */
  acceptCarried(conn: FramedConnection): void {
    if (this.#closed || this.#carried >= MAX_CARRIED_HANDSHAKES) {
      conn.close('local');
      return;
    }
    this.#carried++;
    this.#respond(conn, Date.now(), () => {
      this.#carried--;
    });
  }

  async #initiate(conn: FramedConnection, where: string, expected: string | null, token: string | null): Promise<HandshakeResult> {
    try {
      return await initiatorHandshake(conn, {
        staticKey: this.#opts.identity,
        name: this.#opts.displayName(),
        // The invite's token goes back to its host in message 3, only after its fp matched.
        extensions: token === null ? this.#opts.extensions() : { ...this.#opts.extensions(), invite: token },
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
    }
  }

  /** Closes handshakes in progress and the listener. */
  async close(): Promise<void> {
    this.#closed = true;
    // Ephemeral keys made ahead for handshakes that will not happen now: zeroed, not left in memory.
    P256_EPHEMERAL_POOL.clear();
    for (const c of this.#pending) c.close('local');
    await this.stopListening();
  }

  #admit(admission: Admission): void {
    if (this.#closed) {
      admission.socket.destroy();
      return;
    }
    const conn = new FramedConnection(admission.socket, 'tcp');
    this.#respond(conn, admission.acceptedAt, () => admission.release(), () => admission.progress());
  }

  #respond(conn: FramedConnection, acceptedAt: number, release: () => void, progress?: () => void): void {
    this.#pending.add(conn);
    const elapsed = Date.now() - acceptedAt;
    responderHandshake(conn, {
      staticKey: this.#opts.identity,
      name: this.#opts.displayName(),
      extensions: this.#opts.extensions(),
      timeoutMs: (this.#opts.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS) - elapsed,
      ...(progress ? { onProgress: progress } : {}),
    }).then(
      (result) => {
        this.#pending.delete(conn);
        release();
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
        release();
        conn.close('protocol-error');
        this.#opts.log(`inbound handshake from ${conn.remoteAddress} failed: ${err instanceof Error ? err.message : String(err)}`);
      },
    );
  }
}

/** Inbound handshakes from carriers other than the TCP listener (which has its own limits) at once. */
export const MAX_CARRIED_HANDSHAKES = 64;

/** Opening a TCP connection to a host, with a timeout and plain-words failures. */
import { connect, type Socket } from 'node:net';

/** How long a TCP connect may take before it counts as timed out. */
export const CONNECT_TIMEOUT_MS = 10_000;

export type DialFailure = 'connect-refused' | 'connect-timeout' | 'connect-unreachable' | 'connect-failed';

/** A failed dial; `code` is the error code the CLI and UI report. */
export class DialError extends Error {
  override name = 'DialError';
  readonly code: DialFailure;
  constructor(code: DialFailure, message: string) {
    super(message);
    this.code = code;
  }
}

/** A dial stopped by its AbortSignal (the user cancelled the join). */
export class DialAborted extends Error {
  override name = 'DialAborted';
}

/**
 * Connects to host:port; rejects with DialError, or DialAborted once `signal` aborts (the socket is
 * destroyed: no connection is left half-open). `localAddress` is for tests and benchmarks.
 */
export function dial(host: string, port: number, options: { timeoutMs?: number; localAddress?: string; signal?: AbortSignal } = {}): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const { signal } = options;
    if (signal?.aborted) {
      reject(new DialAborted(`dialing ${host}:${port} was cancelled`));
      return;
    }
    const socket = connect({ host, port, ...(options.localAddress ? { localAddress: options.localAddress } : {}) });
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    const onAbort = (): void => {
      done();
      socket.destroy();
      reject(new DialAborted(`dialing ${host}:${port} was cancelled`));
    };
    const timer = setTimeout(() => {
      done();
      socket.destroy();
      reject(new DialError('connect-timeout', `no answer from ${host}:${port} within ${Math.round((options.timeoutMs ?? CONNECT_TIMEOUT_MS) / 1000)} s`));
    }, options.timeoutMs ?? CONNECT_TIMEOUT_MS);
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => {
      done();
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      done();
      socket.destroy();
      reject(describe(err, host, port));
    });
  });
}

function describe(err: NodeJS.ErrnoException, host: string, port: number): DialError {
  const where = `${host}:${port}`;
  switch (err.code) {
    case 'ECONNREFUSED':
      return new DialError('connect-refused', `${where} refused the connection: nothing is listening there`);
    case 'ETIMEDOUT':
      return new DialError('connect-timeout', `${where} did not answer in time`);
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EADDRNOTAVAIL':
      return new DialError('connect-unreachable', `${where} cannot be reached from this computer`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new DialError('connect-failed', `the name ${host} could not be resolved`);
    default:
      return new DialError('connect-failed', `could not connect to ${where} (${err.code ?? 'error'})`);
  }
}

/**
 * The host's TCP listener with bounds on purpose (issue: "bounded on purpose"):
 * - at most `maxHandshakes` handshakes in progress (64); more wait in a bounded queue, and when
 *   every slot is taken by a connection that has not sent a single frame for `idleEvictMs`, the
 *   oldest such one is closed to make room, so idle half-open sockets cannot lock peers out;
 * - at most `maxPerAddress` connections (in progress, waiting or established) from one address;
 * - the 10-second handshake deadline is the handshake driver's, counted from accept.
 */
import { createServer, type Server, type Socket } from 'node:net';

export type ListenerLimits = {
  readonly maxHandshakes: number;
  readonly maxQueued: number;
  readonly maxPerAddress: number;
  readonly idleEvictMs: number;
};

export const DEFAULT_LIMITS: ListenerLimits = { maxHandshakes: 64, maxQueued: 256, maxPerAddress: 32, idleEvictMs: 1000 };

/** A slot for one accepted socket; `progress()` after each handshake frame, `release()` when done. */
export type Admission = {
  readonly socket: Socket;
  readonly acceptedAt: number;
  /** Marks that the peer sent a handshake frame (it is no longer idle). */
  progress(): void;
  /** The handshake ended (either way): frees the handshake slot. */
  release(): void;
};

/** Thrown when the port cannot be bound. */
export class ListenError extends Error {
  override name = 'ListenError';
  readonly code: 'port-in-use' | 'bad-input' | 'internal';
  constructor(code: 'port-in-use' | 'bad-input' | 'internal', message: string) {
    super(message);
    this.code = code;
  }
}

type Slot = Admission & { active: boolean; progressed: boolean; released: boolean };

/** A listening socket that hands out admitted connections to `onAdmit`. */
export class Listener {
  readonly #server: Server;
  readonly #limits: ListenerLimits;
  readonly #onAdmit: (admission: Admission) => void;
  readonly #active = new Set<Slot>();
  readonly #queue: Slot[] = [];
  readonly #perAddress = new Map<string, number>();

  private constructor(server: Server, limits: ListenerLimits, onAdmit: (admission: Admission) => void) {
    this.#server = server;
    this.#limits = limits;
    this.#onAdmit = onAdmit;
  }

  /** Binds host:port (port 0 = any free port). Rejects with ListenError('port-in-use') when taken. */
  static listen(host: string, port: number, onAdmit: (admission: Admission) => void, limits: Partial<ListenerLimits> = {}): Promise<Listener> {
    const server = createServer({ pauseOnConnect: true, noDelay: true });
    const listener = new Listener(server, { ...DEFAULT_LIMITS, ...limits }, onAdmit);
    server.on('connection', (socket) => listener.#accept(socket));
    server.maxConnections = 10_000;
    return new Promise((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => {
        if (err.code === 'EADDRINUSE') reject(new ListenError('port-in-use', `port ${port} on ${host} is already in use`));
        else if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND' || err.code === 'EINVAL') {
          reject(new ListenError('bad-input', `cannot listen on ${host}: not an address of this computer`));
        } else if (err.code === 'EACCES') reject(new ListenError('port-in-use', `port ${port} needs privileges this process does not have`));
        else reject(new ListenError('internal', `cannot listen on ${host}:${port} (${err.code ?? err.message})`));
      });
      server.listen({ host, port, exclusive: true }, () => {
        server.removeAllListeners('error');
        server.on('error', () => undefined); // after bind, errors surface per socket
        resolve(listener);
      });
    });
  }

  /** The bound address and port. */
  get address(): { host: string; port: number } {
    const a = this.#server.address();
    if (a === null || typeof a === 'string') return { host: '', port: 0 };
    return { host: a.address, port: a.port };
  }

  /** Handshakes in progress and connections waiting for a slot (for tests and benchmarks). */
  get load(): { active: number; queued: number } {
    return { active: this.#active.size, queued: this.#queue.length };
  }

  /** Stops accepting; established connections are the caller's to close. */
  close(): Promise<void> {
    for (const s of this.#queue.splice(0)) s.socket.destroy();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }

  #accept(socket: Socket): void {
    const address = socket.remoteAddress ?? '?';
    const count = this.#perAddress.get(address) ?? 0;
    if (count >= this.#limits.maxPerAddress) {
      socket.destroy();
      return;
    }
    this.#perAddress.set(address, count + 1);
    socket.once('close', () => {
      const n = (this.#perAddress.get(address) ?? 1) - 1;
      if (n <= 0) this.#perAddress.delete(address);
      else this.#perAddress.set(address, n);
    });
    socket.on('error', () => undefined); // handled by whoever owns the socket; never crash the host
    const slot: Slot = {
      socket,
      acceptedAt: Date.now(),
      active: false,
      progressed: false,
      released: false,
      progress: () => {
        slot.progressed = true;
      },
      release: () => this.#release(slot),
    };
    socket.once('close', () => this.#release(slot));
    if (this.#active.size >= this.#limits.maxHandshakes) this.#evictIdle();
    if (this.#active.size < this.#limits.maxHandshakes) this.#start(slot);
    else if (this.#queue.length < this.#limits.maxQueued) this.#queue.push(slot);
    else socket.destroy();
  }

  #start(slot: Slot): void {
    slot.active = true;
    this.#active.add(slot);
    this.#onAdmit(slot);
  }

  #release(slot: Slot): void {
    if (slot.released) return;
    slot.released = true;
    if (slot.active) this.#active.delete(slot);
    else {
      const i = this.#queue.indexOf(slot);
      if (i >= 0) this.#queue.splice(i, 1);
    }
    while (this.#active.size < this.#limits.maxHandshakes && this.#queue.length > 0) {
      const next = this.#queue.shift() as Slot;
      if (!next.socket.destroyed) this.#start(next);
    }
  }

  // Make room by closing the oldest handshake that has sent nothing for idleEvictMs.
  #evictIdle(): void {
    const now = Date.now();
    for (const slot of this.#active) {
      if (!slot.progressed && now - slot.acceptedAt >= this.#limits.idleEvictMs) {
        slot.socket.destroy();
        this.#release(slot);
        return;
      }
    }
  }
}

/**
 * The host's TCP listener with bounds on purpose (issue: "bounded on purpose"):
 * - at most `maxHandshakes` handshakes in progress (64); more wait in a bounded queue, and when
 *   every slot is taken by a connection that has not sent a single frame for `idleEvictMs`, the
 *   oldest such one is closed to make room, so idle half-open sockets cannot lock peers out;
 * - a waiting connection is watched for its first bytes: one that has sent a whole message 1 goes
 *   before waiting connections that have not, and takes the slot of a silent one (see #makeRoom),
 *   or of one that sent message 1 and has not answered message 2 for `idleEvictMs` (a stall);
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

// maxQueued: a queued connection is a paused socket (a few KB; its bytes wait in the kernel), so
// the queue can hold a burst of 1,000 joiners — a host restarting with many peers coming back —
// instead of refusing most of them (256 sent 680 of 1,000 simultaneous joins away to retry).
export const DEFAULT_LIMITS: ListenerLimits = { maxHandshakes: 64, maxQueued: 1024, maxPerAddress: 32, idleEvictMs: 1000 };

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

type Slot = Admission & {
  active: boolean;
  progressed: boolean;
  /** When message 1 was in hand (so message 2 went out): the peer's turn since. */
  progressedAt: number;
  released: boolean;
  /** While waiting: a complete message-1 frame has arrived (it is held in the socket, unread). */
  ready: boolean;
  /** Stops watching a waiting socket's first bytes (before the handshake takes the socket over). */
  unwatch: (() => void) | null;
};

/** Bytes of a complete message-1 frame: u16be(33) || e (PROTOCOL.md section 2). */
const MESSAGE_1_FRAME = 2 + 33;

/** A listening socket that hands out admitted connections to `onAdmit`. */
export class Listener {
  readonly #server: Server;
  readonly #limits: ListenerLimits;
  readonly #onAdmit: (admission: Admission) => void;
  readonly #active = new Set<Slot>();
  readonly #queue: Slot[] = [];
  readonly #perAddress = new Map<string, number>();
  #evictTimer: NodeJS.Timeout | null = null;

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
    if (this.#evictTimer) clearTimeout(this.#evictTimer);
    this.#evictTimer = null;
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
      progressedAt: 0,
      released: false,
      ready: false,
      unwatch: null,
      progress: () => {
        if (slot.progressed) return;
        slot.progressed = true;
        slot.progressedAt = Date.now();
      },
      release: () => this.#release(slot),
    };
    socket.once('close', () => this.#release(slot));
    if (this.#active.size >= this.#limits.maxHandshakes) this.#evictIdle();
    if (this.#active.size < this.#limits.maxHandshakes) {
      this.#start(slot);
      return;
    }
    // A full queue makes room by dropping its oldest silent member, so a flood of idle sockets
    // cannot keep newcomers out; only when every waiting peer has spoken is the newcomer refused.
    if (this.#queue.length >= this.#limits.maxQueued) {
      const silent = this.#queue.find((s) => !s.ready);
      if (!silent) {
        socket.destroy();
        return;
      }
      silent.socket.destroy();
      this.#release(silent);
    }
    this.#queue.push(slot);
    this.#watchFirstBytes(slot);
    this.#scheduleEviction();
  }

  #start(slot: Slot): void {
    slot.unwatch?.();
    slot.unwatch = null;
    // A ready peer has sent its handshake frame already: it is not silent.
    if (slot.ready) slot.progress();
    slot.active = true;
    this.#active.add(slot);
    this.#onAdmit(slot);
  }

  /**
   * Why: with FIFO waiting alone, 64 silent sockets in the slots and more behind them (from a few
   * addresses, under the per-address limit) kept an honest peer waiting until their 10 s deadlines
   * ran out, and then its own deadline had passed too. So a waiting socket is read until its first
   * frame is complete (at most one chunk, put back unread with unshift for the handshake). A whole
   * message-1 frame marks it ready; any other length can never be a valid message 1 and is closed.
   */
  #watchFirstBytes(slot: Slot): void {
    const { socket } = slot;
    const chunks: Buffer[] = [];
    let got = 0;
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
      got += chunk.length;
      if (got < 2) return;
      const head = chunks.length === 1 ? chunk : Buffer.concat(chunks);
      if (head.readUInt16BE(0) !== MESSAGE_1_FRAME - 2) {
        socket.destroy(); // not a 33-byte message 1: the handshake would abort anyway (section 2)
        return;
      }
      if (got < MESSAGE_1_FRAME) return;
      stop();
      slot.ready = true;
      this.#makeRoom();
    };
    const stop = (): void => {
      socket.removeListener('data', onData);
      socket.pause();
      if (chunks.length > 0) socket.unshift(Buffer.concat(chunks.splice(0)));
    };
    slot.unwatch = stop;
    socket.on('data', onData);
    socket.resume();
  }

  /** Gives ready waiting peers the slots of handshakes that have stayed silent, or stalled, for idleEvictMs. */
  #makeRoom(): void {
    while (this.#queue.some((s) => s.ready) && this.#active.size >= this.#limits.maxHandshakes) {
      if (!this.#evictIdle(true)) break;
    }
    this.#scheduleEviction();
  }

  // While a ready peer waits, come back when the oldest silent or stalled handshake becomes evictable.
  #scheduleEviction(): void {
    if (this.#evictTimer || !this.#queue.some((s) => s.ready)) return;
    let oldest = Infinity;
    for (const slot of this.#active) oldest = Math.min(oldest, slot.progressed ? slot.progressedAt : slot.acceptedAt);
    if (oldest === Infinity) return; // no handshake in progress
    const delay = Math.max(0, oldest + this.#limits.idleEvictMs - Date.now());
    this.#evictTimer = setTimeout(() => {
      this.#evictTimer = null;
      this.#makeRoom();
    }, delay);
    this.#evictTimer.unref();
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
      // Ready peers first (oldest first), then the oldest of the rest.
      const i = Math.max(0, this.#queue.findIndex((s) => s.ready));
      const next = this.#queue.splice(i, 1)[0] as Slot;
      if (!next.socket.destroyed) this.#start(next);
    }
  }

  /**
   * Makes room by closing the oldest handshake that has sent nothing for idleEvictMs; false if none.
   * With `stalled` (only for a waiting peer that has sent its message 1), a handshake whose peer
   * has not answered message 2 within idleEvictMs may go too. Why (security review): message 1 is
   * 35 bytes that anyone can replay without a key or any DH; sockets that sent it and then
   * stalled held all 64 slots for the whole 10 s deadline (two addresses' worth, 32 each) and
   * locked every honest joiner out. An honest initiator answers message 2 within one round trip.
   */
  #evictIdle(stalled = false): boolean {
    const now = Date.now();
    let victim: Slot | null = null;
    for (const slot of this.#active) {
      if (!slot.progressed && now - slot.acceptedAt >= this.#limits.idleEvictMs) {
        victim = slot; // silent ones first: the oldest of them
        break;
      }
      if (stalled && victim === null && slot.progressed && now - slot.progressedAt >= this.#limits.idleEvictMs) victim = slot;
    }
    if (victim === null) return false;
    victim.socket.destroy();
    this.#release(victim);
    return true;
  }
}

/**
 * The host's TCP listener with bounds on purpose (issue: "bounded on purpose"):
 * - at most `maxHandshakes` handshakes in progress (64); more wait in a bounded queue, and when
 *   every slot is taken by a connection that has not sent a single frame for `idleEvictMs`, the
 *   oldest such one is closed to make room, so idle half-open sockets cannot lock peers out;
 * - a waiting connection is watched for its first bytes: one that has sent a whole message 1 goes
 *   before waiting connections that have not, and takes the slot of a silent one (see #makeRoom),
 *   or of one that sent message 1 and has not answered message 2 for `idleEvictMs` (a stall);
 * - at most `maxPerAddress` connections (in progress, waiting or established) from one address;
 *   at that cap a newcomer that sends message 1 displaces the oldest silent one (#onProbation);
 * - the 10-second handshake deadline is the handshake driver's, counted from accept.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { AddressTable } from './address-table.ts';
import { listenError } from './listen-error.ts';
import { watchMessage1 } from './first-frame.ts';

export type ListenerLimits = {
  readonly maxHandshakes: number;
  readonly maxQueued: number;
  readonly maxPerAddress: number;
  readonly idleEvictMs: number;
  /** Newcomers over the per-address cap heard out at once from one address (the oldest makes way). */
  readonly probationPerAddress: number;
};

// maxQueued: a queued connection is a paused socket (a few KB; its bytes wait in the kernel), so
// the queue can hold a burst of 1,000 joiners — a host restarting with many peers coming back —
// instead of refusing most of them (256 sent 680 of 1,000 simultaneous joins away to retry).
export const DEFAULT_LIMITS: ListenerLimits = { maxHandshakes: 64, maxQueued: 1024, maxPerAddress: 32, idleEvictMs: 1000, probationPerAddress: 4 };

/** A slot for one accepted socket; `progress()` after each handshake frame, `release()` when done. */
export type Admission = {
  readonly socket: Socket;
  readonly acceptedAt: number;
  /** Marks that the peer sent a handshake frame (it is no longer idle). */
  progress(): void;
  /** The handshake ended (either way): frees the handshake slot. */
  release(): void;
};

type Slot = Admission & {
  active: boolean;
  progressed: boolean;
  /** When message 1 was in hand (so message 2 went out): the peer's turn since. */
  progressedAt: number;
  released: boolean;
  /** While waiting: a complete message-1 frame has arrived (it is held in the socket, unread). */
  ready: boolean;
  readonly address: string;
  /** Stops watching a waiting socket's first bytes (before the handshake takes the socket over). */
  unwatch: (() => void) | null;
};

/** A listening socket that hands out admitted connections to `onAdmit`. */
export class Listener {
  readonly #server: Server;
  readonly #limits: ListenerLimits;
  readonly #onAdmit: (admission: Admission) => void;
  readonly #active = new Set<Slot>();
  readonly #queue: Slot[] = [];
  /** Open connections (in progress, waiting or established) per remote address, oldest first. */
  readonly #open = new AddressTable<Slot>();
  /** Newcomers over the per-address cap, not yet admitted, per address, oldest first. */
  readonly #probation = new AddressTable<Socket>();
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
      server.once('error', (err: NodeJS.ErrnoException) => reject(listenError(err, host, port)));
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
    for (const socket of this.#probation.drain()) socket.destroy();
    // Established connections go on; server.close's callback would wait for all of them to end.
    this.#server.close();
    return new Promise((resolve) => setImmediate(resolve));
  }

  #accept(socket: Socket): void {
    socket.on('error', () => undefined); // handled by whoever owns the socket; never crash the host
    const address = socket.remoteAddress ?? '?';
    if (this.#open.count(address) >= this.#limits.maxPerAddress) this.#onProbation(socket, address);
    else this.#admit(socket, address, false);
  }

  /**
   * A newcomer over the per-address cap. Why (issue 11): resetting it let half-open sockets from
   * one address (a busy NAT, one office) lock out a legitimate peer behind that address. It is read
   * for at most idleEvictMs; a whole message 1 displaces the oldest connection from its address
   * that has sent none, and takes its place. With none silent it is refused, as before. At most
   * probationPerAddress wait per address; more push out the oldest (still silent) of them.
   */
  #onProbation(socket: Socket, address: string): void {
    if (this.#oldestSilent(address) === null) {
      socket.destroy();
      return;
    }
    const oldest = this.#probation.count(address) >= this.#limits.probationPerAddress ? this.#probation.oldest(address) : null;
    if (oldest) {
      this.#probation.remove(address, oldest);
      oldest.destroy();
    }
    this.#probation.add(address, socket);
    const deadline = setTimeout(() => socket.destroy(), this.#limits.idleEvictMs);
    deadline.unref();
    const leave = (): void => {
      clearTimeout(deadline);
      this.#probation.remove(address, socket);
    };
    socket.once('close', leave);
    watchMessage1(socket, () => {
      leave();
      socket.removeListener('close', leave);
      const victim = this.#oldestSilent(address);
      if (victim === null) {
        socket.destroy();
        return;
      }
      this.#evict(victim);
      this.#admit(socket, address, true);
    });
  }

  /** The oldest connection from `address` that has not sent message 1 (and is not closing), or null. */
  #oldestSilent(address: string): Slot | null {
    return this.#open.oldest(address, (s) => !s.socket.destroyed && !s.progressed && !s.ready && !s.released);
  }

  /** Closes a slot's connection now, and stops counting it against its address at once. */
  #evict(slot: Slot): void {
    slot.socket.destroy();
    this.#release(slot);
    this.#open.remove(slot.address, slot);
  }

  /** Takes an accepted connection in; `ready` if its message 1 is already in hand (put back unread). */
  #admit(socket: Socket, address: string, ready: boolean): void {
    const slot: Slot = {
      socket,
      acceptedAt: Date.now(),
      active: false,
      progressed: false,
      progressedAt: 0,
      released: false,
      ready,
      address,
      unwatch: null,
      progress: () => {
        if (slot.progressed) return;
        slot.progressed = true;
        slot.progressedAt = Date.now();
      },
      release: () => this.#release(slot),
    };
    this.#open.add(address, slot);
    socket.once('close', () => {
      this.#release(slot);
      this.#open.remove(address, slot);
    });
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
        this.#evict(slot);
        return;
      }
      this.#evict(silent);
    }
    this.#queue.push(slot);
    if (ready) this.#makeRoom();
    else this.#watchFirstBytes(slot);
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
    slot.unwatch = watchMessage1(slot.socket, () => {
      slot.ready = true;
      this.#makeRoom();
    });
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

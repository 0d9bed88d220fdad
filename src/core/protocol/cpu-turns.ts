/**
 * Turns on the event loop for CPU-heavy steps (the handshake's DH operations, ~0.2 ms each).
 *
 * A host that many peers join at once receives their handshake messages in bursts: every socket
 * that became readable in one poll phase ran its step before the loop could do anything else, so
 * 64 handshakes in progress (the listener's bound) could hold the loop for tens of milliseconds —
 * no timers, no keepalives, and in Electron no IPC. Steps now ask for a turn: turns are granted in
 * arrival order until SLICE_MS of work ran since the slice began, and the rest wait for the next
 * turn of the loop (setImmediate), so timers and I/O run between slices. Uncontended, a turn costs
 * one microtask.
 */

/** Work per slice before the loop gets a turn (ms). Small beside the 20 ms a UI frame may wait. */
export const SLICE_MS = 4;

const waiting: (() => void)[] = [];
const RESOLVED = Promise.resolve();
let sliceStart = -1; // performance.now() when the current slice began; -1 between slices
let tickScheduled = false;

/** Resolves when the caller may run its CPU-heavy step (at once when there is room in the slice). */
export function cpuTurn(): Promise<void> {
  if (waiting.length === 0 && roomInSlice()) return RESOLVED;
  return new Promise((resolve) => {
    waiting.push(resolve);
    scheduleTick();
  });
}

/** Starts a slice if none runs (ending it at the next turn of the loop); true while it has room. */
function roomInSlice(): boolean {
  const now = performance.now();
  if (sliceStart < 0) {
    sliceStart = now;
    scheduleTick();
    return true;
  }
  return now - sliceStart < SLICE_MS;
}

function scheduleTick(): void {
  if (tickScheduled) return;
  tickScheduled = true;
  setImmediate(tick);
}

// A new turn of the loop: the previous slice is over; waiting steps start a new one.
function tick(): void {
  tickScheduled = false;
  sliceStart = -1;
  grant();
}

// Grants one waiting step, then checks again once that step's synchronous part has run (the
// microtask queued here runs after the continuation that resolve() queued before it).
function grant(): void {
  if (waiting.length === 0) return;
  if (!roomInSlice()) {
    scheduleTick();
    return;
  }
  (waiting.shift() as () => void)();
  queueMicrotask(grant);
}

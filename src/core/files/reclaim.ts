/**
 * Frees the garbage a transfer makes as it goes, so a file of any size costs a few MiB of RSS.
 *
 * Every 64 KiB chunk leaves fresh buffers behind that no API lets us reuse: node:crypto's update()
 * always returns a new buffer (there is no encrypt-into or decrypt-into), and each socket read is
 * a new 64 KiB buffer. V8 counts them as external memory and, as long as they are all the heap
 * sees, collects them only once ~64 MiB have piled up (its external-memory limit): RSS rose by
 * +27 to +49 MiB during any transfer, and a loop that only decrypts 1 GiB of 64 KiB frames grows
 * by ~73 MiB. These buffers die young, so a minor GC (a scavenge of the young generation, ~0.2 ms)
 * every RECLAIM_EVERY bytes frees them early: the same loop then grows by ~16 MiB and runs about
 * twice as fast (the memory is reused while still in cache instead of faulted in again).
 *
 * V8 offers gc() only with --expose-gc; the flag is set at run time and the function taken from a
 * fresh context (what jest's leak detector does). Where that fails this does nothing.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * File bytes (sent or received, all transfers of the process together) between two minor GCs: at 2
 * MiB, the garbage between two GCs (socket reads, cipher output) was ~5 MiB of a receiver's RSS.
 */
export const RECLAIM_EVERY = 1024 * 1024;

type Gc = (options: { type: 'minor'; execution: 'sync' }) => void;

let gc: Gc | null | undefined;
let since = 0;

function resolveGc(): Gc | null {
  try {
    setFlagsFromString('--expose-gc');
    const f: unknown = runInNewContext('typeof gc === "function" ? gc : null');
    return typeof f === 'function' ? (f as Gc) : null;
  } catch {
    return null;
  }
}

/** Counts `bytes` of a chunk sent or received; runs a minor GC once RECLAIM_EVERY have passed since the last. */
export function reclaimAfter(bytes: number): void {
  since += bytes;
  if (since < RECLAIM_EVERY) return;
  since = 0;
  gc ??= resolveGc();
  gc?.({ type: 'minor', execution: 'sync' });
}

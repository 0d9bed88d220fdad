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
 *
 * While file bytes flow, the young generation is also held at its size. Why: V8 doubles it once
 * the bytes that survived scavenges since its last growth exceed its size, and each of these
 * forced scavenges finds a few KB of chunks in flight, so a long transfer grew it step by step to
 * its maximum, and RSS with it: +18–19 MiB for a 4 GiB file on the sender, +11–13 with the size held
 * (bench P10 run with a 4 GiB file). V8 reads `--semi-space-growth-factor` at each growth, so 1
 * holds the size; its default, 2, is back once no reclaim GC has run for RELEASE_AFTER_MS.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * File bytes (sent or received, all transfers of the process together) between two minor GCs: at 2
 * MiB, the garbage between two GCs (socket reads, cipher output) was ~5 MiB of a receiver's RSS.
 */
export const RECLAIM_EVERY = 1024 * 1024;

/** Milliseconds without a reclaim GC after which the young generation may grow again. */
export const RELEASE_AFTER_MS = 2000;
/** V8's default `--semi-space-growth-factor` (`node --v8-options`). */
const DEFAULT_GROWTH_FACTOR = 2;

type Gc = (options: { type: 'minor'; execution: 'sync' }) => void;

let gc: Gc | null | undefined;
let since = 0;
let release: NodeJS.Timeout | null = null;

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
  // Held from the scavenges that make it grow (once a MiB, not on every chunk's hot path).
  holdYoungGeneration();
  gc ??= resolveGc();
  gc?.({ type: 'minor', execution: 'sync' });
}

/** True while the young generation is held at its size (a reclaim GC ran in the last RELEASE_AFTER_MS). */
export function youngGenerationHeld(): boolean {
  return release !== null;
}

function holdYoungGeneration(): void {
  if (release !== null) {
    release.refresh();
    return;
  }
  if (!setGrowthFactor(1)) return;
  release = setTimeout(() => {
    release = null;
    setGrowthFactor(DEFAULT_GROWTH_FACTOR);
  }, RELEASE_AFTER_MS);
  release.unref();
}

function setGrowthFactor(factor: number): boolean {
  try {
    setFlagsFromString(`--semi-space-growth-factor=${factor}`);
    return true;
  } catch {
    return false;
  }
}

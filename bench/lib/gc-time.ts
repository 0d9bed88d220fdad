/**
 * GC pause time of one stretch of work in this process (C1.gc/C2.gc: P1's tail is scavenges in
 * either process, BENCHMARKS.md). A scavenge collects whatever the young generation holds, so a
 * measurement starts from an empty young generation (a forced scavenge, not counted) and ends with
 * another (counted) that collects what the work left; in between, V8 collects as it would. Not a
 * full collection at the start: V8 then shrinks the young generation, and the first scavenge after
 * it paid 12–16 ms to grow it again (measured), whatever the work.
 *
 * The pauses come from V8's GC callbacks through `v8.GCProfiler`, which reports each collection's
 * cost (µs) synchronously when stopped — a PerformanceObserver's entries arrive a turn later.
 * Forcing a collection needs `--expose-gc`; the bench's processes are started by npm and `fork()`
 * without it, so the flag is set at run time and `gc` taken from a new context, where V8 installs it.
 */
import { GCProfiler, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type Collect = (options: { type: 'minor'; execution: 'sync' }) => void;

let collect: Collect | null = null;

function scavenge(): void {
  if (collect === null) {
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as Collect;
  }
  collect({ type: 'minor', execution: 'sync' });
}

/** A running measurement; `stop()` forces a scavenge and returns the GC pauses since the start, in µs. */
export type GcMeter = { stop(): number };

export function startGcMeter(): GcMeter {
  scavenge();
  const profiler = new GCProfiler();
  profiler.start();
  return {
    stop() {
      scavenge();
      let micros = 0;
      for (const s of profiler.stop()?.statistics ?? []) micros += s.cost;
      return micros;
    },
  };
}

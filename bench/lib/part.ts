/** What every group of figures gets from the runner, and how it bounds its own time. */
import type { FigureResult } from './report.ts';
import type { TlsFixture } from './tls-fixture.ts';

/** The runner's context for one part. */
export type PartContext = {
  readonly quick: boolean;
  /** performance.now() by which the part must be done sampling (it then reports what it has). */
  readonly deadline: number;
  readonly tls: TlsFixture;
  /** A scratch directory for this run (removed at the end). */
  readonly tmp: string;
  /** Progress for the human watching (stderr). */
  readonly log: (line: string) => void;
};

/** A group of figures. */
export type Part = {
  readonly name: string;
  /** Seconds the part may take: [quick, full]. Sampling stops at the deadline; the runner abandons the part at 1.5×. */
  readonly budget: readonly [number, number];
  readonly run: (ctx: PartContext) => Promise<FigureResult[]>;
};

/** True while there is time left and fewer than `max` samples were taken (always at least `min`). */
export function keepSampling(ctx: PartContext, taken: number, min: number, max: number): boolean {
  if (taken < min) return true;
  return taken < max && performance.now() < ctx.deadline;
}

/** Sleeps. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

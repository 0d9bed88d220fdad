/** Order statistics for benchmark samples: medians and spread, never means alone. */

/** A summary of samples (same unit as the samples). */
export type Summary = {
  readonly n: number;
  readonly min: number;
  readonly p25: number;
  readonly median: number;
  readonly p75: number;
  readonly p99: number;
  readonly max: number;
};

/** The q-quantile (0..1) of sorted samples, by linear interpolation between closest ranks. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (b - a) * (pos - lo);
}

/** Summarises samples; throws RangeError on an empty list (a figure without samples is a bug). */
export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) throw new RangeError('summarize: samples is empty');
  const s = [...samples].sort((x, y) => x - y);
  return {
    n: s.length,
    min: s[0] as number,
    p25: quantile(s, 0.25),
    median: quantile(s, 0.5),
    p75: quantile(s, 0.75),
    p99: quantile(s, 0.99),
    max: s[s.length - 1] as number,
  };
}

/** "IQR a–b, n=N" for the printed table. */
export function spreadText(s: Summary, digits = 2): string {
  return `IQR ${fmt(s.p25, digits)}–${fmt(s.p75, digits)}, n=${s.n}`;
}

/** A number with a sensible number of significant digits. */
export function fmt(x: number, digits = 2): string {
  if (!Number.isFinite(x)) return String(x);
  const abs = Math.abs(x);
  if (abs >= 1000) return Math.round(x).toLocaleString('en-US');
  if (abs >= 100) return x.toFixed(Math.max(0, digits - 2));
  if (abs >= 10) return x.toFixed(Math.max(0, digits - 1));
  return x.toFixed(digits);
}

/** CPU time of this process in microseconds (user + system). */
export function cpuMicros(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

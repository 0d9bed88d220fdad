/**
 * The layout behind VirtualList, in plain arrays outside Vue's reactivity: row keys, measured heights by key
 * (an estimate until measured), and offsets (offsets[i] = top of row i, offsets[n] = total height).
 * Adding rows in front or at the end costs no hash lookups for the rows already laid out, so paging through
 * 100,000 rows stays cheap.
 */

/** A row's identity: the same key keeps its measured height across re-layouts. */
export type RowKey = string | number;

/** The layout of a list of rows. */
export type RowLayout = {
  readonly count: () => number;
  readonly keyAt: (index: number) => RowKey | undefined;
  /** Top of row `index`; top(count()) is the total height. */
  readonly top: (index: number) => number;
  /** The row covering y, clamped to the rows that exist (0 when there are none). */
  readonly indexAt: (y: number) => number;
  /** Where `key` is now, trying the likely indexes first. */
  readonly find: (key: RowKey, guesses: readonly number[]) => number;
  readonly reset: (keys: readonly RowKey[]) => void;
  readonly prepend: (keys: readonly RowKey[]) => void;
  readonly append: (keys: readonly RowKey[]) => void;
  /** True once row `index` has a measured height. */
  readonly measured: (index: number) => boolean;
  /** Records a measured height; returns true when it differs from what the layout assumed. */
  readonly measure: (index: number, height: number) => boolean;
  /** Recomputes offsets from `index` on (after measure). */
  readonly reflowFrom: (index: number) => void;
};

/** A new, empty layout; `estimate` gives the height assumed for rows not measured yet. */
export function createRowLayout(estimate: () => number): RowLayout {
  const heights = new Map<RowKey, number>();
  let keys: RowKey[] = [];
  let offsets = new Float64Array(1);

  const top = (i: number): number => offsets[i] ?? 0;

  // Lays out keys[from..] starting at y into o; returns the bottom.
  function layOut(o: Float64Array, ks: readonly RowKey[], from: number, to: number, at: number, y0: number): number {
    const est = estimate();
    let y = y0;
    for (let i = from; i < to; i++) {
      o[at + i - from] = y;
      y += heights.get(ks[i] as RowKey) ?? est;
    }
    return y;
  }

  return {
    count: () => keys.length,
    keyAt: (i) => keys[i],
    top,
    indexAt(y) {
      let lo = 0;
      let hi = keys.length - 1;
      if (hi < 0) return 0;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (top(mid) <= y) lo = mid;
        else hi = mid - 1;
      }
      return lo;
    },
    find(key, guesses) {
      for (const g of guesses) if (keys[g] === key) return g;
      return keys.indexOf(key);
    },
    reset(ks) {
      keys = [...ks];
      offsets = new Float64Array(keys.length + 1);
      offsets[keys.length] = layOut(offsets, keys, 0, keys.length, 0, 0);
    },
    prepend(ks) {
      const o = new Float64Array(keys.length + ks.length + 1);
      const shift = layOut(o, ks, 0, ks.length, 0, 0);
      for (let i = 0; i <= keys.length; i++) o[ks.length + i] = top(i) + shift;
      keys = (ks as RowKey[]).concat(keys);
      offsets = o;
    },
    append(ks) {
      const n = keys.length;
      const o = new Float64Array(n + ks.length + 1);
      o.set(offsets.subarray(0, n + 1));
      o[n + ks.length] = layOut(o, ks, 0, ks.length, n, top(n));
      keys = keys.concat(ks);
      offsets = o;
    },
    measured: (i) => keys[i] !== undefined && heights.has(keys[i] as RowKey),
    measure(index, height) {
      const key = keys[index];
      if (key === undefined || !(height > 0)) return false;
      heights.set(key, height);
      return Math.abs(top(index + 1) - top(index) - height) > 0.5;
    },
    reflowFrom(index) {
      offsets[keys.length] = layOut(offsets, keys, index, keys.length, index, top(index));
    },
  };
}

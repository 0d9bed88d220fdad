/** Figures as `npm run bench` prints them and as bench/results.json records them (issue 5's shape). */
import { writeFileSync } from 'node:fs';
import { fmt } from './stats.ts';

/** One figure exactly as results.json holds it: the ratio is value / baseline where there is a baseline. */
export type Figure = {
  readonly id: string;
  readonly name: string;
  /** Null only when the figure could not be measured in this run (see `note`). */
  readonly value: number | null;
  readonly unit: string;
  readonly baseline: number | null;
  readonly ratio: number | null;
  readonly goal: string;
};

/** A figure with what only the printed table shows: the spread, whether the goal was met, a note. */
export type FigureResult = Figure & {
  readonly spread: string;
  readonly baselineName: string;
  readonly met: boolean | null;
  readonly note: string;
};

/** How a goal is judged: on the value or on the ratio. */
export type Goal = { readonly text: string; readonly on: 'value' | 'ratio'; readonly max?: number; readonly min?: number; readonly strict?: boolean };

/** Builds a figure; `ratio` and `met` are computed here so every part computes them the same way. */
export function figure(f: {
  id: string;
  name: string;
  value: number | null;
  unit: string;
  baseline?: number | null;
  baselineName?: string;
  goal?: Goal | null;
  spread?: string;
  note?: string;
}): FigureResult {
  const baseline = f.baseline ?? null;
  const ratio = f.value !== null && baseline !== null && baseline !== 0 ? round(f.value / baseline, 3) : null;
  const g = f.goal ?? null;
  let met: boolean | null = null;
  if (g !== null && f.value !== null) {
    const x = g.on === 'ratio' ? ratio : f.value;
    if (x !== null) {
      met = true;
      if (g.max !== undefined) met &&= g.strict ? x < g.max : x <= g.max;
      if (g.min !== undefined) met &&= g.strict ? x > g.min : x >= g.min;
    }
  }
  return {
    id: f.id,
    name: f.name,
    value: f.value === null ? null : round(f.value, 4),
    unit: f.unit,
    baseline: baseline === null ? null : round(baseline, 4),
    ratio,
    goal: g?.text ?? '—',
    spread: f.spread ?? '',
    baselineName: f.baselineName ?? '',
    met,
    note: f.note ?? '',
  };
}

/** A figure that could not be measured, with the reason. */
export function pending(id: string, name: string, unit: string, goal: Goal | null, reason: string): FigureResult {
  return figure({ id, name, value: null, unit, goal, note: `pending: ${reason}` });
}

function round(x: number, significant: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  const digits = Math.max(0, significant - Math.floor(Math.log10(Math.abs(x))) - 1);
  return Number(x.toFixed(Math.min(digits, 9)));
}

/** The table: id, figure, value (with spread), baseline, ratio, goal, met. */
export function formatTable(figures: readonly FigureResult[]): string {
  const rows = figures.map((f) => [
    f.id,
    f.name,
    f.value === null ? 'pending' : `${fmt(f.value, 3)} ${f.unit}${f.spread ? ` (${f.spread})` : ''}`,
    f.baseline === null ? '—' : `${fmt(f.baseline, 3)} ${f.unit}${f.baselineName ? ` (${f.baselineName})` : ''}`,
    f.ratio === null ? '—' : f.ratio.toFixed(2),
    f.goal,
    f.met === null ? (f.value === null ? 'pending' : '—') : f.met ? 'yes' : 'NO',
  ]);
  const head = ['id', 'figure', 'value', 'baseline', 'ratio', 'goal', 'met?'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => c.padEnd(widths[i] as number)).join('  ').trimEnd();
  const out = [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
  const notes = figures.filter((f) => f.note).map((f) => `  ${f.id}: ${f.note}`);
  if (notes.length > 0) out.push('', 'notes:', ...notes);
  return out.join('\n');
}

/** The same table as GitHub Markdown (for BENCHMARKS.md). */
export function formatMarkdown(figures: readonly FigureResult[]): string {
  const esc = (s: string): string => s.replaceAll('|', '\\|');
  const rows = figures.map(
    (f) =>
      `| ${f.id} | ${esc(f.name)} | ${f.value === null ? 'pending' : `${fmt(f.value, 3)} ${f.unit}`} | ${esc(f.spread)} | ${
        f.baseline === null ? '—' : `${fmt(f.baseline, 3)} ${f.unit}${f.baselineName ? ` (${f.baselineName})` : ''}`
      } | ${f.ratio === null ? '—' : f.ratio.toFixed(2)} | ${esc(f.goal)} | ${f.met === null ? '—' : f.met ? 'yes' : '**no**'} |`,
  );
  return ['| id | figure | value | spread | baseline | ratio | goal | met? |', '|---|---|---|---|---|---|---|---|', ...rows].join('\n');
}

/** Writes results.json in exactly the issue's shape (the table's extras stay out of it). */
export function writeResults(path: string, machine: Record<string, unknown>, figures: readonly FigureResult[]): void {
  const plain: Figure[] = figures.map((f) => ({
    id: f.id,
    name: f.name,
    value: f.value,
    unit: f.unit,
    baseline: f.baseline,
    ratio: f.ratio,
    goal: f.goal,
  }));
  writeFileSync(path, `${JSON.stringify({ machine, figures: plain }, null, 2)}\n`);
}

/**
 * `npm run bench [-- --quick] [-- --only P1,P4]`: Parley's figures beside baselines measured in the
 * same run (issue 5, and issue 2's handshake and seal/open figures as C1–C6). Prints a table and
 * writes bench/results.json. Every part bounds its own time; see BENCHMARKS.md for what limits each.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpus } from 'node:os';
import { describeMachine, loadAverage } from './lib/machine.ts';
import type { Part } from './lib/part.ts';
import { formatMarkdown, formatTable, pending, writeResults, type FigureResult } from './lib/report.ts';
import { killAllPeers } from './lib/rpc.ts';
import { makeTlsFixture } from './lib/tls-fixture.ts';
import { channelPart } from './parts/channel.ts';
import { deliveryPart } from './parts/delivery.ts';
import { filesPart } from './parts/files.ts';
import { dhtPart } from './parts/dht.ts';
import { handshakePart } from './parts/handshake.ts';
import { historyPart } from './parts/history.ts';
import { joinsPart } from './parts/joins.ts';
import { peerStartPart } from './parts/peer-start.ts';
import { rendererPart } from './parts/renderer.ts';
import { sealOpenPart } from './parts/seal-open.ts';

const CHROMIUM = process.env['PARLEY_CHROMIUM'] ?? '/usr/bin/chromium';
/** Seconds the whole run may take: [--quick, full] (issue 5: under 3 and under 10 minutes). */
const RUN_LIMIT_S = [170, 580] as const;

const PARTS: readonly (Part & { ids: readonly string[] })[] = [
  { ...handshakePart, ids: ['P1', 'C1', 'C2'] },
  { ...channelPart, ids: ['P2', 'P3'] },
  { ...sealOpenPart, ids: ['C3', 'C4', 'C5', 'C6'] },
  { ...deliveryPart, ids: ['P4'] },
  { ...joinsPart, ids: ['P5'] },
  { ...historyPart, ids: ['P6'] },
  { ...rendererPart(CHROMIUM), ids: ['P7'] },
  { ...peerStartPart, ids: ['P8'] },
  { ...filesPart, ids: ['P10', 'P10.rss', 'P10.rtt'] },
  { ...dhtPart, ids: ['P9'] },
];

async function main(argv: readonly string[]): Promise<void> {
  const quick = argv.includes('--quick');
  const onlyArg = argv.find((a) => a.startsWith('--only'));
  const only = onlyArg ? (onlyArg.includes('=') ? onlyArg.split('=')[1] : argv[argv.indexOf(onlyArg) + 1])?.split(',') : null;
  const markdown = argv.includes('--markdown');
  const parts = PARTS.filter((p) => !only || p.ids.some((id) => only.includes(id)));
  const tmp = mkdtempSync(join(tmpdir(), 'parley-bench-'));
  const started = performance.now();
  const log = (line: string): void => void process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(0).padStart(3)} s] ${line}\n`);
  const figures: FigureResult[] = [];
  const loadAtStart = loadAverage();
  if (loadAtStart > cpus().length / 2) log(`warning: load average ${loadAtStart} on ${cpus().length} cores — other work will skew the figures`);
  try {
    const tls = makeTlsFixture(tmp);
    for (const part of parts) {
      // The whole run stays under 3 minutes (--quick) or 10 (full): a part gets its own budget, or
      // less when the run's time is running out, and is skipped when too little is left.
      const left = started + RUN_LIMIT_S[quick ? 0 : 1] * 1000 - performance.now();
      if (left < 10_000) {
        log(`${part.name}: skipped, the run's time is up`);
        for (const id of part.ids) figures.push(pending(id, part.name, '', null, "skipped: the run's time limit was reached"));
        continue;
      }
      const budgetMs = Math.min((quick ? part.budget[0] : part.budget[1]) * 1000, left / 1.5);
      const abandonMs = Math.min(1.5 * budgetMs, left);
      log(`${part.name}: up to ${(budgetMs / 1000).toFixed(0)} s`);
      const t0 = performance.now();
      let timer: NodeJS.Timeout | undefined;
      const abandon = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`did not finish within ${(abandonMs / 1000).toFixed(0)} s`)), abandonMs);
      });
      try {
        figures.push(...(await Promise.race([part.run({ quick, deadline: t0 + budgetMs, tls, tmp, log }), abandon])));
      } catch (err) {
        killAllPeers();
        const reason = err instanceof Error ? err.message : String(err);
        log(`${part.name} failed: ${reason}`);
        for (const id of part.ids) figures.push(pending(id, part.name, '', null, `the part failed: ${reason.split('\n')[0]}`));
      } finally {
        clearTimeout(timer);
      }
      log(`${part.name}: done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  const machine = {
    ...describeMachine(CHROMIUM),
    mode: quick ? 'quick' : 'full',
    seconds: Math.round((performance.now() - started) / 1000),
    loadAverage: { start: loadAtStart, end: loadAverage() },
  };
  process.stdout.write(`\n${formatTable(figures)}\n`);
  if (markdown) process.stdout.write(`\n${formatMarkdown(figures)}\n`);
  const out = fileURLToPath(new URL('./results.json', import.meta.url));
  writeResults(out, machine, figures);
  log(`wrote ${out}`);
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (err: unknown) => {
    killAllPeers();
    process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);

/**
 * Run as a child process by tests/unit/files/reclaim.test.ts, so that V8's young generation starts
 * at its initial size: the same scavenges with a few KB surviving each, first through reclaimAfter
 * (file bytes flowing: the young generation is held), then, once released, through a bare minor GC.
 * Prints the young generation's size before and after each phase as one JSON line.
 */
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { RECLAIM_EVERY, RELEASE_AFTER_MS, reclaimAfter, youngGenerationHeld } from '../../src/core/files/reclaim.ts';

const ROUNDS = 300;
const youngSize = (): number => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? -1;

// Objects that live across two scavenges, as chunks in flight do: ~64 KB of small objects a round.
let inFlight: object[][] = [];
function round(scavenge: () => void): void {
  inFlight.push(Array.from({ length: 1000 }, (_, i) => ({ i, at: [i, i + 1, i + 2] })));
  if (inFlight.length > 2) inFlight = inFlight.slice(-2);
  scavenge();
}

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as (o: { type: 'minor'; execution: 'sync' }) => void;
// V8's first scavenge doubles the young generation whatever the growth factor (1 MB → 2 MB, also
// with --semi-space-growth-factor=1 on the command line): taken before anything is measured.
gc({ type: 'minor', execution: 'sync' });

const held = { before: youngSize(), after: 0, heldDuring: false };
for (let i = 0; i < ROUNDS; i++) round(() => reclaimAfter(RECLAIM_EVERY));
held.after = youngSize();
held.heldDuring = youngGenerationHeld();

await new Promise((r) => setTimeout(r, RELEASE_AFTER_MS + 200));
const released = { before: youngSize(), after: 0, heldBefore: youngGenerationHeld() };
for (let i = 0; i < ROUNDS; i++) round(() => gc({ type: 'minor', execution: 'sync' }));
released.after = youngSize();

process.stdout.write(`${JSON.stringify({ held, released })}\n`);

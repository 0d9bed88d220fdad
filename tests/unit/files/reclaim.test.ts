/**
 * reclaim.ts: a minor GC after every RECLAIM_EVERY bytes of chunks, so the buffers node:crypto and
 * the socket leave per chunk are freed early. Seen through process.memoryUsage().arrayBuffers:
 * buffers dropped young are freed by the reclaim's GC (V8 would keep them until tens of MiB pile
 * up), and not before the count is reached. And while file bytes flow, V8's young generation keeps
 * its size (seen in a fresh process: young-generation-check.ts).
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { RECLAIM_EVERY, reclaimAfter } from '../../../src/core/files/reclaim.ts';

const MiB = 1024 * 1024;

/** Allocates and drops `n` MiB of buffers, as frames do. */
function litter(n: number): void {
  for (let i = 0; i < n; i++) Buffer.allocUnsafeSlow(MiB).fill(i);
}

/** Buffer memory above `base`, in MiB, once V8's sweeper (which frees them beside the GC) has had `ms` to run. */
async function heldAfter(base: number, ms: number): Promise<number> {
  await sleep(ms);
  return (process.memoryUsage().arrayBuffers - base) / MiB;
}

describe('reclaimAfter', () => {
  it('frees dropped buffers once RECLAIM_EVERY bytes have passed, not before', async () => {
    reclaimAfter(RECLAIM_EVERY); // the count starts at zero (and gc is resolved once)
    const base = process.memoryUsage().arrayBuffers;
    litter(24);
    reclaimAfter(RECLAIM_EVERY - 1);
    expect(await heldAfter(base, 100)).toBeGreaterThan(20); // the 24 MiB (give or take what the worker frees meanwhile)
    reclaimAfter(1);
    let held = Infinity;
    for (let i = 0; i < 20 && held >= 4; i++) held = await heldAfter(base, 50);
    expect(held).toBeLessThan(4);
  });
});

describe('the young generation while file bytes flow', () => {
  it('keeps its size through the reclaim GCs, and grows again through the same scavenges once released', () => {
    const script = join(import.meta.dirname, '..', '..', 'helpers', 'young-generation-check.ts');
    const out = execFileSync(process.execPath, ['--experimental-strip-types', '--no-warnings=ExperimentalWarning', script], { encoding: 'utf8', timeout: 20_000 });
    const { held, released } = JSON.parse(out) as { held: { before: number; after: number; heldDuring: boolean }; released: { before: number; after: number; heldBefore: boolean } };
    expect(held.after).toBe(held.before);
    expect(held.heldDuring).toBe(true);
    // The control: the same rounds grow it once nothing holds it, so the check above can fail.
    expect(released.heldBefore).toBe(false);
    expect(released.after).toBeGreaterThan(released.before);
  }, 30_000);
});

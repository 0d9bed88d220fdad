/**
 * The check that follows every attack in the adversarial tests: a legitimate peer still connects
 * to the host at once (within a tight bound) and talks, and nothing forged reached the history.
 */
import { expect } from 'vitest';
import type { HostingDto } from '../../src/shared/dto.ts';
import { startNode, type TestNode } from './services.ts';

/** How fast a legitimate peer must be connected while an attack goes on (generous for a loaded CI box, tight next to the 10 s deadline). */
export const CONNECT_BOUND_MS = 2000;

let counter = 0;

/** Fails after `ms` unless `p` settles first. */
async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} not within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, bound]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A legitimate peer for one host. `talk()` opens a new connection (a new TCP connection and a
 * full handshake, by invite), sends a message each way, waits for both and disconnects; it
 * returns the two message ids. The identity is kept between calls, which saves creating a data
 * directory per check; every check is still a fresh connection.
 */
export type LegitPeer = { readonly node: TestNode; talk(): Promise<string[]> };

/** Creates a legitimate peer for `host` (closed by cleanupNodes). */
export async function legitPeer(host: TestNode, hosting: HostingDto): Promise<LegitPeer> {
  const node = await startNode(`legit-${++counter}`, { autoReconnect: false });
  return {
    node,
    async talk() {
      const start = Date.now();
      await within(node.service.join(hosting.invite), CONNECT_BOUND_MS, 'a legitimate peer connected');
      expect(Date.now() - start).toBeLessThan(CONNECT_BOUND_MS);
      const up = node.service.send(host.fingerprint, 'legit up');
      await host.waitFor('message', (e) => e.message.id === up.id, { timeoutMs: CONNECT_BOUND_MS });
      const down = host.service.send(node.fingerprint, 'legit down');
      await node.waitFor('message', (e) => e.message.id === down.id, { timeoutMs: CONNECT_BOUND_MS });
      await node.waitFor('message-state', (e) => e.id === up.id && e.state === 'delivered', { timeoutMs: CONNECT_BOUND_MS });
      await host.waitFor('message-state', (e) => e.id === down.id && e.state === 'delivered', { timeoutMs: CONNECT_BOUND_MS });
      const mark = host.mark();
      node.service.disconnect(host.fingerprint);
      await host.waitFor('disconnected', (e) => e.peer === node.fingerprint, { since: mark });
      return [up.id, down.id];
    },
  };
}

/** Every message in the host's history is one of `allowed` (nothing forged was stored). */
export function expectOnlyLegitHistory(host: TestNode, allowed: ReadonlySet<string>): void {
  for (const c of host.service.contacts()) {
    for (const m of host.service.history(c.fingerprint, { before: null, limit: 1000 })) {
      expect(allowed.has(m.id), `unexpected message ${JSON.stringify(m.text.slice(0, 40))} from ${c.name}`).toBe(true);
    }
  }
}

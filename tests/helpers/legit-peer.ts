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

/** Joins `host` by invite with a fresh identity, sends a message both ways and closes; returns the ids exchanged. */
export async function legitPeerTalks(host: TestNode, hosting: HostingDto): Promise<string[]> {
  const guest = await startNode(`legit-${++counter}`);
  try {
    const start = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`a legitimate peer was not connected within ${CONNECT_BOUND_MS} ms`)), CONNECT_BOUND_MS);
    });
    try {
      await Promise.race([guest.service.join(hosting.invite), bound]);
    } finally {
      clearTimeout(timer);
    }
    expect(Date.now() - start).toBeLessThan(CONNECT_BOUND_MS);
    const up = guest.service.send(host.fingerprint, 'legit up');
    await host.waitFor('message', (e) => e.message.id === up.id, { timeoutMs: CONNECT_BOUND_MS });
    const down = host.service.send(guest.fingerprint, 'legit down');
    await guest.waitFor('message', (e) => e.message.id === down.id, { timeoutMs: CONNECT_BOUND_MS });
    await guest.waitFor('message-state', (e) => e.id === up.id && e.state === 'delivered', { timeoutMs: CONNECT_BOUND_MS });
    return [up.id, down.id];
  } finally {
    await guest.close();
  }
}

/** Every message in the host's history is one of `allowed` (nothing forged was stored). */
export function expectOnlyLegitHistory(host: TestNode, allowed: ReadonlySet<string>): void {
  for (const c of host.service.contacts()) {
    for (const m of host.service.history(c.fingerprint, { before: null, limit: 1000 })) {
      expect(allowed.has(m.id), `unexpected message ${JSON.stringify(m.text.slice(0, 40))} from ${c.name}`).toBe(true);
    }
  }
}

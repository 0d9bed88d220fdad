/**
 * Pasted pictures (issue 10) are written under the data folder so that they can be sent and resumed
 * like any file; this keeps that folder from growing forever. A pasted file is deleted once no
 * unfinished outgoing offer reads from it: after its transfer ends (received by the peer, declined,
 * cancelled, failed: `endsASend`), and at start for files left from earlier runs. A paste being
 * written and offered is never touched (its offer is not stored yet).
 */
import { readdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { ParleyEvent } from '../shared/dto.ts';

/** True for an event after which a pasted file may no longer be needed (an outgoing transfer ended). */
export function endsASend(event: ParleyEvent): boolean {
  return event.type === 'file-sent' || (event.type === 'file-cancelled' && event.direction === 'out');
}

/** See the module comment. */
export class PastedFiles {
  readonly dir: string;
  /** The source paths of every unfinished outgoing offer (throws when the app is not ready: nothing is pruned). */
  readonly #inUse: () => readonly string[];
  readonly #log: (line: string) => void;
  #pasting = 0;
  #chain: Promise<void> = Promise.resolve();

  constructor(dir: string, inUse: () => readonly string[], log: (line: string) => void = () => undefined) {
    this.dir = dir;
    this.#inUse = inUse;
    this.#log = log;
  }

  /** Writes a paste with `write` and offers it with `send`; a paste whose offer failed is deleted at once. */
  async paste<T>(write: (dir: string) => Promise<string>, send: (path: string) => Promise<T>): Promise<T> {
    this.#pasting += 1;
    try {
      return await send(await write(this.dir));
    } finally {
      this.#pasting -= 1;
      void this.prune();
    }
  }

  /** Main's event listener: prunes after an outgoing transfer ended. */
  onEvent(event: ParleyEvent): void {
    if (endsASend(event)) void this.prune();
  }

  /** Deletes every pasted file no unfinished offer reads from (one pass at a time). */
  prune(): Promise<void> {
    this.#chain = this.#chain.then(() => this.#prune()).catch((e: unknown) => this.#log(`pasted files: ${e instanceof Error ? e.message : String(e)}`));
    return this.#chain;
  }

  async #prune(): Promise<void> {
    if (this.#pasting > 0) return; // the paste's own prune follows
    let used: Set<string>;
    try {
      used = new Set(this.#inUse().map((p) => resolve(p)));
    } catch {
      return; // locked or closing: the next start prunes
    }
    const entries = await readdir(this.dir, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      const path = resolve(this.dir, entry.name);
      // Each paste has its own folder (writePastedImage); anything else found here goes too.
      const inside = entry.isDirectory() ? (await readdir(path)).map((name) => join(path, name)) : [path];
      if (inside.some((p) => used.has(p))) continue;
      await rm(path, { recursive: true, force: true });
    }
  }
}

/**
 * Helpers for the CLI file tests: the events of one transfer in order, and the checks CLI.md
 * asks of them (sender: file-sending, delivered, file-progress…, file-sent; receiver: file-offer,
 * file-progress…, file-received), and reading a file's SHA-256 from disk.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { expect } from 'vitest';
import type { CliEvent, CliPeer } from './cli-peer.ts';

const FILE_EVENTS = new Set(['file-sending', 'file-offer', 'file-progress', 'file-received', 'file-sent', 'file-cancelled', 'delivered']);

/** The file events (and `delivered`) one peer printed about transfer `id`, in order. */
export function eventsOf(peer: CliPeer, id: string, since = 0): CliEvent[] {
  return peer.events.slice(since).filter((e) => FILE_EVENTS.has(e.event) && e['id'] === id);
}

/** The event names with consecutive file-progress collapsed into one. */
export function shape(events: readonly CliEvent[]): string[] {
  const names: string[] = [];
  for (const e of events) if (!(e.event === 'file-progress' && names.at(-1) === 'file-progress')) names.push(e.event);
  return names;
}

/** Progress never goes back, stays within the size, and ends at the size. */
export function expectProgress(events: readonly CliEvent[], size: number): void {
  const bytes = events.filter((e) => e.event === 'file-progress').map((e) => e['bytes'] as number);
  expect(bytes.length).toBeGreaterThan(0);
  for (let i = 1; i < bytes.length; i++) expect(bytes[i]).toBeGreaterThanOrEqual(bytes[i - 1] as number);
  expect(Math.max(...bytes)).toBe(size);
  for (const e of events.filter((x) => x.event === 'file-progress')) expect(e['size']).toBe(size);
}

/** SHA-256 (hex) of a file on disk, streamed. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

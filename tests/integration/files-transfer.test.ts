/**
 * The transfer engine end to end: two engines, two real stores, real TCP and a real Noise session
 * (tests/helpers/file-peer.ts plays the session's dispatch). Files are a few MiB at most: big-file
 * figures belong to the benchmark.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupTempDirs, tempDir } from '../unit/storage/helpers.ts';
import { connectNodes, fileNode, until, waitForEvent, type FileNode } from '../helpers/file-peer.ts';

const open: FileNode[] = [];
afterEach(async () => {
  for (const n of open.splice(0)) {
    await n.engine.close();
    n.store.close();
  }
  cleanupTempDirs();
});
function node(...args: Parameters<typeof fileNode>): FileNode {
  const n = fileNode(...args);
  open.push(n);
  return n;
}
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
function sourceFile(bytes: Uint8Array, name = 'data.bin'): string {
  const path = join(tempDir(), name);
  writeFileSync(path, bytes);
  return path;
}

describe('file transfers over a real session', () => {
  it('sends a few-MB file and a 0-byte file; both arrive with matching SHA-256', async () => {
    const a = node();
    const bAuto = node({ autoAccept: true });
    const link = await connectNodes(a, bAuto);
    const data = randomBytes(3 * 1024 * 1024 + 12_345);
    const big = await a.engine.offerFile(link.a.peer, sourceFile(data, 'movie.mp4'));
    const empty = await a.engine.offerFile(link.a.peer, sourceFile(new Uint8Array(0), 'empty.txt'));
    link.a.sendFile(a.engine.offerFor(big));
    link.a.sendFile(a.engine.offerFor(empty));
    const got = await waitForEvent(bAuto.events, 'file-received', (e) => e.id === big.id);
    const gotEmpty = await waitForEvent(bAuto.events, 'file-received', (e) => e.id === empty.id);
    expect(got.sha256).toBe(sha(data));
    expect(sha(readFileSync(got.path))).toBe(sha(data));
    expect(got.path).toBe(join(bAuto.downloads, 'movie.mp4'));
    expect(readFileSync(gotEmpty.path).length).toBe(0);
    await waitForEvent(a.events, 'file-sent', (e) => e.id === big.id);
    await waitForEvent(a.events, 'file-sent', (e) => e.id === empty.id);
    expect(link.a.acks).toEqual(expect.arrayContaining([big.id, empty.id])); // offers are acked like messages
    expect(a.store.transfers.get(link.a.peer, 'out', big.id)?.state).toBe('done');
    expect(bAuto.store.transfers.get(link.b.peer, 'in', big.id)).toMatchObject({ state: 'done', bytes: data.length, paths: { final: got.path } });
    expect(readdirSync(bAuto.downloads).sort()).toEqual(['empty.txt', 'movie.mp4']);
    // Progress at most 4 a second per file: at most one event per 250 ms of the transfer, plus the last.
    const progress = bAuto.events.filter((e) => e.type === 'file-progress' && e.id === big.id);
    expect(progress.at(-1)).toMatchObject({ bytes: data.length, size: data.length });
    await link.close();
  });
});

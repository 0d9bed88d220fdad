/**
 * The transfer engine end to end: two engines, two real stores, real TCP and a real Noise session
 * (tests/helpers/file-peer.ts plays the session's dispatch). Files are a few MiB at most: big-file
 * figures belong to the benchmark.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeChunkHeader } from '../../src/core/protocol/file-messages.ts';
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

  it('two transfers at once share the link, and a chat message overtakes them within a few frames', async () => {
    const a = node();
    const b = node({ autoAccept: true });
    const link = await connectNodes(a, b);
    const one = randomBytes(3 * 1024 * 1024);
    const two = randomBytes(3 * 1024 * 1024);
    const t1 = await a.engine.offerFile(link.a.peer, sourceFile(one, 'one.bin'));
    const t2 = await a.engine.offerFile(link.a.peer, sourceFile(two, 'two.bin'));
    // The chat is written from inside the sender's pump, right after its 30th chunk: whatever is
    // still in flight at that moment is what the message waits behind.
    let inFlightAtSend = -1;
    link.a.onChunkSent = (n) => {
      if (n !== 30) return;
      inFlightAtSend = n - link.b.chunksReceived;
      link.a.sendChat('hello during the transfer');
    };
    link.a.sendFile(a.engine.offerFor(t1));
    link.a.sendFile(a.engine.offerFor(t2));
    const r1 = await waitForEvent(b.events, 'file-received', (e) => e.id === t1.id);
    const r2 = await waitForEvent(b.events, 'file-received', (e) => e.id === t2.id);
    expect(sha(readFileSync(r1.path))).toBe(sha(one));
    expect(sha(readFileSync(r2.path))).toBe(sha(two));
    const chat = link.b.chats[0];
    expect(chat?.text).toBe('hello during the transfer');
    const totalChunks = link.b.chunksReceived;
    // Measured, not timed: the chunks the receiver got between the chat's send and its arrival.
    const framesAhead = (chat?.chunksReceivedBefore ?? 0) - (30 - inFlightAtSend);
    console.info(`chat overtook: ${framesAhead} chunk frames ahead of it at send time, of ${totalChunks}`);
    expect(inFlightAtSend).toBeGreaterThanOrEqual(0);
    expect(framesAhead).toBeLessThanOrEqual(8);
    expect(chat?.chunksReceivedBefore).toBeLessThan(totalChunks - 50); // it did not wait for the files
    // Round-robin: both files were under way before either finished.
    const firstDone = b.events.findIndex((e) => e.type === 'file-received');
    const started = new Set(b.events.slice(0, firstDone).filter((e) => e.type === 'file-progress').map((e) => e.id));
    expect(started).toEqual(new Set([t1.id, t2.id]));
    await link.close();
  });

  it('a file-done lost with a dying connection is sent again on the next one, so the sender finishes', async () => {
    const a = node();
    const b = node({ autoAccept: true });
    let link = await connectNodes(a, b);
    const data = randomBytes(256 * 1024);
    const t = await a.engine.offerFile(link.a.peer, sourceFile(data, 'last.bin'));
    link.b.loseWith = (m) => m.type === 'file-done';
    link.a.sendFile(a.engine.offerFor(t));
    await waitForEvent(b.events, 'file-received', (e) => e.id === t.id);
    await until(() => link.a.closed && link.b.closed, 'the connection to die');
    expect(a.events.some((e) => e.type === 'file-sent')).toBe(false);
    expect(b.store.transfers.get(link.b.peer, 'in', t.id)?.finalOwed).toBe('file-done'); // not read by the peer: still owed
    link = await connectNodes(a, b);
    await waitForEvent(a.events, 'file-sent', (e) => e.id === t.id);
    expect(a.store.transfers.get(link.a.peer, 'out', t.id)?.state).toBe('done');
    // The pong after it shows the sender read it: no longer owed, not sent a third time.
    await until(() => b.store.transfers.get(link.b.peer, 'in', t.id)?.finalOwed === null, 'the final to be confirmed');
    await link.close();
  });

  it('resumes from the bytes held after a dropped connection and after a restart of the receiver', async () => {
    const a = node();
    let b = node({ autoAccept: true });
    const { dataDir, key, downloads } = b;
    let link = await connectNodes(a, b);
    const data = randomBytes(4 * 1024 * 1024);
    const t = await a.engine.offerFile(link.a.peer, sourceFile(data, 'resume.bin'));
    link.a.onChunkSent = (n) => n === 20 && link.a.side.conn.close('local');
    link.a.sendFile(a.engine.offerFor(t));
    await until(() => link.a.closed && link.b.closed, 'the drop');
    // Same engines, a new connection: the receiver asks for the rest.
    link = await connectNodes(a, b);
    link.a.onChunkSent = (n) => n === 10 && link.a.side.conn.close('local');
    await until(() => link.a.closed && link.b.closed, 'the second drop');
    // The receiver restarts (new engine, store reopened), then connects again. close() waits for
    // the part to be flushed and its count recorded.
    await b.engine.close();
    const held = b.store.transfers.get(link.b.peer, 'in', t.id)?.bytes ?? 0;
    b.store.close();
    open.splice(open.indexOf(b), 1);
    b = node({ autoAccept: true }, dataDir, key, downloads);
    link = await connectNodes(a, b);
    const got = await waitForEvent(b.events, 'file-received', (e) => e.id === t.id);
    expect(sha(readFileSync(got.path))).toBe(sha(data));
    await waitForEvent(a.events, 'file-sent', (e) => e.id === t.id);
    const offsets = a.events.filter((e) => e.type === 'file-accepted').map((e) => (e.type === 'file-accepted' ? e.offset : -1));
    expect(offsets.length).toBe(3);
    expect(offsets[0]).toBe(0);
    expect(offsets[1]).toBeGreaterThan(0);
    expect(offsets[2]).toBe(held);
    expect(held).toBeGreaterThan(0);
    expect(readdirSync(downloads)).toEqual(['resume.bin']);
    await link.close();
  });

  it('a corrupted byte makes the receiver cancel with corrupt and keep nothing', async () => {
    const a = node();
    const b = node({ autoAccept: true });
    const link = await connectNodes(a, b);
    const data = randomBytes(500_000);
    const t = await a.engine.offerFile(link.a.peer, sourceFile(data));
    link.b.mutateChunk = (chunk, n) => {
      if (n === 3) chunk[100] = (chunk[100] ?? 0) ^ 0x01;
    };
    link.a.sendFile(a.engine.offerFor(t));
    expect(await waitForEvent(b.events, 'file-cancelled', (e) => e.id === t.id)).toMatchObject({ reason: 'corrupt', by: 'local' });
    expect(await waitForEvent(a.events, 'file-cancelled', (e) => e.id === t.id)).toMatchObject({ reason: 'corrupt', by: 'peer' });
    expect(readdirSync(b.downloads)).toEqual([]);
    expect(b.store.transfers.get(link.b.peer, 'in', t.id)).toMatchObject({ state: 'failed', reason: 'corrupt' });
    expect(a.store.transfers.get(link.a.peer, 'out', t.id)).toMatchObject({ state: 'failed', reason: 'corrupt' });
    await link.close();
  });

  it('a source changed before the transfer is cancelled with changed', async () => {
    const a = node();
    const b = node();
    const link = await connectNodes(a, b);
    const path = sourceFile(randomBytes(100_000));
    const t = await a.engine.offerFile(link.a.peer, path);
    link.a.sendFile(a.engine.offerFor(t));
    await waitForEvent(b.events, 'file-offer', (e) => e.id === t.id);
    writeFileSync(path, randomBytes(100_000)); // same size, new content and mtime
    await b.engine.accept(t.id, b.downloads);
    expect(await waitForEvent(b.events, 'file-cancelled', (e) => e.id === t.id)).toMatchObject({ reason: 'changed', by: 'peer' });
    expect(readdirSync(b.downloads)).toEqual([]);
    // Same size and mtime put back, new content: the sender's own hash catches it before the last chunk.
    const path2 = sourceFile(randomBytes(100_000), 'two.bin');
    const mtime = new Date(1_700_000_000_000);
    utimesSync(path2, mtime, mtime);
    const t2 = await a.engine.offerFile(link.a.peer, path2);
    writeFileSync(path2, randomBytes(100_000));
    utimesSync(path2, mtime, mtime);
    link.a.sendFile(a.engine.offerFor(t2));
    await waitForEvent(b.events, 'file-offer', (e) => e.id === t2.id);
    await b.engine.accept(t2.id, b.downloads);
    expect(await waitForEvent(a.events, 'file-cancelled', (e) => e.id === t2.id)).toMatchObject({ reason: 'changed', by: 'local' });
    expect(await waitForEvent(b.events, 'file-cancelled', (e) => e.id === t2.id)).toMatchObject({ reason: 'changed', by: 'peer' });
    await until(() => readdirSync(b.downloads).length === 0, 'the part to be deleted');
    expect(link.b.chunksReceived).toBe(1); // the first chunk went, the last one never did
    await link.close();
  });
});

describe('chunks nobody asked for close the connection and write nothing', () => {
  async function setUp(files = true) {
    const a = node();
    const b = node({ autoAccept: true });
    const link = await connectNodes(a, b, { a: files, b: files });
    return { a, b, link };
  }
  function chunk(id: string, offset: number, length: number): Uint8Array {
    const p = new Uint8Array(25 + length);
    p.set(encodeChunkHeader(id, offset));
    return p;
  }
  async function offerOnly(link: Awaited<ReturnType<typeof setUp>>['link'], b: FileNode, size: number): Promise<string> {
    const id = randomUUID();
    link.a.sendFile({ type: 'file', id, ts: 1, name: 'x.bin', size, sha256: 'a'.repeat(64) });
    await waitForEvent(b.events, 'file-offer', (e) => e.id === id);
    await until(() => b.store.transfers.get(link.b.peer, 'in', id)?.paths.part !== undefined, 'the accept');
    return id;
  }

  it.each([
    ['an unknown id', async (_: unknown, l: Awaited<ReturnType<typeof setUp>>['link']) => l.a.sendRawChunk(chunk(randomUUID(), 0, 10))],
    ['a wrong offset', async (b: FileNode, l: Awaited<ReturnType<typeof setUp>>['link']) => l.a.sendRawChunk(chunk(await offerOnly(l, b, 1000), 5, 10))],
    ['a byte beyond the size', async (b: FileNode, l: Awaited<ReturnType<typeof setUp>>['link']) => l.a.sendRawChunk(chunk(await offerOnly(l, b, 1000), 0, 1001))],
  ])('%s', async (_label, send) => {
    const { b, link } = await setUp();
    await send(b, link);
    await until(() => link.b.closed, 'the close');
    expect(link.b.closedReason).toMatch(/chunk/);
    for (const name of readdirSync(b.downloads)) {
      expect(name.endsWith('.part')).toBe(true);
      expect(readFileSync(join(b.downloads, name)).length).toBe(0);
    }
    await link.close();
  });

  it('a chunk on a link without files closes it', async () => {
    const { b, link } = await setUp(false);
    link.a.sendRawChunk(chunk(randomUUID(), 0, 10));
    await until(() => link.b.closed, 'the close');
    expect(readdirSync(b.downloads)).toEqual([]);
    await link.close();
  });
});

describe('offers that cannot go through', () => {
  it('an offer over the size cap is declined too-large', async () => {
    const a = node();
    const b = node({ autoAccept: true, maxFileSize: 1000 });
    const link = await connectNodes(a, b);
    const t = await a.engine.offerFile(link.a.peer, sourceFile(randomBytes(1001)));
    link.a.sendFile(a.engine.offerFor(t));
    expect(await waitForEvent(a.events, 'file-cancelled', (e) => e.id === t.id)).toMatchObject({ reason: 'too-large', by: 'peer' });
    expect(b.store.transfers.get(link.b.peer, 'in', t.id)).toMatchObject({ state: 'declined', reason: 'too-large' });
    expect(readdirSync(b.downloads)).toEqual([]);
    await link.close();
  });

  it('an offer queued for a peer that comes back without files is cancelled unsupported', async () => {
    const a = node();
    const b = node();
    const first = await connectNodes(a, b, { a: false, b: false });
    await expect(a.engine.offerFile(first.a.peer, sourceFile(randomBytes(10)))).rejects.toThrow(/without files/);
    await first.close();
    await until(() => first.a.closed, 'the close');
    const t = await a.engine.offerFile(first.a.peer, sourceFile(randomBytes(10))); // offline: queued
    const again = await connectNodes(a, b, { a: false, b: false });
    expect(await waitForEvent(a.events, 'file-cancelled', (e) => e.id === t.id)).toMatchObject({ reason: 'unsupported', by: 'local' });
    expect(a.store.transfers.get(again.a.peer, 'out', t.id)).toMatchObject({ state: 'failed', reason: 'unsupported' });
    await again.close();
  });
});

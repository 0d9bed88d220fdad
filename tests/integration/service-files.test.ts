/**
 * Files through ParleyService (two real services, real TCP, real stores and disks): offers are
 * messages of the conversation, shown in history with their transfer's state; an offer waits for
 * acceptFile when nothing auto-accepts; declining reaches the sender; auto-accept only from
 * verified contacts when that setting is on; the service commands' errors.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ServiceError } from '../../src/core/service/errors.ts';
import { cleanupNodes, startNode, tempDir, type TestNode } from '../helpers/services.ts';

afterEach(cleanupNodes);

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

async function pair(receiverFiles: { acceptDir: string | null; autoAcceptVerified?: boolean }): Promise<{ a: TestNode; b: TestNode; src: string; data: Buffer; work: string }> {
  const work = await tempDir('parley-svc-files-');
  if (receiverFiles.acceptDir !== null) await mkdir(receiverFiles.acceptDir, { recursive: true });
  const b = await startNode('Bob', { files: { maxFileSize: 1024 ** 3, ...receiverFiles } });
  const a = await startNode('Alice');
  const hosting = await b.host();
  await a.service.join(hosting.invite);
  await b.waitFor('connected');
  const data = randomBytes(300_000);
  const src = join(work, 'photo.jpg');
  await writeFile(src, data);
  return { a, b, src, data, work };
}

describe('files through the service', () => {
  it('an offer waits for acceptFile; history shows it as a file message with its state on both sides, from offered to done', async () => {
    const { a, b, src, data, work } = await pair({ acceptDir: null });
    const sent = await a.service.sendFile(b.fingerprint, src);
    expect(sent).toMatchObject({ kind: 'file', direction: 'out', text: 'photo.jpg', file: { name: 'photo.jpg', size: data.length, sha256: sha(data), state: 'offered' } });
    const offer = await b.waitFor('file-offer');
    expect(offer).toMatchObject({ id: sent.id, name: 'photo.jpg', size: data.length });
    expect((await b.waitFor('message')).message).toMatchObject({ id: sent.id, kind: 'file', file: { state: 'offered' } });
    await a.waitFor('message-state', (e) => e.id === sent.id && e.state === 'delivered');
    expect(b.service.history(a.fingerprint, { before: null, limit: 10 }).find((m) => m.id === sent.id)?.file?.state).toBe('offered');
    expect(b.service.transfers(a.fingerprint).map((m) => m.id)).toEqual([sent.id]);

    const dir = join(work, 'chosen');
    await mkdir(dir);
    await b.service.acceptFile(sent.id, dir);
    const got = await b.waitFor('file-received', (e) => e.id === sent.id);
    await a.waitFor('file-sent', (e) => e.id === sent.id);
    expect(sha(await readFile(got.path))).toBe(sha(data));
    expect(got.path).toBe(join(dir, 'photo.jpg'));
    const mine = a.service.history(b.fingerprint, { before: null, limit: 10 }).find((m) => m.id === sent.id);
    const theirs = b.service.history(a.fingerprint, { before: null, limit: 10 }).find((m) => m.id === sent.id);
    expect(mine).toMatchObject({ kind: 'file', state: 'delivered', file: { state: 'done', bytes: data.length, path: null } });
    expect(theirs).toMatchObject({ kind: 'file', direction: 'in', file: { state: 'done', bytes: data.length, path: got.path, reason: null } });
    expect(b.service.transfers(a.fingerprint)).toEqual([]);
    // Texts stay texts.
    const text = a.service.send(b.fingerprint, 'nice');
    expect(text.kind).toBe('text');
    expect(text.file).toBeUndefined();
  });

  it('declining reaches the sender as declined; the commands refuse unknown ids, finished transfers and a missing folder', async () => {
    const { a, b, src } = await pair({ acceptDir: null });
    const sent = await a.service.sendFile(b.fingerprint, src);
    await b.waitFor('file-offer');
    await expect(b.service.acceptFile(sent.id)).rejects.toMatchObject({ code: 'bad-input' }); // no downloads folder set
    await b.service.cancelFile(sent.id);
    expect(await a.waitFor('file-cancelled', (e) => e.id === sent.id)).toMatchObject({ reason: 'declined', by: 'peer', direction: 'out' });
    expect(a.service.history(b.fingerprint, { before: null, limit: 10 }).find((m) => m.id === sent.id)?.file).toMatchObject({ state: 'declined', reason: 'declined', endedBy: 'peer' });
    await expect(b.service.cancelFile(sent.id)).rejects.toBeInstanceOf(ServiceError);
    await expect(b.service.acceptFile(randomUUID(), '/tmp')).rejects.toMatchObject({ code: 'bad-input' });
    await expect(a.service.sendFile(b.fingerprint, join(src, 'nope'))).rejects.toMatchObject({ code: 'file-error' });
  });

  it('autoAcceptVerified: offers from an unverified contact wait; from a verified one they are accepted into the folder', async () => {
    const work = await tempDir('parley-svc-files-');
    const dl = join(work, 'downloads');
    const { a, b, src, data } = await pair({ acceptDir: dl, autoAcceptVerified: true });
    const first = await a.service.sendFile(b.fingerprint, src);
    await b.waitFor('file-offer', (e) => e.id === first.id);
    await a.waitFor('message-state', (e) => e.id === first.id && e.state === 'delivered');
    expect(b.service.transfers(a.fingerprint).find((m) => m.id === first.id)?.file?.state).toBe('offered');
    b.service.verify(a.fingerprint, 'fingerprint');
    const second = await a.service.sendFile(b.fingerprint, src);
    const got = await b.waitFor('file-received', (e) => e.id === second.id);
    expect(got.path).toBe(join(dl, 'photo.jpg'));
    expect(sha(await readFile(got.path))).toBe(sha(data));
    expect(b.service.transfers(a.fingerprint).map((m) => m.id)).toEqual([first.id]); // the first still waits
  });
});

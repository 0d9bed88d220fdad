/**
 * The receiving side's disk work: streamed hashing, free space, the .part writer (resume, checkpoint,
 * never-overwrite finish, corrupt) and a full disk, on a real 1 MiB tmpfs when the test runs as root.
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freeBytes, hashFile, hashFilePrefix } from '../../../src/core/files/disk.ts';
import { PartFile, PartFileError } from '../../../src/core/files/part-file.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'parley-part-'));
  dirs.push(d);
  return d;
}
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

async function errorOf(p: Promise<unknown>): Promise<PartFileError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof PartFileError) return e;
    throw e;
  }
  throw new Error('expected a PartFileError');
}

describe('disk helpers', () => {
  it('hash a file and a prefix of it in bounded steps, and see free space', async () => {
    const dir = tempDir();
    const data = randomBytes(2.5 * 1024 * 1024);
    writeFileSync(join(dir, 'f'), data);
    expect(await hashFile(join(dir, 'f'))).toEqual({ sha256: sha(data), size: data.length });
    const h = createHash('sha256');
    expect(await hashFilePrefix(join(dir, 'f'), h, 1000)).toBe(1000);
    expect(h.digest('hex')).toBe(sha(data.subarray(0, 1000)));
    await expect(hashFilePrefix(join(dir, 'f'), createHash('sha256'), data.length + 1)).rejects.toThrow(/ended/);
    writeFileSync(join(dir, 'empty'), '');
    expect(await hashFile(join(dir, 'empty'))).toEqual({ sha256: sha(new Uint8Array(0)), size: 0 });
    expect(await freeBytes(dir)).toBeGreaterThan(0);
  });
});

describe('PartFile', () => {
  it('appends, verifies and renames to a name that overwrites nothing', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'photo.jpg'), 'already here');
    const data = randomBytes(300_000);
    const part = await PartFile.open(join(dir, 'photo.jpg.part'), data.length, 0);
    for (let at = 0; at < data.length; at += 65_494) await part.append(data.subarray(at, at + 65_494));
    expect(part.held).toBe(data.length);
    const final = await part.finish(sha(data), 'photo.jpg');
    expect(final).toBe(join(dir, 'photo (1).jpg'));
    expect(readFileSync(final).equals(data)).toBe(true);
    expect(readFileSync(join(dir, 'photo.jpg'), 'utf8')).toBe('already here');
    expect(readdirSync(dir).sort()).toEqual(['photo (1).jpg', 'photo.jpg']);
  });

  it('a 0-byte file finishes at once', async () => {
    const dir = tempDir();
    const part = await PartFile.open(join(dir, 'e.part'), 0, 0);
    expect(await part.finish(sha(new Uint8Array(0)), 'empty')).toBe(join(dir, 'empty'));
    expect(readdirSync(dir)).toEqual(['empty']);
  });

  it('resumes from the checkpointed count, dropping bytes written after it', async () => {
    const dir = tempDir();
    const path = join(dir, 'a.part');
    const data = randomBytes(200_000);
    const checkpoints: number[] = [];
    const first = await PartFile.open(path, data.length, 0, { onCheckpoint: (n) => checkpoints.push(n) });
    await first.append(data.subarray(0, 70_000));
    await first.checkpoint();
    await first.append(data.subarray(70_000, 90_000)); // not checkpointed: may be lost in a crash
    await first.close();
    expect(checkpoints).toEqual([70_000]);
    const again = await PartFile.open(path, data.length, 70_000);
    expect(again.held).toBe(70_000);
    await again.append(data.subarray(70_000));
    expect(readFileSync(await again.finish(sha(data), 'a.bin')).equals(data)).toBe(true);
    // A part shorter than the record (e.g. lost) resumes from what it holds.
    writeFileSync(join(dir, 'b.part'), data.subarray(0, 10));
    expect((await PartFile.open(join(dir, 'b.part'), data.length, 50_000)).held).toBe(10);
  });

  it('a hash mismatch is corrupt and keeps nothing', async () => {
    const dir = tempDir();
    const data = randomBytes(1000);
    const part = await PartFile.open(join(dir, 'x.part'), data.length, 0);
    const bad = Buffer.from(data);
    bad[500] = (bad[500] ?? 0) ^ 1;
    await part.append(bad);
    expect((await errorOf(part.finish(sha(data), 'x.txt'))).code).toBe('corrupt');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses bytes beyond the size', async () => {
    const dir = tempDir();
    const part = await PartFile.open(join(dir, 'x.part'), 3, 0);
    expect((await errorOf(part.append(new Uint8Array(4)))).code).toBe('corrupt');
    await part.discard();
  });

  it('an injected write failure with ENOSPC is no-space (runs everywhere; the tmpfs test needs root)', async () => {
    const dir = tempDir();
    let calls = 0;
    const part = await PartFile.open(join(dir, 'x.part'), 10_000, 0, {
      write: async (handle, data, position) => {
        if (++calls === 2) throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
        await handle.write(data, 0, data.length, position);
      },
    });
    await part.append(new Uint8Array(100));
    expect((await errorOf(part.append(new Uint8Array(100)))).code).toBe('no-space');
    await part.discard();
    expect(readdirSync(dir)).toEqual([]);
  });

  // A real full disk: a 1 MiB tmpfs. Mounting needs root (CAP_SYS_ADMIN); elsewhere the injected case above covers the path.
  const canMount = process.getuid?.() === 0;
  it.runIf(canMount)('a real full disk (1 MiB tmpfs) is no-space, and nothing stays behind', async () => {
    const mnt = mkdtempSync(join(tmpdir(), 'parley-tmpfs-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mnt]);
    try {
      const data = randomBytes(2 * 1024 * 1024);
      const part = await PartFile.open(join(mnt, 'big.bin.part'), data.length, 0);
      let error: PartFileError | null = null;
      for (let at = 0; at < data.length && error === null; at += 65_494) {
        error = await part.append(data.subarray(at, at + 65_494)).then(() => null, (e: PartFileError) => e);
      }
      expect(error?.code).toBe('no-space');
      await part.discard();
      expect(readdirSync(mnt)).toEqual([]);
      expect(existsSync(join(mnt, 'big.bin'))).toBe(false);
    } finally {
      execFileSync('umount', [mnt]);
      rmdirSync(mnt);
    }
  });
});

/**
 * Large test files, fast: a pseudo-random 1 MiB block (seeded, so two runs make the same file)
 * written again and again, hashed while it is written. Only the last block is cut short.
 */
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';

const BLOCK = 1024 * 1024;

/** A deterministic pseudo-random block (xorshift32 from `seed`). */
function block(seed: number): Buffer {
  const b = Buffer.allocUnsafe(BLOCK);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < BLOCK; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b.writeUInt32LE(x >>> 0, i);
  }
  return b;
}

/** Writes `size` bytes to `path`; resolves with their SHA-256 (hex). */
export async function writePatternFile(path: string, size: number, seed = 1): Promise<string> {
  const data = block(seed);
  // Each block differs in its first 8 bytes (its index), so a chunk sent at the wrong offset cannot hash the same.
  const hash = createHash('sha256');
  const handle = await open(path, 'w');
  try {
    for (let at = 0, i = 0; at < size; at += BLOCK, i++) {
      data.writeBigUInt64LE(BigInt(i), 0);
      const n = Math.min(BLOCK, size - at);
      const piece = data.subarray(0, n);
      hash.update(piece);
      await handle.write(piece, 0, n, at);
    }
  } finally {
    await handle.close();
  }
  return hash.digest('hex');
}

/** Shared set-up for the storage tests: real directories under the OS temp dir, real sealers. */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair } from '../../../src/core/crypto/p256.ts';
import { createKeyFileSealer } from '../../../src/core/identity/key-file-sealer.ts';
import { openDataDir, type Store } from '../../../src/core/storage/data-dir.ts';
import { StorageError, type StorageErrorCode } from '../../../src/core/storage/storage-error.ts';

const made: string[] = [];

/** A fresh 0700 temp directory, removed by cleanupTempDirs. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'parley-storage-'));
  made.push(dir);
  return dir;
}

/** Removes every directory tempDir made (call from afterEach/afterAll). */
export function cleanupTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** A settable clock for stored times. */
export function testClock(start = 1_700_000_000_000): { now: () => number; set: (t: number) => void; tick: (ms?: number) => number } {
  let t = start;
  return { now: () => t, set: (v) => (t = v), tick: (ms = 1) => (t += ms) };
}

/** Opens a store in `dir` (default: a new temp dir's `data` subfolder) with the key-file sealer. */
export function openTestStore(dir = join(tempDir(), 'data'), now?: () => number): Store {
  return openDataDir(dir, now === undefined ? { sealer: createKeyFileSealer(dir) } : { sealer: createKeyFileSealer(dir), now });
}

/** A new random peer stored as a contact; returns its fingerprint. */
export function addPeer(store: Store, name = 'Bob', address?: string): string {
  const { publicKey } = generateKeyPair();
  return store.contacts.upsertSeen(address === undefined ? { publicKey, name } : { publicKey, name, address }).contact.fingerprint;
}

/** Every file in `dir` (not recursive) with its bytes: to prove that a failed open changed nothing. */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    out[name] = statSync(path).isFile() ? readFileSync(path).toString('hex') : '<dir>';
  }
  return out;
}

/** The permission bits of a path. */
export function modeOf(path: string): number {
  return statSync(path).mode & 0o777;
}

/** The code of the StorageError that `fn` throws; fails the test if it throws nothing or something else. */
export function storageErrorCode(fn: () => unknown): StorageErrorCode {
  try {
    fn();
  } catch (error) {
    if (error instanceof StorageError) return error.code;
    throw error;
  }
  throw new Error('expected a StorageError, nothing was thrown');
}

/**
 * Changing how the identity is protected after setup (passphrase ↔ keychain ↔ key file), so that
 * an interruption at any point leaves a usable state, the old one or the new one:
 *
 *   1. the new sealer is ready (the key file or the keychain key exists, durably, before use);
 *   2. the database re-seals the secrets under it in one transaction (old seal wiped);
 *   3. the protection record is rewritten (atomic rename);
 *   4. a key file that no longer protects anything is removed.
 *
 * Before 2 commits, the database and the record both still name the old protection. Between 2 and
 * 3 they disagree, and the database wins: start-up reconciles the record with it (reconcileRecord).
 * After 3 a leftover key file opens nothing (the old seal was overwritten), and 4 removes it.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { KEY_FILE_NAME } from '../core/identity/key-file-sealer.ts';
import { SEALER_KINDS, type Sealer, type SealerKind } from '../core/storage/sealer.ts';
import { DB_FILE_NAME } from '../core/storage/database.ts';
import { openDataDir, type Store } from '../core/storage/data-dir.ts';
import { syncDirectory } from '../core/storage/owner-only.ts';
import { StorageError } from '../core/storage/storage-error.ts';
import type { AppPaths } from './paths.ts';
import { writeProtectionRecord } from './protection-record.ts';

/** The steps a change goes through, named for the crash tests that stop after each. */
export type ProtectionStep = 'resealed' | 'recorded';

/** What a change needs: the open store, both sealers, the paths, and an optional observer of steps. */
export type ProtectionChange = {
  readonly store: Pick<Store, 'reseal'>;
  readonly current: Sealer;
  readonly next: Sealer;
  readonly paths: AppPaths;
  /** Called after each step; tests throw here to simulate a crash at that point. */
  readonly onStep?: (step: ProtectionStep) => void;
  readonly log: (line: string) => void;
};

/** Runs steps 2–4 (the caller has made `next`, step 1). Throws before step 2 commits: nothing changed. */
export function applyProtectionChange(change: ProtectionChange): void {
  const { store, current, next, paths, onStep, log } = change;
  store.reseal(current, next);
  onStep?.('resealed');
  try {
    writeProtectionRecord(paths.protectionFile, next.kind);
  } catch (error) {
    // The change has happened (the database says so); the next start puts the record right.
    log(`cannot write ${paths.protectionFile}: ${error instanceof Error ? error.message : String(error)}`);
  }
  onStep?.('recorded');
  if (next.kind !== 'key-file') removeKeyFile(paths.dataDir);
}

/**
 * The protection to use at start: the record's, unless the database's own sealer kind (the truth,
 * written in the same transaction as the seal) differs, which a change interrupted between steps 2
 * and 3 leaves behind; then the record is rewritten to match. `detect` reads the database's kind.
 */
export function reconcileRecord(paths: AppPaths, recorded: SealerKind, detect: (dataDir: string) => SealerKind | null, log: (line: string) => void): SealerKind {
  if (!existsSync(join(paths.dataDir, DB_FILE_NAME))) return recorded;
  const actual = detect(paths.dataDir);
  if (actual === null || actual === recorded) return recorded;
  log(`the protection record said ${recorded}, the data is sealed with ${actual} (an interrupted change): the record follows the data`);
  writeProtectionRecord(paths.protectionFile, actual);
  return actual;
}

function removeKeyFile(dataDir: string): void {
  const path = join(dataDir, KEY_FILE_NAME);
  if (!existsSync(path)) return;
  rmSync(path, { force: true });
  syncDirectory(dataDir);
}

/**
 * Which sealer protects an existing identity, found without unsealing anything: the core checks
 * the recorded kind before it calls `unseal`, and creates an identity (calling `seal`) only if none
 * exists. Null means the database holds no identity yet. Used when the record is missing.
 */
export function detectSealerKind(dataDir: string): SealerKind | null {
  for (const kind of SEALER_KINDS) {
    let touched: 'seal' | 'unseal' | null = null;
    const probe: Sealer = {
      kind,
      seal() {
        touched = 'seal';
        throw new Error('probe');
      },
      unseal() {
        touched = 'unseal';
        throw new Error('probe');
      },
    };
    try {
      openDataDir(dataDir, { sealer: probe }).close();
    } catch (error) {
      if (touched === 'unseal') return kind;
      if (touched === 'seal') return null;
      if (!(error instanceof StorageError && error.code === 'unseal-failed')) throw error;
    }
  }
  throw new StorageError('corrupt', 'the identity is sealed in a way this Parley does not know');
}

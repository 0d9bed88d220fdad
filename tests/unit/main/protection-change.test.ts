/**
 * Changing the key protection after setup, interrupted at every step: the app restarted over the
 * same folder must open the old or the new protection, with the same identity and history. The
 * "crash" is an exception thrown from the controller's step observer, after which the controller is
 * dropped and a new one starts from disk (what a killed process leaves is exactly what was written).
 * The keychain's key is a stand-in for the one main unwraps through safeStorage (Electron cannot run
 * here); the core, files, SQLite and crypto are real.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KEY_FILE_NAME } from '../../../src/core/identity/key-file-sealer.ts';
import type { SealerKind } from '../../../src/core/storage/sealer.ts';
import { AppController } from '../../../src/main/app-controller.ts';
import type { Keychain, ProtectionChoice } from '../../../src/main/protection-choice.ts';
import { appPaths } from '../../../src/main/paths.ts';
import type { ProtectionStep } from '../../../src/main/protection-change.ts';
import { readProtectionRecord } from '../../../src/main/protection-record.ts';
import { createKeychainSealer } from '../../../src/main/sealer.ts';
import { tempDir } from './harness.ts';

const dirs: { remove: () => void }[] = [];
afterAll(() => {
  for (const d of dirs) d.remove();
});

const KEY = new Uint8Array(randomBytes(32));
const KEYCHAIN: Keychain = { available: true, reason: null, createSealer: () => createKeychainSealer(KEY) };
const OLD_PASS = 'correct horse battery';
const NEW_PASS = 'another good passphrase';

function controller(userData: string, onProtectionStep?: (step: ProtectionStep) => void): AppController {
  return new AppController({
    paths: appPaths(userData),
    keychain: KEYCHAIN,
    onEvent: () => undefined,
    log: () => undefined,
    scryptLogN: 15,
    service: { autoReconnect: false },
    ...(onProtectionStep ? { onProtectionStep } : {}),
  });
}

/** Sets up under `from`, stores one contact, and returns the folder and the identity's fingerprint. */
async function setUp(from: SealerKind): Promise<{ dir: string; fp: string }> {
  const d = tempDir('parley-change-');
  dirs.push(d);
  const c = controller(d.dir);
  c.start();
  const id = c.setup({ name: 'Ada', protection: from, passphrase: from === 'passphrase' ? OLD_PASS : null });
  await c.close();
  return { dir: d.dir, fp: id.fingerprint };
}

/** Starts over the folder as after a restart; unlocks with whichever passphrase is in force. */
function restart(dir: string): { c: AppController; kind: SealerKind | null } {
  const c = controller(dir);
  const status = c.start();
  if (status.phase === 'locked') {
    for (const p of [NEW_PASS, OLD_PASS]) {
      try {
        c.unlock(p);
        break;
      } catch {
        // the other one
      }
    }
  }
  return { c, kind: c.protection };
}

function choice(from: SealerKind, to: SealerKind): ProtectionChoice {
  return { protection: to, passphrase: to === 'passphrase' ? NEW_PASS : null, currentPassphrase: from === 'passphrase' ? OLD_PASS : null };
}

const CHANGES: readonly [SealerKind, SealerKind][] = [
  ['key-file', 'passphrase'],
  ['passphrase', 'keychain'],
  ['keychain', 'key-file'],
  ['keychain', 'passphrase'],
  ['passphrase', 'passphrase'],
];

describe('changing the key protection', () => {
  for (const [from, to] of CHANGES) {
    it(`${from} → ${to}: completes, and a restart opens the new protection`, async () => {
      const { dir, fp } = await setUp(from);
      const c = restart(dir).c;
      expect(c.changeProtection(choice(from, to))).toBe(to);
      expect(c.protection).toBe(to);
      expect(c.service().identity().fingerprint).toBe(fp);
      await c.close();
      expect(readProtectionRecord(appPaths(dir).protectionFile)?.protection).toBe(to);
      expect(existsSync(join(appPaths(dir).dataDir, KEY_FILE_NAME))).toBe(to === 'key-file');
      const after = restart(dir);
      expect(after.c.status()).toMatchObject({ phase: 'ready', identity: { fingerprint: fp } });
      expect(after.kind).toBe(to);
      await after.c.close();
    });

    for (const step of ['resealed', 'recorded'] as const) {
      it(`${from} → ${to}, interrupted after "${step}": the restart opens the new protection`, async () => {
        const { dir, fp } = await setUp(from);
        const c = controller(dir, (s) => {
          if (s === step) throw new Error(`crash after ${s}`);
        });
        c.start();
        if (from === 'passphrase') c.unlock(OLD_PASS);
        expect(() => c.changeProtection(choice(from, to))).toThrow(`crash after ${step}`);
        expect(c.protection).toBe(to); // the data is re-sealed: the running app knows it
        await c.close();
        const after = restart(dir);
        expect(after.c.status()).toMatchObject({ phase: 'ready', identity: { fingerprint: fp } });
        expect(after.kind).toBe(to);
        expect(readProtectionRecord(appPaths(dir).protectionFile)?.protection).toBe(to); // put right at start
        await after.c.close();
      });
    }
  }

  for (const from of ['key-file', 'passphrase'] as const) {
    it(`${from} → keychain, interrupted before the database commits: the restart opens the old protection`, async () => {
      const { dir, fp } = await setUp(from);
      // A keychain sealer that fails while sealing stands for a crash before the commit.
      const failing: Keychain = { available: true, reason: null, createSealer: () => ({ ...createKeychainSealer(KEY), seal: () => { throw new Error('crash before commit'); } }) };
      const c = new AppController({ paths: appPaths(dir), keychain: failing, onEvent: () => undefined, log: () => undefined, scryptLogN: 15, service: { autoReconnect: false } });
      c.start();
      if (from === 'passphrase') c.unlock(OLD_PASS);
      expect(() => c.changeProtection(choice(from, 'keychain'))).toThrow('crash before commit');
      expect(c.protection).toBe(from);
      await c.close();
      expect(readProtectionRecord(appPaths(dir).protectionFile)?.protection).toBe(from);
      const after = restart(dir);
      expect(after.c.status()).toMatchObject({ phase: 'ready', identity: { fingerprint: fp } });
      expect(after.kind).toBe(from);
      await after.c.close();
    });
  }

  it('refuses what makes no sense, and a wrong current passphrase changes nothing', async () => {
    const { dir } = await setUp('passphrase');
    const c = restart(dir).c;
    expect(() => c.changeProtection({ protection: 'key-file', passphrase: null, currentPassphrase: 'wrong horse battery' })).toThrow(/not your current passphrase/);
    expect(() => c.changeProtection({ protection: 'key-file', passphrase: null, currentPassphrase: null })).toThrow(/current passphrase is needed/);
    expect(() => c.changeProtection({ protection: 'passphrase', passphrase: null, currentPassphrase: OLD_PASS })).toThrow(/new passphrase/);
    expect(() => c.changeProtection({ protection: 'key-file', passphrase: NEW_PASS, currentPassphrase: OLD_PASS })).toThrow(/new passphrase/);
    expect(c.protection).toBe('passphrase');
    await c.close();
    const noKeychain = new AppController({ paths: appPaths(dir), keychain: { available: false, reason: 'none here', createSealer: () => createKeychainSealer(KEY) }, onEvent: () => undefined, log: () => undefined, scryptLogN: 15 });
    noKeychain.start();
    noKeychain.unlock(OLD_PASS);
    expect(() => noKeychain.changeProtection({ protection: 'keychain', passphrase: null, currentPassphrase: OLD_PASS })).toThrow(/keychain cannot be used: none here/);
    await noKeychain.close();
    const locked = controller(dir);
    locked.start();
    expect(() => locked.changeProtection({ protection: 'key-file', passphrase: null, currentPassphrase: OLD_PASS })).toThrow(/unlock it first/);
    await locked.close();
  });
});

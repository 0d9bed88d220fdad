/**
 * The app's phases over real data directories: setup, locked, ready and error; the protection
 * record; nothing deleted when the data cannot be opened. The OS keychain is a stand-in for
 * Electron's safeStorage (Electron's runtime cannot run here); the core, files and crypto are real.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync, rmSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AppController } from '../../../src/main/app-controller.ts';
import type { Keychain } from '../../../src/main/protection-choice.ts';
import { detectSealerKind } from '../../../src/main/protection-change.ts';
import { appPaths } from '../../../src/main/paths.ts';
import { readProtectionRecord, writeProtectionRecord, ProtectionRecordError } from '../../../src/main/protection-record.ts';
import { createKeychainSealer } from '../../../src/main/sealer.ts';
import { ServiceError } from '../../../src/core/service/errors.ts';
import type { Sealer } from '../../../src/core/storage/sealer.ts';
import { openDataDir } from '../../../src/core/storage/data-dir.ts';
import { randomBytes } from 'node:crypto';
import { tempDir } from './harness.ts';

const dirs: { remove: () => void }[] = [];
afterAll(() => {
  for (const d of dirs) d.remove();
});

function home(): string {
  const d = tempDir('parley-app-');
  dirs.push(d);
  return d.dir;
}

/** The keychain as main hands it to the controller: its key already unwrapped (sealer.test.ts covers the unwrapping). */
function keychainOver(key: Uint8Array = newKey(), available = true): Keychain & { sealers: number } {
  const keychain = {
    available,
    reason: available ? null : 'no keychain here',
    sealers: 0,
    createSealer: () => {
      keychain.sealers += 1;
      return createKeychainSealer(key);
    },
  };
  return keychain;
}

function newKey(): Uint8Array {
  return new Uint8Array(randomBytes(32));
}

function controller(userData: string, keychain: Keychain = keychainOver()): AppController {
  return new AppController({ paths: appPaths(userData), keychain, onEvent: () => undefined, log: () => undefined, scryptLogN: 15, service: { autoReconnect: false } });
}

/** Every file under a folder with its bytes, to prove that nothing changed. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    const path = join(dir, name);
    if (statSync(path).isFile()) out[name] = readFileSync(path).toString('base64');
  }
  return out;
}

describe('first run', () => {
  it('starts in setup and says whether the keychain is there', () => {
    expect(controller(home()).start()).toEqual({ phase: 'setup', keychainAvailable: true, identity: null, problem: null });
    expect(controller(home(), keychainOver(undefined, false)).start()).toEqual({ phase: 'setup', keychainAvailable: false, identity: null, problem: null });
  });

  it('setup with the keychain seals through safeStorage and remembers the choice, owner-only', async () => {
    const dir = home();
    const safe = newKey();
    const keychain = keychainOver(safe);
    const c = controller(dir, keychain);
    c.start();
    const id = c.setup({ name: 'Ada', protection: 'keychain', passphrase: null });
    expect(id).toMatchObject({ name: 'Ada', keyProtection: 'keychain' });
    expect(keychain.sealers).toBe(1);
    const paths = appPaths(dir);
    expect(readProtectionRecord(paths.protectionFile)).toEqual({ version: 1, protection: 'keychain' });
    expect(JSON.parse(readFileSync(paths.protectionFile, 'utf8'))).toEqual({ version: 1, protection: 'keychain' });
    if (process.platform !== 'win32') expect(statSync(paths.protectionFile).mode & 0o777).toBe(0o600);
    await c.close();

    const again = controller(dir, keychainOver(safe));
    expect(again.start()).toMatchObject({ phase: 'ready', identity: { fingerprint: id.fingerprint, name: 'Ada' } });
    await again.close();
  });

  it('refuses the keychain where there is none, a passphrase without passphrase protection, and the reverse', () => {
    const c = controller(home(), keychainOver(undefined, false));
    c.start();
    expect(() => c.setup({ name: 'Ada', protection: 'keychain', passphrase: null })).toThrow(/keychain cannot be used: no keychain here/);
    expect(() => c.setup({ name: 'Ada', protection: 'passphrase', passphrase: null })).toThrow(ServiceError);
    expect(() => c.setup({ name: 'Ada', protection: 'key-file', passphrase: 'correct horse' })).toThrow(ServiceError);
    expect(c.status().phase).toBe('setup');
  });
});

describe('later starts', () => {
  it('keychain data where the keychain has gone is an error that says so, and nothing is touched', async () => {
    const dir = home();
    const safe = newKey();
    const c = controller(dir, keychainOver(safe));
    c.start();
    c.setup({ name: 'Ada', protection: 'keychain', passphrase: null });
    await c.close();
    const before = snapshot(dir);
    const gone = controller(dir, keychainOver(safe, false));
    const status = gone.start();
    expect(status.phase).toBe('error');
    expect(status.problem).toMatch(/protected by the system keychain, but no keychain here.*Nothing was changed or deleted/);
    expect(() => gone.service()).toThrow('Parley could not open its data');
    expect(snapshot(dir)).toEqual(before);
  });

  it('a keychain that cannot decrypt (another machine) is an error, and nothing is touched', async () => {
    const dir = home();
    const c = controller(dir, keychainOver(newKey()));
    c.start();
    c.setup({ name: 'Ada', protection: 'keychain', passphrase: null });
    await c.close();
    const before = snapshot(dir);
    const other = controller(dir, keychainOver(newKey()));
    const status = other.start();
    expect(status).toMatchObject({ phase: 'error', identity: null });
    expect(status.problem).toMatch(/cannot unlock its stored identity.*Nothing was changed or deleted/);
    expect(snapshot(dir)).toEqual(before);
  });

  it('a missing key file is an error naming it; restoring it brings the identity back', async () => {
    const dir = home();
    const c = controller(dir);
    c.start();
    const id = c.setup({ name: 'Ada', protection: 'key-file', passphrase: null });
    await c.close();
    const keyPath = join(appPaths(dir).dataDir, 'sealer.key');
    const key = readFileSync(keyPath);
    rmSync(keyPath);
    const status = controller(dir).start();
    expect(status.phase).toBe('error');
    expect(status.problem).toContain(keyPath);
    writeFileSync(keyPath, key, { mode: 0o600 });
    const back = controller(dir);
    expect(back.start()).toMatchObject({ phase: 'ready', identity: { fingerprint: id.fingerprint } });
    await back.close();
  });

  it('a lost protection record is recovered from the data without unsealing anything', async () => {
    const dir = home();
    const c = controller(dir);
    c.start();
    c.setup({ name: 'Cy', protection: 'passphrase', passphrase: 'correct horse battery' });
    await c.close();
    const paths = appPaths(dir);
    rmSync(paths.protectionFile);
    expect(detectSealerKind(paths.dataDir)).toBe('passphrase');
    const again = controller(dir);
    expect(again.start().phase).toBe('locked');
    expect(readProtectionRecord(paths.protectionFile)).toEqual({ version: 1, protection: 'passphrase' });
    expect(() => again.unlock('wrong horse battery')).toThrow(expect.objectContaining({ code: 'unseal-failed' }));
    expect(again.status().phase).toBe('locked');
    expect(again.unlock('correct horse battery')).toMatchObject({ name: 'Cy', keyProtection: 'passphrase' });
    await again.close();
  });

  it('a database without an identity (a first setup that was interrupted) goes back to setup', () => {
    const dir = home();
    const paths = appPaths(dir);
    const failing: Sealer = {
      kind: 'key-file',
      seal: () => {
        throw new Error('power cut');
      },
      unseal: () => {
        throw new Error('unreachable');
      },
    };
    expect(() => openDataDir(paths.dataDir, { sealer: failing })).toThrow('power cut');
    expect(existsSync(join(paths.dataDir, 'parley.db'))).toBe(true);
    expect(detectSealerKind(paths.dataDir)).toBeNull();
    const c = controller(dir);
    expect(c.start().phase).toBe('setup');
    expect(existsSync(paths.protectionFile)).toBe(false);
    expect(c.setup({ name: 'Ada', protection: 'key-file', passphrase: null }).name).toBe('Ada');
    return c.close();
  });

  it('a damaged protection record is an error that names the file; nothing is deleted', () => {
    const dir = home();
    const paths = appPaths(dir);
    writeProtectionRecord(paths.protectionFile, 'key-file');
    writeFileSync(paths.protectionFile, '{"version":1,"protection":"rot13"}');
    expect(() => readProtectionRecord(paths.protectionFile)).toThrow(ProtectionRecordError);
    const status = controller(dir).start();
    expect(status.phase).toBe('error');
    expect(status.problem).toContain(paths.protectionFile);
    expect(readFileSync(paths.protectionFile, 'utf8')).toBe('{"version":1,"protection":"rot13"}');
  });

  it('a data folder open to other users is refused with the fix, not changed', async () => {
    if (process.platform === 'win32') return;
    const dir = home();
    const c = controller(dir);
    c.start();
    c.setup({ name: 'Ada', protection: 'key-file', passphrase: null });
    await c.close();
    chmodSync(appPaths(dir).dataDir, 0o755);
    const status = controller(dir).start();
    expect(status.phase).toBe('error');
    expect(status.problem).toMatch(/open to other users.*chmod 700.*Nothing was changed or deleted/);
    expect(statSync(appPaths(dir).dataDir).mode & 0o777).toBe(0o755);
  });
});

describe('protection record', () => {
  it('reads back what was written and refuses what is not a record', () => {
    const dir = home();
    const path = join(dir, 'sub', 'key-protection.json');
    expect(readProtectionRecord(path)).toBeNull();
    for (const kind of ['keychain', 'passphrase', 'key-file'] as const) {
      writeProtectionRecord(path, kind);
      expect(readProtectionRecord(path)).toEqual({ version: 1, protection: kind });
    }
    expect(readdirSync(join(dir, 'sub'))).toEqual(['key-protection.json']); // no temporary file left
    for (const bad of ['', 'null', '[]', '{"version":2,"protection":"keychain"}', '{"version":1}', 'x'.repeat(5000)]) {
      writeFileSync(path, bad);
      expect(() => readProtectionRecord(path), bad.slice(0, 20)).toThrow(ProtectionRecordError);
    }
    expect(() => writeProtectionRecord(path, 'unprotected' as never)).toThrow(RangeError);
  });
});

describe('close', () => {
  it('closes the service and is idempotent; the service is gone afterwards', async () => {
    const c = controller(home());
    c.start();
    c.setup({ name: 'Ada', protection: 'key-file', passphrase: null });
    const service = c.service();
    await service.host({ port: 0, bind: '127.0.0.1' });
    await c.close();
    await c.close();
    expect(() => c.service()).toThrow(ServiceError);
    await expect(service.host({ port: 0, bind: '127.0.0.1' })).rejects.toThrow('the service is closed');
  });
});

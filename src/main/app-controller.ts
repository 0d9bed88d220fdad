/**
 * The app's phases around the core: 'setup' (no identity yet), 'locked' (a passphrase is needed),
 * 'ready' (the service runs) and 'error' (the data cannot be opened: said plainly, never deleted).
 * Which protection was chosen is remembered in a small record outside the sealed data.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createKeyFileSealer } from '../core/identity/key-file-sealer.ts';
import { createPassphraseSealer } from '../core/identity/passphrase-sealer.ts';
import type { Sealer, SealerKind } from '../core/storage/sealer.ts';
import { ServiceError } from '../core/service/errors.ts';
import { ParleyService, type ServiceOptions } from '../core/service/parley-service.ts';
import { DB_FILE_NAME } from '../core/storage/database.ts';
import { openDataDir, type Store } from '../core/storage/data-dir.ts';
import { StorageError } from '../core/storage/storage-error.ts';
import type { IdentityDto, ParleyEvent } from '../shared/dto.ts';
import type { AppStatus, Args } from '../shared/ipc/schemas.ts';
import { readFileSettings, toCoreSettings } from './file-settings.ts';
import type { AppPaths } from './paths.ts';
import { applyProtectionChange, detectSealerKind, reconcileRecord, type ProtectionStep } from './protection-change.ts';
import { dhtSettingsFrom, readReachSettings } from './reach-settings.ts';
import { ProtectionRecordError, readProtectionRecord, writeProtectionRecord } from './protection-record.ts';

/** The OS keychain as the controller sees it: whether it is usable, and a sealer over it. */
export type Keychain = {
  readonly available: boolean;
  /** Why not, in plain words (null when available). */
  readonly reason: string | null;
  createSealer(): Sealer;
};

/** What first-run setup receives (the `app:setup` argument). */
export type SetupChoice = { readonly name: string; readonly protection: SealerKind; readonly passphrase: string | null };

/** What a change of protection receives (the `app:change-protection` argument). */
export type ProtectionChoice = Args<'app:change-protection'>[0];

/** Options of the controller. */
export type AppControllerOptions = {
  readonly paths: AppPaths;
  readonly keychain: Keychain;
  /** Every service event (forwarded to the window, notifications, badge). */
  readonly onEvent: (event: ParleyEvent) => void;
  /** Called once the service runs (after start, setup or unlock). */
  readonly onReady?: (service: ParleyService) => void;
  /** Diagnostics for the developer's console; never secrets. */
  readonly log: (line: string) => void;
  /** Where received files go by default: `Parley` in the user's Downloads (app.getPath('downloads')); tests: under userData. */
  readonly defaultDownloadDir?: string;
  /** scrypt cost (log2 N) for a new passphrase seal; the core's default unless a test lowers it. */
  readonly scryptLogN?: number;
  /** Extra service options (tests shorten timers). */
  readonly service?: Partial<Omit<ServiceOptions, 'store' | 'keyProtection' | 'log'>>;
  /** Observes each step of a protection change; crash tests throw here (protection-change.ts). */
  readonly onProtectionStep?: (step: ProtectionStep) => void;
};

type Phase = AppStatus['phase'];

/** See the module comment. One per app; not reused after close(). */
export class AppController {
  readonly #opts: AppControllerOptions;
  #phase: Phase = 'setup';
  #problem: string | null = null;
  #protection: SealerKind | null = null;
  #service: ParleyService | null = null;
  #store: Store | null = null;
  #unsubscribe: (() => void) | null = null;
  #closed = false;

  constructor(options: AppControllerOptions) {
    this.#opts = options;
  }

  /** Decides the first phase: reads the record (or recovers it from the data) and opens keychain/key-file data. */
  start(): AppStatus {
    try {
      const record = readProtectionRecord(this.#opts.paths.protectionFile);
      let kind = record?.protection ?? null;
      if (kind === null && existsSync(join(this.#opts.paths.dataDir, DB_FILE_NAME))) {
        kind = detectSealerKind(this.#opts.paths.dataDir);
        if (kind !== null) writeProtectionRecord(this.#opts.paths.protectionFile, kind);
      } else if (kind !== null) kind = reconcileRecord(this.#opts.paths, kind, detectSealerKind, this.#opts.log);
      this.#protection = kind;
      if (kind === null) this.#phase = 'setup';
      else if (kind === 'passphrase') this.#phase = 'locked';
      else if (kind === 'keychain' && !this.#opts.keychain.available) {
        this.#fail(
          `Your Parley identity is protected by the system keychain, but ${this.#opts.keychain.reason ?? 'the keychain is not available'}. ` +
            'Start Parley in the desktop session where you created it. Nothing was changed or deleted.',
        );
      } else this.#open(this.#sealerFor(kind, null));
    } catch (error) {
      this.#fail(describeFailure(error, this.#opts.paths));
    }
    return this.status();
  }

  /** What the renderer needs to choose its first screen. */
  status(): AppStatus {
    return {
      phase: this.#phase,
      keychainAvailable: this.#opts.keychain.available,
      identity: this.#service?.identity() ?? null,
      problem: this.#phase === 'error' ? this.#problem : null,
    };
  }

  /** Whether the OS keychain can protect keys here. */
  get keychainAvailable(): boolean {
    return this.#opts.keychain.available;
  }

  /** The protection in use (null before setup). */
  get protection(): SealerKind | null {
    return this.#protection;
  }

  /** Forwards an event that is not the service's own (join progress) the way the service's are. */
  emit(event: ParleyEvent): void {
    this.#opts.onEvent(event);
  }

  /** Where received files go by default. */
  get defaultDownloadDir(): string {
    return this.#opts.defaultDownloadDir ?? join(this.#opts.paths.userData, 'Downloads', 'Parley');
  }

  /** Where the data lives. */
  get dataDir(): string {
    return this.#opts.paths.dataDir;
  }

  /** First run: creates the identity under the chosen protection and starts the service. */
  setup(choice: SetupChoice): IdentityDto {
    if (this.#phase !== 'setup') throw new ServiceError('bad-input', 'Parley is already set up on this computer');
    if (choice.protection === 'keychain' && !this.#opts.keychain.available) {
      throw new ServiceError('bad-input', `The system keychain cannot be used: ${this.#opts.keychain.reason ?? 'it is not available'}. Choose a passphrase or the key file.`);
    }
    if (choice.protection === 'passphrase' && choice.passphrase === null) throw new ServiceError('bad-input', 'Choose a passphrase (at least 8 characters)');
    if (choice.protection !== 'passphrase' && choice.passphrase !== null) throw new ServiceError('bad-input', 'A passphrase goes only with passphrase protection');
    const sealer = this.#sealerFor(choice.protection, choice.passphrase);
    let store: Store;
    try {
      store = openDataDir(this.#opts.paths.dataDir, { sealer });
    } catch (error) {
      throw toServiceError(error, this.#opts.paths);
    }
    try {
      store.settings.setDisplayName(choice.name);
    } catch (error) {
      store.close();
      throw toServiceError(error, this.#opts.paths);
    }
    try {
      writeProtectionRecord(this.#opts.paths.protectionFile, choice.protection);
    } catch (error) {
      // Not fatal: the next start finds the protection from the data itself (detectSealerKind).
      this.#opts.log(`cannot write ${this.#opts.paths.protectionFile}: ${error instanceof Error ? error.message : String(error)}`);
    }
    this.#protection = choice.protection;
    return this.#run(store).identity();
  }

  /** Opens passphrase-protected data. A wrong passphrase leaves the app locked ('unseal-failed'). */
  unlock(passphrase: string): IdentityDto {
    if (this.#phase !== 'locked') throw new ServiceError('bad-input', this.#phase === 'ready' ? 'Parley is already unlocked' : 'Parley has no passphrase to unlock');
    let store: Store;
    try {
      store = openDataDir(this.#opts.paths.dataDir, { sealer: this.#sealerFor('passphrase', passphrase) });
    } catch (error) {
      if (error instanceof StorageError && error.code === 'unseal-failed') {
        throw new ServiceError('unseal-failed', 'That passphrase does not unlock your Parley data. Nothing was changed.');
      }
      this.#fail(describeFailure(error, this.#opts.paths));
      throw toServiceError(error, this.#opts.paths);
    }
    return this.#run(store).identity();
  }

  /**
   * Changes the protection of the running identity (passphrase ↔ keychain ↔ key file, or a new
   * passphrase). Leaving a passphrase needs it (currentPassphrase); a wrong one changes nothing.
   */
  changeProtection(choice: ProtectionChoice): SealerKind {
    const store = this.#store;
    const current = this.#protection;
    if (this.#phase !== 'ready' || store === null || current === null) throw new ServiceError('bad-input', 'Set Parley up or unlock it first');
    const target = choice.protection;
    if (target === current && target !== 'passphrase') throw new ServiceError('bad-input', `Your identity is already protected by the ${target}`);
    if (target === 'keychain' && !this.#opts.keychain.available) {
      throw new ServiceError('bad-input', `The system keychain cannot be used: ${this.#opts.keychain.reason ?? 'it is not available'}`);
    }
    if ((target === 'passphrase') !== (choice.passphrase !== null)) throw new ServiceError('bad-input', 'A new passphrase goes with passphrase protection, and only with it');
    if ((current === 'passphrase') !== (choice.currentPassphrase !== null)) throw new ServiceError('bad-input', 'The current passphrase is needed to change it, and only then');
    try {
      const next = this.#sealerFor(target, choice.passphrase);
      const change = { store, current: this.#sealerFor(current, choice.currentPassphrase), next, paths: this.#opts.paths, log: this.#opts.log };
      applyProtectionChange({ ...change, onStep: this.#opts.onProtectionStep });
    } catch (error) {
      this.#protection = store.sealerKind; // what the data says, whatever step failed
      if (error instanceof StorageError && error.code === 'unseal-failed' && current === 'passphrase') {
        throw new ServiceError('unseal-failed', 'That is not your current passphrase. Nothing was changed.');
      }
      throw toServiceError(error, this.#opts.paths);
    }
    this.#protection = target;
    this.#opts.log(`key protection changed from ${current} to ${target}`);
    return target;
  }

  /** The running service; ServiceError('bad-input') before setup/unlock or after an error. */
  service(): ParleyService {
    if (this.#service === null) {
      const why = { setup: 'Set Parley up first', locked: 'Unlock Parley first', ready: 'Parley is closing', error: 'Parley could not open its data' }[this.#phase];
      throw new ServiceError('bad-input', why);
    }
    return this.#service;
  }

  /** Closes the service (every session with 'quit', the listener, the database). Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const service = this.#service;
    this.#service = null;
    this.#store = null;
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    if (service) await service.close();
  }

  #open(sealer: Sealer): void {
    this.#run(openDataDir(this.#opts.paths.dataDir, { sealer }));
  }

  #run(store: Store): ParleyService {
    if (this.#closed) {
      store.close();
      throw new ServiceError('internal', 'Parley is closing');
    }
    const keyProtection = store.sealerKind;
    // The app always reaches through the DHT too (the host screen's default answer); its settings
    // come from the store, read at start: a change applies the next time Parley starts.
    const dht = this.#opts.service?.dht ?? dhtSettingsFrom(readReachSettings(store.settings));
    const files = toCoreSettings(readFileSettings(store.settings, this.defaultDownloadDir));
    const service = new ParleyService({ files, ...this.#opts.service, dht, store, keyProtection, log: this.#opts.log });
    this.#unsubscribe = service.on(this.#opts.onEvent);
    this.#service = service;
    this.#store = store;
    this.#phase = 'ready';
    this.#problem = null;
    this.#opts.onReady?.(service);
    return service;
  }

  #sealerFor(kind: SealerKind, passphrase: string | null): Sealer {
    switch (kind) {
      case 'keychain':
        return this.#opts.keychain.createSealer();
      case 'key-file':
        return createKeyFileSealer(this.#opts.paths.dataDir);
      case 'passphrase':
        if (passphrase === null) throw new ServiceError('bad-input', 'a passphrase is needed');
        return createPassphraseSealer(passphrase, this.#opts.scryptLogN === undefined ? {} : { logN: this.#opts.scryptLogN });
    }
  }

  #fail(problem: string): void {
    this.#phase = 'error';
    this.#problem = problem;
    this.#opts.log(`cannot open the data: ${problem}`);
  }
}

function describeFailure(error: unknown, paths: AppPaths): string {
  const unchanged = 'Nothing was changed or deleted.';
  if (error instanceof ProtectionRecordError) {
    return `Parley cannot read the record of how your identity is protected (${error.message}). Restore or remove that file; your data in ${paths.dataDir} was not touched.`;
  }
  if (error instanceof StorageError) {
    switch (error.code) {
      case 'unseal-failed':
        return `Parley cannot unlock its stored identity: ${error.message}. ${unchanged}`;
      case 'data-dir':
        return `Parley cannot use its data folder: ${error.message}. ${unchanged}`;
      case 'corrupt':
        return `Parley's stored data looks damaged: ${error.message}. ${unchanged}`;
      case 'schema-too-new':
        return `Your data was written by a newer version of Parley: ${error.message}. ${unchanged}`;
    }
  }
  if (error instanceof ServiceError) return `${error.message}. ${unchanged}`;
  return `Parley could not open its data in ${paths.dataDir} (${error instanceof Error ? error.message : String(error)}). ${unchanged}`;
}

/** A storage or file-system failure as a ServiceError with a plain sentence; anything else (a bug) as it is. */
function toServiceError(error: unknown, paths: AppPaths): unknown {
  if (error instanceof ServiceError) return error;
  if (error instanceof StorageError && error.code === 'unseal-failed') return new ServiceError('unseal-failed', describeFailure(error, paths));
  const fsCode = (error as NodeJS.ErrnoException | null)?.code;
  if (error instanceof StorageError || error instanceof ProtectionRecordError || typeof fsCode === 'string') {
    return new ServiceError('data-dir', describeFailure(error, paths));
  }
  return error;
}

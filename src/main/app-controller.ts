/**
 * The app's phases around the core: 'setup' (no identity yet), 'locked' (a passphrase is needed),
 * 'ready' (the service runs) and 'error' (the data cannot be opened: said plainly, never deleted).
 * Which protection was chosen is remembered in a small record outside the sealed data.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Sealer, SealerKind } from '../core/storage/sealer.ts';
import { ServiceError } from '../core/service/errors.ts';
import { ParleyService, type ServiceOptions } from '../core/service/parley-service.ts';
import { DB_FILE_NAME } from '../core/storage/database.ts';
import { openDataDir, type Store } from '../core/storage/data-dir.ts';
import { StorageError } from '../core/storage/storage-error.ts';
import type { IdentityDto, ParleyEvent } from '../shared/dto.ts';
import type { AppStatus } from '../shared/ipc/schemas.ts';
import { readFileSettings, toCoreSettings } from './file-settings.ts';
import { describeFailure, toServiceError } from './open-failure.ts';
import type { AppPaths } from './paths.ts';
import { applyProtectionChange, detectSealerKind, reconcileRecord, type ProtectionStep } from './protection-change.ts';
import { checkProtectionChange, checkSetupChoice, sealerFor, type Keychain, type ProtectionChoice, type SetupChoice } from './protection-choice.ts';
import { dhtSettingsFrom, readReachSettings } from './reach-settings.ts';
import { readProtectionRecord, writeProtectionRecord } from './protection-record.ts';

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
      } else this.#open(sealerFor(kind, null, this.#opts));
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
    checkSetupChoice(choice, this.#opts.keychain);
    const sealer = sealerFor(choice.protection, choice.passphrase, this.#opts);
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
      store = openDataDir(this.#opts.paths.dataDir, { sealer: sealerFor('passphrase', passphrase, this.#opts) });
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
    checkProtectionChange(current, choice, this.#opts.keychain);
    const target = choice.protection;
    try {
      const next = sealerFor(target, choice.passphrase, this.#opts);
      const change = { store, current: sealerFor(current, choice.currentPassphrase, this.#opts), next, paths: this.#opts.paths, log: this.#opts.log };
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

  #fail(problem: string): void {
    this.#phase = 'error';
    this.#problem = problem;
    this.#opts.log(`cannot open the data: ${problem}`);
  }
}

/**
 * The protection a user chooses for the identity (keychain, key file or passphrase): what setup and
 * a change of protection accept, and the Sealer each choice stands for.
 */
import { createKeyFileSealer } from '../core/identity/key-file-sealer.ts';
import { createPassphraseSealer } from '../core/identity/passphrase-sealer.ts';
import { ServiceError } from '../core/service/errors.ts';
import type { Sealer, SealerKind } from '../core/storage/sealer.ts';
import type { Args } from '../shared/ipc/schemas.ts';

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

/** Where the sealers find their keys: the keychain, the data folder (key file), the scrypt cost. */
export type SealerSources = {
  readonly keychain: Keychain;
  readonly paths: { readonly dataDir: string };
  /** scrypt cost (log2 N) for a new passphrase seal; the core's default when absent. */
  readonly scryptLogN?: number | undefined;
};

/** Refuses a first-run choice that cannot be carried out (ServiceError 'bad-input'). */
export function checkSetupChoice(choice: SetupChoice, keychain: Keychain): void {
  if (choice.protection === 'keychain' && !keychain.available) {
    throw new ServiceError('bad-input', `The system keychain cannot be used: ${keychain.reason ?? 'it is not available'}. Choose a passphrase or the key file.`);
  }
  if (choice.protection === 'passphrase' && choice.passphrase === null) throw new ServiceError('bad-input', 'Choose a passphrase (at least 8 characters)');
  if (choice.protection !== 'passphrase' && choice.passphrase !== null) throw new ServiceError('bad-input', 'A passphrase goes only with passphrase protection');
}

/** Refuses a change away from `current` that cannot or need not be made (ServiceError 'bad-input'). */
export function checkProtectionChange(current: SealerKind, choice: ProtectionChoice, keychain: Keychain): void {
  const target = choice.protection;
  if (target === current && target !== 'passphrase') throw new ServiceError('bad-input', `Your identity is already protected by the ${target}`);
  if (target === 'keychain' && !keychain.available) {
    throw new ServiceError('bad-input', `The system keychain cannot be used: ${keychain.reason ?? 'it is not available'}`);
  }
  if ((target === 'passphrase') !== (choice.passphrase !== null)) throw new ServiceError('bad-input', 'A new passphrase goes with passphrase protection, and only with it');
  if ((current === 'passphrase') !== (choice.currentPassphrase !== null)) throw new ServiceError('bad-input', 'The current passphrase is needed to change it, and only then');
}

/** The Sealer for a protection; a passphrase is needed for (and only used by) 'passphrase'. */
export function sealerFor(kind: SealerKind, passphrase: string | null, sources: SealerSources): Sealer {
  switch (kind) {
    case 'keychain':
      return sources.keychain.createSealer();
    case 'key-file':
      return createKeyFileSealer(sources.paths.dataDir);
    case 'passphrase':
      if (passphrase === null) throw new ServiceError('bad-input', 'a passphrase is needed');
      return createPassphraseSealer(passphrase, sources.scryptLogN === undefined ? {} : { logN: sources.scryptLogN });
  }
}

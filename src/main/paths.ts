/** Where the desktop app keeps things: everything under Electron's per-user `userData` folder. */
import { isAbsolute, join } from 'node:path';

/** The app's paths, derived from `app.getPath('userData')` (pure, so tests build them for a temp folder). */
export type AppPaths = {
  /** Electron's userData folder (Chromium's own files live here too). */
  readonly userData: string;
  /** The core's data directory: parley.db and whatever the sealer keeps. Created 0700 by the core. */
  readonly dataDir: string;
  /** Which protection the user chose, kept outside the sealed data so start-up knows what to ask for. */
  readonly protectionFile: string;
  /** The key the OS keychain protects (wrapped by safeStorage); it seals the identity under 'keychain'. */
  readonly keychainKeyFile: string;
};

/** The desktop app's data folder name; never the headless peer's (`parley-peer`). */
export const DATA_DIR_NAME = 'data';
/** The protection record's file name. */
export const PROTECTION_FILE_NAME = 'key-protection.json';
/** The keychain-wrapped key's file name. */
export const KEYCHAIN_KEY_FILE_NAME = 'keychain.key';

/** Builds the app's paths under `userData` (an absolute path). */
export function appPaths(userData: string): AppPaths {
  if (typeof userData !== 'string' || !isAbsolute(userData)) throw new TypeError('userData must be an absolute path');
  return {
    userData,
    dataDir: join(userData, DATA_DIR_NAME),
    protectionFile: join(userData, PROTECTION_FILE_NAME),
    keychainKeyFile: join(userData, KEYCHAIN_KEY_FILE_NAME),
  };
}

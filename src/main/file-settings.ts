/**
 * The app's files settings (issue 10), kept in the core's settings table: the download folder
 * (default `Parley` inside the user's Downloads), the size cap (default 4 GiB) and auto-accept
 * from verified contacts (off by default). Stored values are parsed back from text and fall back
 * to the defaults when unreadable, so a damaged value never stops the app.
 */
import { isAbsolute } from 'node:path';
import type { SettingsRepo } from '../core/storage/settings-repo.ts';
import { DEFAULT_MAX_FILE_SIZE } from '../core/files/file-link.ts';
import type { FilesSettings } from '../core/service/file-transfers.ts';
import { MAX_FILE_SIZE_RANGE } from '../shared/ipc/schemas.ts';

const DIR_KEY = 'files.download-dir';
const MAX_KEY = 'files.max-size';
const AUTO_KEY = 'files.auto-accept-verified';

/** The settings as the app uses them (the core's FilesSettings with a folder always set). */
export type AppFileSettings = { readonly acceptDir: string; readonly maxFileSize: number; readonly autoAcceptVerified: boolean };

/** Reads the settings; `defaultDir` is `<Downloads>/Parley`. */
export function readFileSettings(settings: Pick<SettingsRepo, 'get'>, defaultDir: string): AppFileSettings {
  const dir = settings.get(DIR_KEY);
  const max = Number(settings.get(MAX_KEY));
  return {
    acceptDir: dir !== null && isAbsolute(dir) ? dir : defaultDir,
    maxFileSize: Number.isSafeInteger(max) && max >= MAX_FILE_SIZE_RANGE.min && max <= MAX_FILE_SIZE_RANGE.max ? max : DEFAULT_MAX_FILE_SIZE,
    autoAcceptVerified: settings.get(AUTO_KEY) === 'true',
  };
}

/** Stores the changed fields and returns the whole new settings. */
export function writeFileSettings(settings: Pick<SettingsRepo, 'get' | 'set'>, defaultDir: string, change: Partial<AppFileSettings>): AppFileSettings {
  if (change.acceptDir !== undefined) settings.set(DIR_KEY, change.acceptDir);
  if (change.maxFileSize !== undefined) settings.set(MAX_KEY, String(change.maxFileSize));
  if (change.autoAcceptVerified !== undefined) settings.set(AUTO_KEY, String(change.autoAcceptVerified));
  return readFileSettings(settings, defaultDir);
}

/**
 * What the core gets. The core's folder means "accept into it by itself" (from everyone, as the
 * CLI's --accept-files does), which the app never wants: without auto-accept the folder is left
 * out and main passes it to each acceptFile; with it, only verified contacts' offers are accepted.
 */
export function toCoreSettings(s: AppFileSettings): FilesSettings {
  return s.autoAcceptVerified ? { acceptDir: s.acceptDir, maxFileSize: s.maxFileSize, autoAcceptVerified: true } : { acceptDir: null, maxFileSize: s.maxFileSize };
}

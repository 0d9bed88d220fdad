/** Key/value settings, with typed accessors for the ones the core itself reads. */
import type { DatabaseSync } from 'node:sqlite';
import { DEFAULT_PORT } from '../protocol/invite.ts';
import { assertName } from './validate.ts';

/** The port `host` listens on when none is given (CLI.md): the invite's default port. */
export { DEFAULT_PORT };

const KEY_RE = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const MAX_VALUE_LENGTH = 64 * 1024;
const DISPLAY_NAME = 'display-name';
const DEFAULT_PORT_KEY = 'default-port';

/** The settings repository of an open store. */
export type SettingsRepo = {
  /** The raw value, or null if unset. */
  get(key: string): string | null;
  /** Sets a raw value (keys: lowercase letters, digits, `.`, `_`, `-`; values up to 64 KiB). */
  set(key: string, value: string): void;
  /** Removes a value; false if it was not set. */
  delete(key: string): boolean;
  /** Our display name for the hello ('' until set). */
  getDisplayName(): string;
  /** Sets our display name (a valid hello name: up to 64 code points, no control characters). */
  setDisplayName(name: string): void;
  /** The port to host on (47800 until set). */
  getDefaultPort(): number;
  /** Sets the port to host on (0 lets the system pick, as `--port 0` does). */
  setDefaultPort(port: number): void;
};

/** Builds the repository over an open, migrated database. */
export function createSettingsRepo(db: DatabaseSync): SettingsRepo {
  const select = db.prepare('SELECT value FROM settings WHERE key = ?');
  const upsert = db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
  const remove = db.prepare('DELETE FROM settings WHERE key = ?');

  const get = (key: string): string | null => {
    const row = select.get(key);
    return row === undefined ? null : String(row['value']);
  };

  return {
    get(key) {
      assertKey(key);
      return get(key);
    },
    set(key, value) {
      assertKey(key);
      if (typeof value !== 'string') throw new TypeError('value must be a string');
      if (value.length > MAX_VALUE_LENGTH || !value.isWellFormed()) throw new RangeError('value must be well-formed text up to 64 KiB');
      upsert.run(key, value);
    },
    delete(key) {
      assertKey(key);
      return remove.run(key).changes === 1;
    },
    getDisplayName() {
      const name = get(DISPLAY_NAME);
      return name ?? '';
    },
    setDisplayName(name) {
      assertName('name', name);
      upsert.run(DISPLAY_NAME, name);
    },
    getDefaultPort() {
      const value = get(DEFAULT_PORT_KEY);
      const port = value !== null && /^[0-9]{1,5}$/.test(value) ? Number(value) : Number.NaN;
      // A value edited by hand into nonsense falls back to the default rather than failing start-up.
      return Number.isInteger(port) && port >= 0 && port <= 65535 ? port : DEFAULT_PORT;
    },
    setDefaultPort(port) {
      if (typeof port !== 'number') throw new TypeError('port must be a number');
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError('port must be an integer from 0 to 65535');
      upsert.run(DEFAULT_PORT_KEY, String(port));
    },
  };
}

function assertKey(key: unknown): asserts key is string {
  if (typeof key !== 'string') throw new TypeError('key must be a string');
  if (!KEY_RE.test(key)) throw new RangeError('key must be 1-64 of a-z 0-9 . _ - starting with a letter or digit');
}

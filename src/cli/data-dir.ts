/** The headless peer's per-user directories: the default data directory (never the desktop app's) and its cache. */
import { homedir } from 'node:os';
import { join } from 'node:path';

/** `$XDG_DATA_HOME/parley-peer` on Linux and BSDs, the platform's app-data folder elsewhere. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32') return join(env['APPDATA'] ?? join(homedir(), 'AppData', 'Roaming'), 'parley-peer');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'parley-peer');
  const xdg = env['XDG_DATA_HOME'];
  return join(xdg && xdg.startsWith('/') ? xdg : join(homedir(), '.local', 'share'), 'parley-peer');
}

/**
 * Where Node keeps the peer's compile cache (code, no secrets): `$XDG_CACHE_HOME/parley-peer` on
 * Linux and BSDs, the platform's cache folder elsewhere.
 */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32') return join(env['LOCALAPPDATA'] ?? join(homedir(), 'AppData', 'Local'), 'parley-peer', 'cache');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Caches', 'parley-peer');
  const xdg = env['XDG_CACHE_HOME'];
  return join(xdg && xdg.startsWith('/') ? xdg : join(homedir(), '.cache'), 'parley-peer');
}

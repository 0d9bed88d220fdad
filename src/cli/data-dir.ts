/** The headless peer's default data directory: per user, and never the desktop app's. */
import { homedir } from 'node:os';
import { join } from 'node:path';

/** `$XDG_DATA_HOME/parley-peer` on Linux and BSDs, the platform's app-data folder elsewhere. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32') return join(env['APPDATA'] ?? join(homedir(), 'AppData', 'Roaming'), 'parley-peer');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'parley-peer');
  const xdg = env['XDG_DATA_HOME'];
  return join(xdg && xdg.startsWith('/') ? xdg : join(homedir(), '.local', 'share'), 'parley-peer');
}

/**
 * The real desktop app in Electron, first run: the hardened window, the registry-shaped API and
 * nothing of Node in the page, the setup screen, an identity created through `window.parley`, and
 * the same identity after a restart.
 *
 * It runs wherever an Electron binary exists (PARLEY_ELECTRON, ELECTRON_OVERRIDE_DIST_PATH, or the
 * runtime the `electron` package downloaded) and reports itself as SKIPPED where none does, as on
 * the machines that cannot download Electron. It needs the build (`electron-vite build`), which
 * `npm test` runs before Playwright.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { _electron as electron, expect, test, type ElectronApplication, type Page } from '@playwright/test';
import { CHANNELS } from '../../src/shared/ipc/channels.ts';

// tests/e2e is an ES module folder (tests/e2e/package.json), so the spec finds the root from its own URL.
const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
const MAIN_BUNDLE = join(ROOT, 'out', 'main', 'index.js');

/** Where Electron's executable sits inside a dist folder, per platform. */
function binaryIn(dist: string): string {
  if (process.platform === 'win32') return join(dist, 'electron.exe');
  if (process.platform === 'darwin') return join(dist, 'Electron.app', 'Contents', 'MacOS', 'Electron');
  return join(dist, 'electron');
}

/** An Electron executable, or null. Never triggers the `electron` package's download. */
function findElectron(): string | null {
  const explicit = process.env['PARLEY_ELECTRON'];
  if (explicit && existsSync(explicit)) return explicit;
  const override = process.env['ELECTRON_OVERRIDE_DIST_PATH'];
  if (override && existsSync(binaryIn(override))) return binaryIn(override);
  const pkg = join(ROOT, 'node_modules', 'electron');
  const pathTxt = join(pkg, 'path.txt'); // written by the package once its runtime is downloaded
  if (existsSync(pathTxt)) {
    const bin = join(pkg, 'dist', readFileSync(pathTxt, 'utf8').trim());
    if (existsSync(bin)) return bin;
  }
  return null;
}

const ELECTRON = findElectron();

type Parley = Record<string, (...args: unknown[]) => Promise<unknown>>;

async function launch(executablePath: string, userData: string): Promise<{ app: ElectronApplication; page: Page }> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== 'ELECTRON_RENDERER_URL' && k !== 'ELECTRON_RUN_AS_NODE') env[k] = v;
  env['PARLEY_USER_DATA_DIR'] = userData; // a throw-away profile (honoured by unpackaged runs only)
  const app = await electron.launch({ executablePath, args: [ROOT], env, cwd: ROOT });
  const page = await app.firstWindow();
  await page.waitForLoadState('domcontentloaded');
  return { app, page };
}

test.describe('the desktop app in Electron', () => {
  test.skip(
    ELECTRON === null,
    'SKIPPED: no Electron runtime binary on this machine (it cannot be downloaded here). Set PARLEY_ELECTRON to an Electron 45 executable, or run npm start once where the download host is reachable.',
  );
  test.skip(!existsSync(MAIN_BUNDLE), 'SKIPPED: the app is not built; run `npx electron-vite build` first.');

  test('first run: hardened window, setup screen, identity kept across a restart', async () => {
    const userData = await mkdtemp(join(tmpdir(), 'parley-electron-'));
    try {
      let { app, page } = await launch(ELECTRON as string, userData);
      await expect(page).toHaveTitle('Parley');
      expect(await app.evaluate(({ app: a }) => a.getPath('userData'))).toBe(userData);

      // Renderer processes run sandboxed (the flag is reported on macOS and Windows only).
      const sandboxed = await app.evaluate(({ app: a }) => a.getAppMetrics().filter((m) => m.type === 'Tab').map((m) => m.sandboxed));
      expect(sandboxed.length).toBeGreaterThan(0);
      expect(sandboxed).not.toContain(false);

      // The page sees the registry and nothing of Node; no <webview>; window.open opens nothing.
      const shape = await page.evaluate(() => {
        const g = globalThis as unknown as Record<string, unknown>;
        const registry = (g['customElements'] as { get(name: string): unknown }).get('webview');
        return {
          keys: Object.keys(g['parley'] as object).sort(),
          frozen: Object.isFrozen(g['parley']),
          require: typeof g['require'],
          process: typeof g['process'],
          webview: registry === undefined,
          opened: (g['open'] as (url: string) => unknown)('https://example.org/') === null,
        };
      });
      expect(shape).toEqual({
        keys: [...Object.values(CHANNELS), 'onEvent'].sort(),
        frozen: true,
        require: 'undefined',
        process: 'undefined',
        webview: true,
        opened: true,
      });

      // First run: the setup screen, and a status that says so.
      const status = await page.evaluate(() => ((globalThis as unknown as { parley: Parley }).parley['getStatus'] as () => Promise<unknown>)());
      expect(status).toMatchObject({ ok: true, value: { phase: 'setup', identity: null, problem: null } });
      await expect(page.getByRole('heading', { name: 'Welcome to Parley' })).toBeVisible();
      await mkdir(join(ROOT, 'reports', 'screenshots'), { recursive: true });
      await page.screenshot({ path: join(ROOT, 'reports', 'screenshots', 'electron-first-run.png') });

      const created = (await page.evaluate(() =>
        (globalThis as unknown as { parley: Parley }).parley['setup']?.({ name: 'Ada', protection: 'key-file', passphrase: null }),
      )) as { ok: boolean; value: { fingerprint: string; name: string } };
      expect(created.ok).toBe(true);
      expect(created.value.fingerprint).toMatch(/^[0-9a-f]{64}$/);
      await app.close();

      ({ app, page } = await launch(ELECTRON as string, userData));
      const again = await page.evaluate(() => ((globalThis as unknown as { parley: Parley }).parley['getStatus'] as () => Promise<unknown>)());
      expect(again).toMatchObject({ ok: true, value: { phase: 'ready', identity: { fingerprint: created.value.fingerprint, name: 'Ada' } } });
      await expect(page.getByRole('heading', { name: 'Welcome to Parley' })).toHaveCount(0);
      await page.screenshot({ path: join(ROOT, 'reports', 'screenshots', 'electron-restart.png') });
      await app.close();
    } finally {
      await rm(userData, { recursive: true, force: true });
    }
  });
});

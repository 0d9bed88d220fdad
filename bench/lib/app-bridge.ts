/**
 * `window.parley` for the renderer in plain Chromium, backed by the app's real main-process logic:
 * AppController over a real ParleyService, the real handler table and IPC router (sender check,
 * arity, each channel's schema). The page calls through one Playwright binding (Electron's IPC is
 * not available here); events are pushed into the page in order. Built like the end-to-end bridge
 * in tests/e2e/bridge.ts, without its test-only extras.
 */
import type { Browser, Page } from '@playwright/test';
import { AppController } from '../../src/main/app-controller.ts';
import type { Keychain } from '../../src/main/protection-choice.ts';
import { createHandlers, type Platform } from '../../src/main/handlers.ts';
import { createIpcRouter } from '../../src/main/ipc-router.ts';
import type { PageLocation } from '../../src/main/page.ts';
import { appPaths } from '../../src/main/paths.ts';
import { CHANNELS } from '../../src/shared/ipc/channels.ts';
import type { ParleyEvent } from '../../src/shared/dto.ts';

const BINDING = '__parleyInvoke';
const DISPATCH = '__parleyDispatch';
/** The desktop window's first size (src/main/window.ts). */
const WINDOW = { width: 1100, height: 760 } as const;

const NO_KEYCHAIN: Keychain = {
  available: false,
  reason: 'no system keychain in the benchmark',
  createSealer() {
    throw new Error('no keychain');
  },
};

const PLATFORM: Platform = {
  confirmOpenLink: () => Promise.resolve(false),
  openExternal: () => Promise.reject(new Error('the benchmark opens no links')),
  pickFile: () => Promise.resolve(null),
  pickFolder: () => Promise.resolve(null),
  confirmOpenRunnable: () => Promise.resolve(false),
  openPath: () => Promise.reject(new Error('the benchmark opens no files')),
  showInFolder: () => undefined,
};

// Runs in the page before its scripts: window.parley as the preload builds it, from the registry.
function installParley(registry: { readonly channels: readonly (readonly [string, string])[]; readonly binding: string; readonly dispatch: string }): void {
  type Listener = (event: unknown) => void;
  const g = globalThis as unknown as Record<string, unknown>;
  // Results cross as JSON text: Playwright's own serialisation of a page of 100 messages took
  // ~30-50 ms, JSON text a few (Electron's structured clone is of the same order as JSON).
  const invoke = (channel: string, args: unknown[]): Promise<unknown> =>
    (g[registry.binding] as (c: string, a: unknown[]) => Promise<string>)(channel, args).then((text) => JSON.parse(text) as unknown);
  const listeners = new Set<Listener>();
  const api: Record<string, unknown> = {};
  for (const [channel, method] of registry.channels) api[method] = (...args: unknown[]) => invoke(channel, args);
  api['onEvent'] = (listener: Listener) => {
    listeners.add(listener);
    return () => void listeners.delete(listener);
  };
  Object.defineProperty(g, 'parley', { value: Object.freeze(api), enumerable: true });
  Object.defineProperty(g, registry.dispatch, {
    value: (event: unknown) => {
      for (const l of [...listeners]) l(structuredClone(event));
    },
  });
}

/** The app in a page: the controller behind it and how to close both. */
export type AppPage = { readonly page: Page; readonly controller: AppController; close(): Promise<void> };

/** Opens the renderer served at `origin` over the app's data in `userData` (an absolute path). */
export async function openAppPage(browser: Browser, origin: string, userData: string, log: (line: string) => void): Promise<AppPage> {
  const context = await browser.newContext({ viewport: WINDOW, colorScheme: 'light' });
  const page = await context.newPage();
  const location: PageLocation = { kind: 'dev', url: `${origin}/` };
  let queue: Promise<void> = Promise.resolve();
  const controller = new AppController({
    paths: appPaths(userData),
    keychain: NO_KEYCHAIN,
    log,
    onEvent: (event: ParleyEvent) => {
      queue = queue.then(() => page.evaluate(([fn, e]) => (globalThis as unknown as Record<string, (x: unknown) => void>)[fn as string]?.(e), [DISPATCH, event] as const).then(() => undefined, () => undefined));
    },
  });
  const router = createIpcRouter({ handlers: createHandlers(controller, PLATFORM), trusted: () => ({ webContentsId: 1, page: location }), log });
  await page.exposeBinding(BINDING, async (source, channel: unknown, args: unknown) =>
    JSON.stringify(await router(String(channel), { webContentsId: 1, frame: { isMainFrame: source.frame.parentFrame() === null, url: source.frame.url() } }, args as readonly unknown[])),
  );
  await page.addInitScript(installParley, { channels: Object.entries(CHANNELS), binding: BINDING, dispatch: DISPATCH });
  page.on('pageerror', (e) => log(`page error: ${e.message}`));
  controller.start();
  await page.goto(location.url);
  return {
    page,
    controller,
    async close() {
      await page.goto('about:blank').catch(() => undefined);
      await controller.close();
      await queue;
      await context.close();
    },
  };
}

/**
 * The Electron glue itself (src/main/index.ts, ipc.ts, window.ts), loaded with `electron` mocked:
 * Electron's modules are the only thing mocked, because Electron's runtime cannot be downloaded or
 * run on these machines. Behind the mock the app is real: the controller, the core service and a
 * data directory in a temporary userData folder.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CHANNEL_NAMES, EVENT_CHANNEL } from '../../../src/shared/ipc/channels.ts';
import { expectedWebPreferences } from './fakes.ts';

const MAIN_DIR = dirname(fileURLToPath(new URL('../../../src/main/index.ts', import.meta.url)));
const PAGE_URL = 'app://parley/index.html';
const INVITE = `parley://127.0.0.1:47800?fp=${'ab'.repeat(32)}`;

const fake = vi.hoisted(() => {
  type Listener = (...args: unknown[]) => unknown;
  class Emitter {
    readonly listeners = new Map<string, Listener[]>();
    on(name: string, fn: Listener): this {
      this.listeners.set(name, [...(this.listeners.get(name) ?? []), fn]);
      return this;
    }
    once(name: string, fn: Listener): this {
      return this.on(name, fn);
    }
    emit(name: string, ...args: unknown[]): void {
      for (const fn of this.listeners.get(name) ?? []) fn(...args);
    }
  }
  const state = { lock: true, ready: false, userData: '', pageUrl: '', resolveReady: (): void => undefined };
  const readyPromise = new Promise<void>((resolve) => {
    state.resolveReady = () => {
      state.ready = true;
      resolve();
    };
  });
  const calls: string[] = [];
  const app = Object.assign(new Emitter(), {
    isPackaged: true,
    requestSingleInstanceLock: () => state.lock,
    quit: () => {
      calls.push('app.quit');
      for (const fn of app.listeners.get('before-quit') ?? []) fn({ preventDefault: () => calls.push('before-quit prevented') });
    },
    enableSandbox: () => calls.push('app.enableSandbox'),
    setPath: () => calls.push('app.setPath'),
    getPath: (name: string) => (name === 'userData' ? state.userData : '/nonexistent'),
    setAsDefaultProtocolClient: (p: string) => (calls.push(`protocol:${p}`), true),
    setBadgeCount: (n: number) => (calls.push(`badge:${n}`), true),
    isReady: () => state.ready,
    whenReady: () => readyPromise,
  });
  const handlers = new Map<string, Listener>();
  const ipcMain = {
    handle: (channel: string, fn: Listener) => {
      if (handlers.has(channel)) throw new Error(`second handler for ${channel}`);
      handlers.set(channel, fn);
    },
    removeHandler: (channel: string) => handlers.delete(channel),
  };
  const mainFrame = { url: '', parent: null, frameTreeNodeId: 1, processId: 1, routingId: 1, isDestroyed: () => false };
  const sent: unknown[][] = [];
  class BrowserWindow extends Emitter {
    static readonly created: BrowserWindow[] = [];
    readonly options: Record<string, unknown>;
    loaded: string | null = null;
    focused = 0;
    readonly webContents = Object.assign(new Emitter(), {
      id: 11,
      mainFrame,
      send: (...args: unknown[]) => sent.push(args),
      getURL: () => state.pageUrl,
      isDestroyed: () => false,
      closeDevTools: () => undefined,
      setWindowOpenHandler: () => undefined,
    });
    constructor(options: Record<string, unknown>) {
      super();
      this.options = options;
      BrowserWindow.created.push(this);
    }
    loadFile(path: string): Promise<void> {
      this.loaded = path;
      return Promise.resolve();
    }
    loadURL(url: string): Promise<void> {
      this.loaded = url;
      return Promise.resolve();
    }
    isDestroyed = (): boolean => false;
    isFocused = (): boolean => false;
    isMinimized = (): boolean => false;
    restore = (): void => undefined;
    show = (): void => undefined;
    focus = (): void => {
      this.focused += 1;
    };
  }
  const schemes: unknown[] = [];
  const protocolHandlers = new Map<string, Listener>();
  const protocol = {
    registerSchemesAsPrivileged: (list: unknown[]) => {
      if (state.ready) throw new Error('registerSchemesAsPrivileged after ready');
      schemes.push(...list);
    },
    handle: (scheme: string, fn: Listener) => protocolHandlers.set(scheme, fn),
  };
  const sessionHandlers: Record<string, Listener> = {};
  const defaultSession = {
    setPermissionRequestHandler: (fn: Listener) => (sessionHandlers['request'] = fn),
    setPermissionCheckHandler: (fn: Listener) => (sessionHandlers['check'] = fn),
    setDevicePermissionHandler: (fn: Listener) => (sessionHandlers['device'] = fn),
    setDisplayMediaRequestHandler: (fn: Listener) => (sessionHandlers['display'] = fn),
    on: (name: string, fn: Listener) => (sessionHandlers[`on:${name}`] = fn),
  };
  class Notification {
    static isSupported = (): boolean => true;
    on(): this {
      return this;
    }
    show(): void {}
  }
  const safeStorage = {
    isAsyncEncryptionAvailable: async () => false, // no keychain: the app must say so and offer the alternatives
    getSelectedStorageBackend: () => 'basic_text',
    encryptStringAsync: async () => {
      throw new Error('no keychain');
    },
    decryptStringAsync: async () => {
      throw new Error('no keychain');
    },
  };
  return {
    state,
    calls,
    handlers,
    sent,
    mainFrame,
    sessionHandlers,
    schemes,
    protocolHandlers,
    BrowserWindow,
    app,
    electron: {
      app,
      ipcMain,
      BrowserWindow,
      session: { defaultSession },
      protocol,
      safeStorage,
      Notification,
      dialog: { showMessageBox: async () => ({ response: 1 }) },
      shell: { openExternal: async () => undefined },
    },
  };
});

vi.mock('electron', () => fake.electron);

let userData: string;
const argv = process.argv;

beforeAll(async () => {
  userData = mkdtempSync(join(tmpdir(), 'parley-glue-'));
  fake.state.userData = userData;
  fake.state.pageUrl = PAGE_URL;
  fake.mainFrame.url = PAGE_URL;
  process.argv = [...argv, '--some-flag', INVITE];
  await import('../../../src/main/index.ts');
  fake.state.resolveReady();
  await new Promise((r) => setTimeout(r, 20));
});

afterAll(() => {
  process.argv = argv;
  rmSync(userData, { recursive: true, force: true });
});

type Answer = { ok: boolean; value?: unknown; error?: { code: string; message: string } };
function invoke(channel: string, frame: Record<string, unknown> = fake.mainFrame, ...args: unknown[]): Promise<Answer> {
  const handler = fake.handlers.get(channel);
  if (!handler) throw new Error(`no handler for ${channel}`);
  return handler({ sender: { id: 11, mainFrame: fake.mainFrame }, senderFrame: frame }, ...args) as Promise<Answer>;
}

describe('the main process, started', () => {
  it('takes the single-instance lock, enables the sandbox everywhere and registers parley:// (packaged)', () => {
    expect(fake.calls).toContain('app.enableSandbox');
    expect(fake.calls).toContain('protocol:parley');
    expect(fake.calls).not.toContain('app.setPath'); // PARLEY_USER_DATA_DIR is for unpackaged runs only
  });

  it('registers exactly the registry’s channels', () => {
    expect([...fake.handlers.keys()].sort()).toEqual([...CHANNEL_NAMES].sort());
  });

  it('creates one window with the secure preferences, no DevTools, loading the built page', () => {
    expect(fake.BrowserWindow.created).toHaveLength(1);
    const win = fake.BrowserWindow.created[0];
    expect(win?.options['webPreferences']).toEqual(expectedWebPreferences(join(MAIN_DIR, '../preload/index.js'), false));
    expect(win?.loaded).toBe(PAGE_URL);
  });

  it('serves the page from the privileged app:// scheme, files of the renderer folder only', async () => {
    expect(fake.schemes).toEqual([{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
    const handler = fake.protocolHandlers.get('app') as (r: { url: string; method: string }) => Promise<Response>;
    const page = await handler({ url: PAGE_URL, method: 'GET' });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await page.text()).toContain('Content-Security-Policy');
    expect((await handler({ url: 'app://parley/..%2fmain%2findex.ts', method: 'GET' })).status).toBe(404);
  });

  it('installs the permission policy on the default session and hardens every new WebContents', () => {
    const answers: boolean[] = [];
    fake.sessionHandlers['request']?.({}, 'media', (g: boolean) => answers.push(g), { requestingUrl: PAGE_URL, isMainFrame: true });
    fake.sessionHandlers['request']?.({}, 'clipboard-sanitized-write', (g: boolean) => answers.push(g), { requestingUrl: PAGE_URL, isMainFrame: true });
    expect(answers).toEqual([false, true]);
    const seen: string[] = [];
    const contents = { setWindowOpenHandler: () => seen.push('open'), on: (n: string) => (seen.push(n), contents) };
    fake.app.emit('web-contents-created', {}, contents);
    expect(seen).toEqual(['open', 'will-navigate', 'will-frame-navigate', 'will-attach-webview']);
  });

  it('answers our page, and says plainly that there is no keychain', async () => {
    const r = await invoke('app:status');
    expect(r).toEqual({ ok: true, value: { phase: 'setup', keychainAvailable: false, identity: null, problem: null } });
  });

  it('refuses a subframe and another page', async () => {
    const sub = { ...fake.mainFrame, parent: fake.mainFrame, frameTreeNodeId: 2 };
    expect(await invoke('app:status', sub)).toMatchObject({ ok: false, error: { code: 'bad-input' } });
    expect(await invoke('app:status', { ...fake.mainFrame, url: 'https://evil.example/' })).toMatchObject({ ok: false, error: { code: 'bad-input' } });
  });

  it('sends the invite from argv once the page has asked for its status', async () => {
    await new Promise((r) => setImmediate(r));
    expect(fake.sent).toContainEqual([EVENT_CHANNEL, { type: 'open-invite', invite: INVITE }]);
  });

  it('a second instance focuses the window and forwards its invite; macOS open-url too', () => {
    fake.sent.length = 0;
    const other = `parley://10.0.0.2:47800?fp=${'cd'.repeat(32)}`;
    fake.app.emit('second-instance', {}, ['/opt/Parley/parley', other], '/');
    expect(fake.BrowserWindow.created[0]?.focused).toBeGreaterThan(0);
    expect(fake.sent).toEqual([[EVENT_CHANNEL, { type: 'open-invite', invite: other }]]);
    let prevented = false;
    fake.app.emit('open-url', { preventDefault: () => (prevented = true) }, INVITE);
    expect(prevented).toBe(true);
    expect(fake.sent[1]).toEqual([EVENT_CHANNEL, { type: 'open-invite', invite: INVITE }]);
  });

  it('refuses keychain setup here, sets up with the key file, and forwards the core’s events', async () => {
    expect(await invoke('app:setup', undefined, { name: 'Ada', protection: 'keychain', passphrase: null })).toMatchObject({ ok: false, error: { code: 'bad-input' } });
    const r = await invoke('app:setup', undefined, { name: 'Ada', protection: 'key-file', passphrase: null });
    expect(r).toMatchObject({ ok: true, value: { name: 'Ada', keyProtection: 'key-file' } });
    fake.sent.length = 0;
    const hosting = await invoke('hosting:start', undefined, { port: 0, bind: '127.0.0.1', dht: false, announce: false });
    expect(hosting.ok).toBe(true);
    expect(fake.sent).toEqual([[EVENT_CHANNEL, { type: 'listening', hosting: hosting.value }]]);
    fake.state.pageUrl = 'https://evil.example/'; // a window that somehow left our page hears nothing
    await invoke('hosting:stop');
    expect(fake.sent).toHaveLength(1);
    fake.state.pageUrl = PAGE_URL;
  });

  it('links:open opens nothing the user did not confirm', async () => {
    expect(await invoke('links:open', undefined, 'https://example.org/')).toEqual({ ok: true, value: false });
  });

  it('quit waits for the core to close, then quits', async () => {
    fake.calls.length = 0;
    fake.app.quit();
    expect(fake.calls).toEqual(['app.quit', 'before-quit prevented']);
    await new Promise((r) => setTimeout(r, 50));
    expect(fake.calls).toEqual(['app.quit', 'before-quit prevented', 'app.quit']);
    expect(await invoke('contacts:list')).toMatchObject({ ok: false, error: { code: 'bad-input' } });
  });

  it('a second instance without the lock quits at once and sets nothing up', async () => {
    fake.calls.length = 0;
    fake.state.lock = false;
    const windows = fake.BrowserWindow.created.length;
    const listeners = fake.app.listeners.get('second-instance')?.length;
    vi.resetModules();
    await import('../../../src/main/index.ts');
    await new Promise((r) => setTimeout(r, 20));
    expect(fake.calls).toEqual(['app.quit']);
    expect(fake.BrowserWindow.created).toHaveLength(windows);
    expect(fake.app.listeners.get('second-instance')?.length).toBe(listeners);
  });
});

/**
 * The desktop app's main process: lifecycle only. One instance (a second launch focuses the window
 * and hands over its parley:// invite), the hardened session and window, the IPC router over the
 * app controller, notifications and the badge, and a clean close of the core on quit.
 */
import { app, dialog, Notification, protocol, safeStorage, session, shell, type BrowserWindow } from 'electron';
import { isAbsolute, join } from 'node:path';
import { AppController } from './app-controller.ts';
import { applyAppUserModelId } from './app-id.ts';
import { APP_SCHEME, APP_SCHEME_PRIVILEGES, createAppProtocolHandler } from './app-protocol.ts';
import { Attention } from './attention.ts';
import { createHandlers, type Platform } from './handlers.ts';
import { findInvite, InviteRelay } from './invite-relay.ts';
import { createIpcRouter } from './ipc-router.ts';
import { registerIpc, sendEvent } from './ipc.ts';
import { resolvePage } from './page.ts';
import { PastedFiles } from './pasted-files.ts';
import { redactEvent } from './redact.ts';
import { appPaths } from './paths.ts';
import { HeldEvents, resumeAtStart } from './startup.ts';
import type { Keychain } from './protection-choice.ts';
import { createKeychainSealer, keychainStatus, loadKeychainKey } from './sealer.ts';
import { hardenSession, hardenWebContents } from './web-policy.ts';
import { createMainWindow } from './window.ts';

const PROTOCOL = 'parley';

function log(line: string): void {
  console.error(`parley: ${line}`);
}

/**
 * The keychain, unwrapped once at start (safeStorage's API is asynchronous, the core's Sealer is
 * not): where it is usable, its key is loaded or made now, so setup, start and a later change of
 * protection can seal synchronously. A keychain that fails here is reported as unavailable.
 */
async function openKeychain(keyFile: string): Promise<Keychain> {
  const status = await keychainStatus(safeStorage, process.platform);
  if (!status.available) return { available: false, reason: status.reason, createSealer: () => { throw new Error('no keychain'); } };
  try {
    const key = await loadKeychainKey(safeStorage, keyFile);
    return { available: true, reason: null, createSealer: () => createKeychainSealer(key) };
  } catch (error) {
    log(`the keychain key cannot be used: ${error instanceof Error ? error.message : String(error)}`);
    return { available: false, reason: 'the system keychain did not give back Parley\'s key', createSealer: () => { throw new Error('no keychain'); } };
  }
}

function main(): void {
  // Tests (and anyone running from source) can point the app at a throw-away profile.
  const userDataOverride = process.env['PARLEY_USER_DATA_DIR'];
  if (!app.isPackaged && userDataOverride && isAbsolute(userDataOverride)) app.setPath('userData', userDataOverride);

  if (!app.requestSingleInstanceLock()) {
    app.quit(); // the first instance gets our argv through 'second-instance'
    return;
  }
  app.enableSandbox();
  applyAppUserModelId(app, process.platform);
  // Before 'ready', as Electron requires: the page's own origin, app://parley (app-protocol.ts).
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: APP_SCHEME_PRIVILEGES }]);

  const page = resolvePage({
    isPackaged: app.isPackaged,
    devServerUrl: process.env['ELECTRON_RENDERER_URL'],
    rendererDir: join(__dirname, '../renderer'),
  });
  let win: BrowserWindow | null = null;
  let controller: AppController | null = null;
  const relay = new InviteRelay((invite) => sendEvent(win, page, { type: 'open-invite', invite }));
  relay.offer(findInvite(process.argv));
  const held = new HeldEvents((event) => sendEvent(win, page, event));

  const showWindow = (): void => {
    if (win === null || win.isDestroyed()) {
      if (app.isReady()) createWindow();
      return;
    }
    if (win.isMinimized()) win.restore();
    win.show();
    win.focus();
  };

  const createWindow = (): void => {
    const w = createMainWindow({ page, preloadPath: join(__dirname, '../preload/index.js'), devTools: !app.isPackaged });
    w.webContents.on('did-start-loading', () => {
      relay.pageGone();
      held.pageGone();
    });
    w.on('closed', () => {
      if (win === w) win = null;
      relay.pageGone();
      held.pageGone();
    });
    win = w;
  };

  app.on('second-instance', (_event, argv) => {
    showWindow();
    relay.offer(findInvite(argv));
  });
  // macOS delivers parley:// URLs here, possibly before 'ready'.
  app.on('open-url', (event, url) => {
    event.preventDefault();
    relay.offer(url);
    if (app.isReady()) showWindow();
  });
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents));

  const notifications = new Set<Notification>(); // referenced until closed, or clicks get lost
  const attention = new Attention(
    {
      isWindowFocused: () => win !== null && !win.isDestroyed() && win.isFocused(),
      notify: ({ title, body }) => {
        if (!Notification.isSupported()) return;
        const n = new Notification({ title, body });
        notifications.add(n);
        n.on('click', showWindow);
        n.on('close', () => notifications.delete(n));
        n.show();
      },
      setBadgeCount: (count) => {
        app.setBadgeCount(count);
      },
    },
    process.platform,
  );

  const platform: Platform = {
    confirmOpenLink: async (url, host) => {
      const options = {
        type: 'question' as const,
        buttons: ['Open in browser', 'Cancel'],
        defaultId: 1,
        cancelId: 1,
        noLink: true,
        title: 'Open link',
        message: `Open this link in your web browser? It goes to ${host}.`,
        detail: url,
      };
      const answer = win !== null && !win.isDestroyed() ? await dialog.showMessageBox(win, options) : await dialog.showMessageBox(options);
      return answer.response === 0;
    },
    openExternal: (url) => shell.openExternal(url),
    pickFile: async () => {
      const options = { title: 'Send a file', properties: ['openFile' as const] };
      const answer = win !== null && !win.isDestroyed() ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
      return answer.canceled ? null : (answer.filePaths[0] ?? null);
    },
    pickFolder: async (current) => {
      const options = { title: 'Save received files in', defaultPath: current, properties: ['openDirectory' as const, 'createDirectory' as const] };
      const answer = win !== null && !win.isDestroyed() ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
      return answer.canceled ? null : (answer.filePaths[0] ?? null);
    },
    confirmOpenRunnable: async (name) => {
      const options = {
        type: 'warning' as const,
        buttons: ['Open anyway', 'Cancel'],
        defaultId: 1,
        cancelId: 1,
        noLink: true,
        title: 'Open a file that can run programs?',
        message: `“${name}” is a kind of file that can run programs on your computer when it is opened.`,
        detail: 'Open it only if you expected this file from this person and trust it. Its content was checked to be exactly what they sent, not that it is safe.',
      };
      const answer = win !== null && !win.isDestroyed() ? await dialog.showMessageBox(win, options) : await dialog.showMessageBox(options);
      return answer.response === 0;
    },
    openPath: async (path) => {
      const problem = await shell.openPath(path);
      if (problem !== '') throw new Error(problem);
    },
    showInFolder: (path) => shell.showItemInFolder(path),
  };

  void app.whenReady().then(async () => {
    // Packaged builds only: a development build must not become the system's parley:// handler.
    if (app.isPackaged && !app.setAsDefaultProtocolClient(PROTOCOL)) log('could not register the parley:// protocol');
    if (page.kind === 'app') protocol.handle(APP_SCHEME, createAppProtocolHandler(page.rendererDir));
    hardenSession(session.defaultSession, page);
    const paths = appPaths(app.getPath('userData'));
    const keychain = await openKeychain(paths.keychainKeyFile);
    // Pasted pictures are deleted once their offer ends, and at start when left from an earlier run.
    const pasted = new PastedFiles(
      join(paths.dataDir, 'pasted'),
      () => {
        if (controller === null) throw new Error('not started'); // nothing is pruned then
        return controller.service().filesBeingSent();
      },
      log,
    );
    controller = new AppController({
      paths,
      keychain,
      defaultDownloadDir: join(app.getPath('downloads'), 'Parley'),
      onEvent: (event) => {
        sendEvent(win, page, redactEvent(event));
        attention.onEvent(event);
        pasted.onEvent(event);
      },
      onReady: (service) => {
        attention.reset(service.contacts());
        void pasted.prune();
        // Conversations come back by themselves (startup.ts); a failure to host is shown, not only logged.
        void resumeAtStart(service, { emit: (event) => held.offer(event), log });
      },
      log,
    });
    controller.start();
    const c = controller;
    registerIpc(
      createIpcRouter({
        handlers: createHandlers(c, platform, { onStatus: () => setImmediate(() => {
            relay.pageReady();
            held.pageReady();
          }), pasted }),
        trusted: () => ({ webContentsId: win !== null && !win.isDestroyed() ? win.webContents.id : null, page }),
        log,
      }),
    );
    createWindow();
    app.on('activate', () => showWindow()); // macOS: the dock icon brings the window back
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  // Quit waits for the core to close its sessions ('quit') and the database.
  let quitState: 'running' | 'closing' | 'closed' = 'running';
  app.on('before-quit', (event) => {
    if (quitState === 'closed' || controller === null) return;
    event.preventDefault();
    if (quitState === 'closing') return;
    quitState = 'closing';
    controller
      .close()
      .catch((error: unknown) => log(`closing the core failed: ${error instanceof Error ? error.message : String(error)}`))
      .finally(() => {
        quitState = 'closed';
        app.quit();
      });
  });
}

main();

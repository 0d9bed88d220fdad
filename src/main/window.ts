/**
 * The main window: secure options written out as a literal at `new BrowserWindow({...})` (security
 * scanners such as Electronegativity read the call site and cannot follow a factory), hardened
 * contents (web-policy.ts), our page only.
 */
import { BrowserWindow } from 'electron';
import type { PageLocation } from './page.ts';

/** What the window needs: the page, the preload bundle, and whether DevTools may open. */
export type MainWindowInputs = { readonly page: PageLocation; readonly preloadPath: string; readonly devTools: boolean };

/**
 * Creates and loads the main window. The renderer is untrusted: isolated, sandboxed, no Node,
 * same-origin policy on, no <webview>, no spellchecker (its dictionaries come from the network), no
 * experimental features, and no middle-click (Auxclick) that could open links outside our handler.
 * Navigation, window.open, <webview> and permissions are handled for every WebContents in index.ts
 * (web-contents-created) and on the session.
 */
export function createMainWindow(inputs: MainWindowInputs): BrowserWindow {
  if (typeof inputs.preloadPath !== 'string' || inputs.preloadPath.length === 0) throw new TypeError('preloadPath must be a non-empty string');
  const win = new BrowserWindow({
    title: 'Parley',
    width: 1100,
    height: 760,
    minWidth: 720,
    minHeight: 480,
    show: false, // shown on ready-to-show: no white flash
    autoHideMenuBar: true,
    webPreferences: {
      preload: inputs.preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      safeDialogs: true,
      disableBlinkFeatures: 'Auxclick',
      devTools: inputs.devTools,
    },
  });
  win.once('ready-to-show', () => win.show());
  if (!inputs.devTools) {
    // Belt and braces: a packaged build never opens DevTools, even by a stray accelerator.
    win.webContents.on('devtools-opened', () => win.webContents.closeDevTools());
  }
  const load = win.loadURL(inputs.page.url);
  load.catch(() => {
    // did-fail-load has the details; the window stays empty rather than showing anything else.
  });
  return win;
}

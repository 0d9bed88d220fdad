/** The main window: secure options (window-options.ts), hardened contents (web-policy.ts), our page only. */
import { BrowserWindow } from 'electron';
import type { PageLocation } from './page.ts';
import { mainWindowOptions } from './window-options.ts';

/** What the window needs: the page, the preload bundle, and whether DevTools may open. */
export type MainWindowInputs = { readonly page: PageLocation; readonly preloadPath: string; readonly devTools: boolean };

/**
 * Creates and loads the main window. Navigation, window.open, <webview> and permissions are
 * handled for every WebContents in index.ts (web-contents-created) and on the session.
 */
export function createMainWindow(inputs: MainWindowInputs): BrowserWindow {
  const win = new BrowserWindow(mainWindowOptions({ preloadPath: inputs.preloadPath, devTools: inputs.devTools }));
  win.once('ready-to-show', () => win.show());
  if (!inputs.devTools) {
    // Belt and braces: a packaged build never opens DevTools, even by a stray accelerator.
    win.webContents.on('devtools-opened', () => win.webContents.closeDevTools());
  }
  const load = inputs.page.kind === 'file' ? win.loadFile(inputs.page.path) : win.loadURL(inputs.page.url);
  load.catch(() => {
    // did-fail-load has the details; the window stays empty rather than showing anything else.
  });
  return win;
}

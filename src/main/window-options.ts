/**
 * The main window's options as plain data, so a unit test can assert every security-relevant
 * preference without Electron. (`import type` is erased: this file loads nothing from electron.)
 */
import type { BrowserWindowConstructorOptions, WebPreferences } from 'electron';

/** What varies between builds: the preload bundle's path, and DevTools (never in packaged builds). */
export type WebPreferencesInputs = { readonly preloadPath: string; readonly devTools: boolean };

/**
 * The renderer is untrusted: isolated, sandboxed, no Node, same-origin policy on, no <webview>,
 * no spellchecker (its dictionaries are downloaded from the network), no experimental features.
 */
export function secureWebPreferences(inputs: WebPreferencesInputs): WebPreferences {
  if (typeof inputs.preloadPath !== 'string' || inputs.preloadPath.length === 0) throw new TypeError('preloadPath must be a non-empty string');
  return {
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
    devTools: inputs.devTools,
  } satisfies WebPreferences;
}

/** The main window's full constructor options. */
export function mainWindowOptions(inputs: WebPreferencesInputs): BrowserWindowConstructorOptions {
  return {
    title: 'Parley',
    width: 1100,
    height: 760,
    minWidth: 720,
    minHeight: 480,
    show: false, // shown on ready-to-show: no white flash
    autoHideMenuBar: true,
    webPreferences: secureWebPreferences(inputs),
  };
}

/**
 * Our renderer page: the built index.html served as app://parley/index.html (app-protocol.ts) or, in
 * development only, electron-vite's dev server on the loopback interface. The IPC sender check and
 * the permission policy both compare against it, so it is computed once, here, without Electron.
 */
import { isAbsolute } from 'node:path';
import { APP_HOST, APP_PAGE_URL, APP_SCHEME } from './app-protocol.ts';

/** Where our page lives; `url` is what the window loads and what a trusted frame reports. */
export type PageLocation =
  | { readonly kind: 'app'; readonly url: string; readonly rendererDir: string }
  | { readonly kind: 'dev'; readonly url: string };

/** Inputs of resolvePage: the packaged flag, ELECTRON_RENDERER_URL, and the built renderer's folder (out/renderer). */
export type PageInputs = { readonly isPackaged: boolean; readonly devServerUrl: string | undefined; readonly rendererDir: string };

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * The page to load. The dev server is used only in unpackaged runs and only on a loopback http(s)
 * URL: an environment variable must never make the app load remote content.
 */
export function resolvePage(inputs: PageInputs): PageLocation {
  const dev = inputs.isPackaged ? null : loopbackUrl(inputs.devServerUrl);
  if (dev !== null) return { kind: 'dev', url: dev.href };
  if (!isAbsolute(inputs.rendererDir)) throw new TypeError('rendererDir must be an absolute path');
  return { kind: 'app', url: APP_PAGE_URL, rendererDir: inputs.rendererDir };
}

/** True if `url` is our page: app://parley/index.html (any #fragment, no query), or the dev server's origin. */
export function isOurPageUrl(url: unknown, page: PageLocation): boolean {
  if (typeof url !== 'string' || url.length === 0 || url.length > 8192) return false;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  const expected = new URL(page.url);
  if (page.kind === 'dev') return (u.protocol === 'http:' || u.protocol === 'https:') && u.origin === expected.origin;
  return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST && u.username === '' && u.password === '' && u.search === '' && u.pathname === expected.pathname;
}

function loopbackUrl(raw: string | undefined): URL | null {
  if (typeof raw !== 'string' || raw.length === 0) return null;
  try {
    const u = new URL(raw);
    if ((u.protocol === 'http:' || u.protocol === 'https:') && LOOPBACK_HOSTS.has(u.hostname) && u.username === '' && u.password === '') return u;
  } catch {
    // not a URL: ignore it and load the built page
  }
  return null;
}

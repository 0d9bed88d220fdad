/**
 * Our renderer page: the built index.html (file://) or, in development only, electron-vite's dev
 * server on the loopback interface. The IPC sender check and the permission policy both compare
 * against it, so it is computed once, here, without Electron.
 */
import { pathToFileURL } from 'node:url';

/** Where our page lives; `url` is what the window loads and what a trusted frame reports. */
export type PageLocation =
  | { readonly kind: 'file'; readonly url: string; readonly path: string }
  | { readonly kind: 'dev'; readonly url: string };

/** Inputs of resolvePage: the packaged flag, ELECTRON_RENDERER_URL, and the built index.html path. */
export type PageInputs = { readonly isPackaged: boolean; readonly devServerUrl: string | undefined; readonly indexHtmlPath: string };

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * The page to load. The dev server is used only in unpackaged runs and only on a loopback http(s)
 * URL: an environment variable must never make the app load remote content.
 */
export function resolvePage(inputs: PageInputs): PageLocation {
  const dev = inputs.isPackaged ? null : loopbackUrl(inputs.devServerUrl);
  if (dev !== null) return { kind: 'dev', url: dev.href };
  return { kind: 'file', url: pathToFileURL(inputs.indexHtmlPath).href, path: inputs.indexHtmlPath };
}

/** True if `url` is our page: the same file (any #fragment, no query), or the dev server's origin. */
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
  return u.protocol === 'file:' && u.host === '' && u.search === '' && samePath(u.pathname, expected.pathname);
}

function samePath(a: string, b: string): boolean {
  try {
    return decodeURIComponent(a) === decodeURIComponent(b);
  } catch {
    return false; // a malformed escape is not our page
  }
}

function loopbackUrl(raw: string | undefined): URL | null {
  if (typeof raw !== 'string' || raw.length === 0) return null;
  try {
    const u = new URL(raw);
    if ((u.protocol === 'http:' || u.protocol === 'https:') && LOOPBACK_HOSTS.has(u.hostname) && u.username === '' && u.password === '') return u;
  } catch {
    // not a URL: ignore it and load the built file
  }
  return null;
}

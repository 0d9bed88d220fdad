/**
 * The renderer's own origin, `app://parley/`: a privileged (standard, secure) custom scheme served
 * by `protocol.handle` from out/renderer, instead of file://. A file:// page may read any file:// URL
 * the OS lets the app read, and needs the grantFileProtocolExtraPrivileges fuse for ES modules; the
 * custom scheme serves only the built renderer, so that fuse is off (electron-builder.yml).
 * Nothing here imports electron: the resolver and the handler are tested under plain Node.
 */
import { readFile } from 'node:fs/promises';
import { extname, isAbsolute, resolve, sep } from 'node:path';

/** The scheme and host of our page; the page itself is `app://parley/index.html`. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'parley';
export const APP_PAGE_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

/** How the scheme is registered (before `ready`): like https, so 'self', fetch and ES modules work. */
export const APP_SCHEME_PRIVILEGES = { standard: true, secure: true, supportFetchAPI: true } as const;

/** The types the built renderer has; any other file is not served. */
const MIME_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
};

const MAX_URL_LENGTH = 2048;
/** Percent-escapes that would smuggle a separator, a dot segment or a NUL past the URL parser. */
const HOSTILE_ESCAPE_RE = /%(?:2f|5c|2e|00)/i;
const SEGMENT_RE = /^[A-Za-z0-9._~!$&'()*+,;=:@%-]+$/;

/** A file of the renderer: its absolute path inside the root, and its Content-Type. */
export type AppFile = { readonly path: string; readonly mime: string };

/**
 * Maps an `app://parley/…` URL to a file inside `rendererDir`, or null. Refused: another scheme or
 * host, credentials, a port, a query, any `..` or `.` segment (even escaped), encoded slashes or
 * backslashes, NUL, empty segments, absolute paths in disguise, and types the renderer has none of.
 * The result is checked to lie inside `rendererDir` after resolution, whatever the checks before.
 */
export function resolveAppUrl(url: unknown, rendererDir: string): AppFile | null {
  if (typeof url !== 'string' || url.length === 0 || url.length > MAX_URL_LENGTH) return null;
  if (!isAbsolute(rendererDir)) throw new TypeError('rendererDir must be an absolute path');
  // The raw text first: the URL parser would quietly fold dot segments and backslashes away.
  const prefix = `${APP_SCHEME}://${APP_HOST}/`;
  if (!url.startsWith(prefix)) return null;
  const raw = url.slice(prefix.length).replace(/#.*$/s, '');
  if (raw.includes('\\') || raw.includes('?') || HOSTILE_ESCAPE_RE.test(raw)) return null;
  const segments = raw === '' ? ['index.html'] : raw.split('/');
  const decoded: string[] = [];
  for (const segment of segments) {
    if (!SEGMENT_RE.test(segment)) return null; // empty (//), or characters a URL never carries raw
    let name: string;
    try {
      name = decodeURIComponent(segment);
    } catch {
      return null;
    }
    if (name === '.' || name === '..' || name.includes('/') || name.includes('\\') || name.includes('\0') || name.includes(':')) return null;
    decoded.push(name);
  }
  const root = resolve(rendererDir);
  const path = resolve(root, ...decoded);
  if (!path.startsWith(root + sep)) return null;
  const mime = MIME_TYPES[extname(path).toLowerCase()];
  return mime === undefined ? null : { path, mime };
}

/** The part of a fetch Request the handler reads. */
export type AppRequest = { readonly url: string; readonly method: string };

/**
 * The `protocol.handle` handler: GET of a renderer file, with its type and nosniff; 404 for anything
 * else (never a directory listing, never a file outside the renderer). `read` is fs.readFile in the
 * app (Electron's fs reads inside app.asar) and in tests.
 */
export function createAppProtocolHandler(rendererDir: string, read: (path: string) => Promise<Uint8Array> = readFile): (request: AppRequest) => Promise<Response> {
  return async (request) => {
    const file = request.method === 'GET' ? resolveAppUrl(request.url, rendererDir) : null;
    if (file === null) return notFound();
    let body: Uint8Array;
    try {
      body = await read(file.path);
    } catch {
      return notFound();
    }
    return new Response(new Uint8Array(body), { status: 200, headers: { 'content-type': file.mime, 'x-content-type-options': 'nosniff' } });
  };
}

function notFound(): Response {
  return new Response('Not found', { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' } });
}

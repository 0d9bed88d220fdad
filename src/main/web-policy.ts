/**
 * What the renderer may do beyond its page: nothing. Navigation and window.open are denied
 * (links go through `links:open`, which asks the user first), <webview> cannot attach, downloads
 * are cancelled, and every permission is refused — with one exception, below.
 * The functions take Electron's objects by shape only (types are erased), so tests drive them.
 */
import type { Session, WebContents } from 'electron';
import { isOurPageUrl, type PageLocation } from './page.ts';

/** The answer to every window.open and target=_blank: no new windows, ever. */
export function denyWindowOpen(): { action: 'deny' } {
  return { action: 'deny' };
}

/** An event Electron lets us cancel. */
type Cancellable = { preventDefault(): void };

/** Cancels a navigation (will-navigate, will-frame-navigate): the app is one page. */
export function denyNavigation(event: Cancellable): void {
  event.preventDefault();
}

/** What a permission decision looks at. */
export type PermissionQuery = {
  readonly permission: string;
  /** The URL of the frame asking (may be absent for checks not made for a document). */
  readonly requestingUrl: string | undefined;
  readonly isMainFrame: boolean;
};

/**
 * Every permission is denied, except `clipboard-sanitized-write` for our own page's main frame:
 * Chromium asks for it before each `navigator.clipboard.writeText`, which the Copy buttons (invite,
 * fingerprint) use. It is write-only, sanitised, and needs a user gesture; reading stays denied.
 */
export function decidePermission(query: PermissionQuery, page: PageLocation): boolean {
  return query.permission === 'clipboard-sanitized-write' && query.isMainFrame && isOurPageUrl(query.requestingUrl, page);
}

/** The parts of a WebContents hardenWebContents touches. */
export type HardenableContents = Pick<WebContents, 'setWindowOpenHandler' | 'on'>;

/** Denies window.open, navigation in any frame and <webview> on a WebContents (every one the app creates). */
export function hardenWebContents(contents: HardenableContents): void {
  contents.setWindowOpenHandler(denyWindowOpen);
  contents.on('will-navigate', denyNavigation);
  contents.on('will-frame-navigate', denyNavigation);
  contents.on('will-attach-webview', denyNavigation);
}

/** The parts of a Session hardenSession touches. */
export type HardenableSession = Pick<
  Session,
  'setPermissionRequestHandler' | 'setPermissionCheckHandler' | 'setDevicePermissionHandler' | 'setDisplayMediaRequestHandler' | 'on'
>;

/** Installs the permission policy on a session and cancels downloads. */
export function hardenSession(session: HardenableSession, page: PageLocation): void {
  session.setPermissionRequestHandler((_contents, permission, callback, details) => {
    callback(decidePermission({ permission, requestingUrl: details.requestingUrl, isMainFrame: details.isMainFrame }, page));
  });
  session.setPermissionCheckHandler((_contents, permission, _origin, details) =>
    decidePermission({ permission, requestingUrl: details.requestingUrl, isMainFrame: details.isMainFrame }, page),
  );
  session.setDevicePermissionHandler(() => false);
  session.setDisplayMediaRequestHandler((_request, callback) => callback(null));
  session.on('will-download', (event) => event.preventDefault());
}

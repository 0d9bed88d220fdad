/**
 * Navigation, window.open, <webview>, downloads and permissions.
 * Electron's objects (WebContents, Session) are replaced by small recorders because Electron's
 * runtime cannot run on these machines; the functions under test are the app's own.
 */
import { describe, expect, it } from 'vitest';
import { resolvePage } from '../../../src/main/page.ts';
import { decidePermission, denyWindowOpen, hardenSession, hardenWebContents, type HardenableContents, type HardenableSession } from '../../../src/main/web-policy.ts';

const PAGE = resolvePage({ isPackaged: true, devServerUrl: undefined, rendererDir: '/opt/Parley/resources/app.asar/out/renderer' });

// Every permission name Electron 45's typings list for the request and check handlers.
const PERMISSIONS = [
  'ar', 'automatic-fullscreen', 'background-fetch', 'background-sync', 'captured-surface-control', 'clipboard-read', 'clipboard-sanitized-write',
  'deprecated-sync-clipboard-read', 'display-capture', 'fileSystem', 'fullscreen', 'geolocation', 'geolocation-approximate', 'hand-tracking', 'hid',
  'idle-detection', 'keyboardLock', 'local-fonts', 'local-network', 'local-network-access', 'loopback-network', 'media', 'mediaKeySystem', 'midi',
  'midiSysex', 'nfc', 'notifications', 'openExternal', 'payment-handler', 'periodic-background-sync', 'persistent-storage', 'pointerLock',
  'screen-wake-lock', 'sensors', 'serial', 'smart-card', 'speaker-selection', 'storage-access', 'system-wake-lock', 'top-level-storage-access', 'usb',
  'vr', 'web-app-installation', 'web-printing', 'window-management', 'unknown',
] as const;

const OTHER_URLS = [undefined, '', 'https://evil.example/', 'file:///etc/passwd', 'about:blank', 'http://localhost:5173/', `${PAGE.url}?q=1`];

describe('navigation, window.open and <webview>', () => {
  function fakeContents() {
    const listeners = new Map<string, (event: { preventDefault(): void }) => void>();
    let openHandler: ((details: unknown) => unknown) | null = null;
    const contents = {
      setWindowOpenHandler: (handler: (details: unknown) => unknown) => {
        openHandler = handler;
      },
      on: (name: string, listener: (event: { preventDefault(): void }) => void) => {
        listeners.set(name, listener);
        return contents;
      },
    };
    return { contents: contents as unknown as HardenableContents, listeners, open: (details: unknown) => openHandler?.(details) };
  }

  it('window.open and target=_blank are denied, whatever the URL', () => {
    const f = fakeContents();
    hardenWebContents(f.contents);
    for (const url of ['https://example.org/', PAGE.url, 'file:///etc/passwd', 'javascript:alert(1)', 'about:blank']) {
      expect(f.open({ url, frameName: '', features: '', disposition: 'foreground-tab' })).toEqual({ action: 'deny' });
    }
    expect(denyWindowOpen()).toEqual({ action: 'deny' });
  });

  it('every navigation of any frame, and every <webview>, is cancelled', () => {
    const f = fakeContents();
    hardenWebContents(f.contents);
    expect([...f.listeners.keys()].sort()).toEqual(['will-attach-webview', 'will-frame-navigate', 'will-navigate']);
    for (const [name, listener] of f.listeners) {
      let prevented = 0;
      listener({ preventDefault: () => (prevented += 1) });
      expect(prevented, name).toBe(1);
    }
  });
});

describe('permissions', () => {
  it('every permission is denied to every URL, except clipboard writes by our page’s main frame', () => {
    for (const permission of PERMISSIONS) {
      for (const requestingUrl of OTHER_URLS) {
        for (const isMainFrame of [true, false]) expect(decidePermission({ permission, requestingUrl, isMainFrame }, PAGE), `${permission} ${requestingUrl}`).toBe(false);
      }
      const ours = decidePermission({ permission, requestingUrl: PAGE.url, isMainFrame: true }, PAGE);
      expect(ours, permission).toBe(permission === 'clipboard-sanitized-write');
      expect(decidePermission({ permission, requestingUrl: PAGE.url, isMainFrame: false }, PAGE)).toBe(false);
    }
  });

  it('the session handlers apply that policy; devices, screen capture and downloads are refused', () => {
    const installed: Record<string, (...args: never[]) => unknown> = {};
    const session = {
      setPermissionRequestHandler: (h: (...args: never[]) => unknown) => (installed['request'] = h),
      setPermissionCheckHandler: (h: (...args: never[]) => unknown) => (installed['check'] = h),
      setDevicePermissionHandler: (h: (...args: never[]) => unknown) => (installed['device'] = h),
      setDisplayMediaRequestHandler: (h: (...args: never[]) => unknown) => (installed['display'] = h),
      on: (name: string, h: (...args: never[]) => unknown) => (installed[`on:${name}`] = h),
    } as unknown as HardenableSession;
    hardenSession(session, PAGE);
    expect(Object.keys(installed).sort()).toEqual(['check', 'device', 'display', 'on:will-download', 'request']);

    const request = installed['request'] as unknown as (wc: unknown, p: string, cb: (granted: boolean) => void, d: { requestingUrl: string; isMainFrame: boolean }) => void;
    const check = installed['check'] as unknown as (wc: unknown, p: string, origin: string, d: { requestingUrl?: string; isMainFrame: boolean }) => boolean;
    for (const permission of PERMISSIONS) {
      for (const requestingUrl of ['https://evil.example/', PAGE.url]) {
        const answers: boolean[] = [];
        request({}, permission, (g) => answers.push(g), { requestingUrl, isMainFrame: true });
        const expected = permission === 'clipboard-sanitized-write' && requestingUrl === PAGE.url;
        expect(answers, `${permission} ${requestingUrl}`).toEqual([expected]);
        expect(check(null, permission, 'file://', { requestingUrl, isMainFrame: true })).toBe(expected);
      }
      expect(check(null, permission, '', { isMainFrame: true })).toBe(false);
    }
    expect((installed['device'] as unknown as () => boolean)()).toBe(false);
    const streams: unknown[] = [];
    (installed['display'] as unknown as (r: unknown, cb: (s: unknown) => void) => void)({}, (s) => streams.push(s));
    expect(streams).toEqual([null]);
    let prevented = false;
    (installed['on:will-download'] as unknown as (e: { preventDefault(): void }) => void)({ preventDefault: () => (prevented = true) });
    expect(prevented).toBe(true);
  });
});

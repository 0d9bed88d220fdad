/**
 * Which page is ours and which IPC sender is trusted. Electron's invoke event and frames are
 * replaced by plain objects of the same shape (its runtime cannot run here); the code is the app's.
 */
import { describe, expect, it } from 'vitest';
import { isOurPageUrl, resolvePage } from '../../../src/main/page.ts';
import { checkSender, describeSender, type InvokeEventLike } from '../../../src/main/sender.ts';

const RENDERER = '/opt/Parley Beta/resources/app.asar/out/renderer';

describe('resolvePage', () => {
  it('loads the built page from app://parley in packaged builds, even when ELECTRON_RENDERER_URL is set', () => {
    const page = resolvePage({ isPackaged: true, devServerUrl: 'http://localhost:5173/', rendererDir: RENDERER });
    expect(page).toEqual({ kind: 'app', url: 'app://parley/index.html', rendererDir: RENDERER });
    expect(() => resolvePage({ isPackaged: true, devServerUrl: undefined, rendererDir: 'out/renderer' })).toThrow(TypeError);
  });

  it('uses the dev server only unpackaged and only on loopback http(s)', () => {
    expect(resolvePage({ isPackaged: false, devServerUrl: 'http://localhost:5173', rendererDir: RENDERER })).toEqual({ kind: 'dev', url: 'http://localhost:5173/' });
    expect(resolvePage({ isPackaged: false, devServerUrl: 'http://127.0.0.1:5173/', rendererDir: RENDERER }).kind).toBe('dev');
    expect(resolvePage({ isPackaged: false, devServerUrl: 'http://[::1]:5173/', rendererDir: RENDERER }).kind).toBe('dev');
    for (const remote of ['https://evil.example/', 'http://192.168.1.2:5173/', 'http://localhost.evil.example/', 'file:///tmp/x.html', 'http://user:pw@localhost:5173/', 'nonsense', '']) {
      expect(resolvePage({ isPackaged: false, devServerUrl: remote, rendererDir: RENDERER }).kind, remote).toBe('app');
    }
    expect(resolvePage({ isPackaged: false, devServerUrl: undefined, rendererDir: RENDERER }).kind).toBe('app');
  });
});

describe('isOurPageUrl', () => {
  const file = resolvePage({ isPackaged: true, devServerUrl: undefined, rendererDir: RENDERER });
  const dev = resolvePage({ isPackaged: false, devServerUrl: 'http://localhost:5173/', rendererDir: RENDERER });

  it('accepts our page with or without a fragment', () => {
    expect(isOurPageUrl(file.url, file)).toBe(true);
    expect(isOurPageUrl(`${file.url}#/contacts`, file)).toBe(true);
  });

  it('refuses other files, queries, hosts, schemes and junk', () => {
    for (const url of [
      `${file.url}?x`, file.url.replace('index.html', 'index.htm'), 'app://parley/', 'app://parley/assets/index.js', 'app://evil/index.html', 'app://parley.evil/index.html',
      'app://user@parley/index.html', 'app://parley:8080/index.html', 'app://parley/%69ndex.html', 'file:///opt/Parley%20Beta/resources/app.asar/out/renderer/index.html', 'file:///index.html',
      'https://parley/index.html', 'https://example.org/', 'about:blank', '', 'not a url', 'app://parley/%ZZ', 42, null, undefined, `app://parley/${'a'.repeat(9000)}`,
    ]) {
      expect(isOurPageUrl(url, file), String(url)).toBe(false);
    }
  });

  it('accepts the dev server origin only', () => {
    expect(isOurPageUrl('http://localhost:5173/', dev)).toBe(true);
    expect(isOurPageUrl('http://localhost:5173/index.html#x', dev)).toBe(true);
    for (const url of ['http://localhost:5174/', 'https://localhost:5173/', 'http://127.0.0.1:5173/', file.url, 'ws://localhost:5173/']) {
      expect(isOurPageUrl(url, dev), url).toBe(false);
    }
  });
});

describe('describeSender and checkSender', () => {
  const page = resolvePage({ isPackaged: true, devServerUrl: undefined, rendererDir: RENDERER });
  const main = { url: page.url, parent: null, frameTreeNodeId: 1, processId: 4, routingId: 2, isDestroyed: () => false };
  const event = (frame: InvokeEventLike['senderFrame'], id = 7): InvokeEventLike =>
    ({ sender: { id, mainFrame: main }, senderFrame: frame }) as unknown as InvokeEventLike;

  it('trusts the main frame of our window on our page', () => {
    const info = describeSender(event(main));
    expect(info).toEqual({ webContentsId: 7, frame: { isMainFrame: true, url: page.url } });
    expect(checkSender(info, { webContentsId: 7, page })).toBeNull();
  });

  it('finds the main frame by ids, so a look-alike subframe is not it', () => {
    const sub = { ...main, parent: main, frameTreeNodeId: 9, routingId: 5 };
    expect(describeSender(event(sub as never)).frame?.isMainFrame).toBe(false);
    expect(describeSender(event({ ...main, frameTreeNodeId: 9 })).frame?.isMainFrame).toBe(false);
    expect(describeSender(event({ ...main, processId: 5 })).frame?.isMainFrame).toBe(false);
    expect(checkSender(describeSender(event(sub as never)), { webContentsId: 7, page })).toBe('not the main frame');
  });

  it('treats a gone or destroyed frame as no frame', () => {
    expect(describeSender(event(null)).frame).toBeNull();
    expect(describeSender(event({ ...main, isDestroyed: () => true })).frame).toBeNull();
    expect(checkSender(describeSender(event(null)), { webContentsId: 7, page })).toBe('the frame is gone');
  });

  it('refuses other windows, no window, and other pages', () => {
    expect(checkSender(describeSender(event(main, 8)), { webContentsId: 7, page })).toBe('not our window');
    expect(checkSender(describeSender(event(main)), { webContentsId: null, page })).toBe('not our window');
    expect(checkSender(describeSender(event({ ...main, url: 'https://evil.example/' })), { webContentsId: 7, page })).toBe('not our page');
  });
});

/**
 * The main window's constructor options, as BrowserWindow receives them. `electron` is mocked (a
 * recording BrowserWindow) because Electron's runtime cannot be downloaded or run on these machines;
 * createMainWindow itself is the app's own code.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { resolvePage } from '../../../src/main/page.ts';
import { createMainWindow } from '../../../src/main/window.ts';
import { expectedWebPreferences } from './fakes.ts';

const fake = vi.hoisted(() => {
  const created: { options: Record<string, unknown>; loaded: string[]; events: string[] }[] = [];
  class BrowserWindow {
    readonly record = { options: {} as Record<string, unknown>, loaded: [] as string[], events: [] as string[] };
    readonly webContents = { on: (name: string) => this.record.events.push(`webContents:${name}`), closeDevTools: () => undefined };
    constructor(options: Record<string, unknown>) {
      this.record.options = options;
      created.push(this.record);
    }
    once(name: string): this {
      this.record.events.push(`once:${name}`);
      return this;
    }
    show(): void {}
    loadFile(path: string): Promise<void> {
      this.record.loaded.push(`file:${path}`);
      return Promise.resolve();
    }
    loadURL(url: string): Promise<void> {
      this.record.loaded.push(`url:${url}`);
      return Promise.resolve();
    }
  }
  return { created, electron: { BrowserWindow } };
});

vi.mock('electron', () => fake.electron);

const PAGE = resolvePage({ isPackaged: true, devServerUrl: undefined, rendererDir: '/opt/Parley/resources/app.asar/out/renderer' });

describe('the main window', () => {
  it('is built with the secure options: isolated, sandboxed, no Node, no <webview>, no Auxclick, shown when ready', () => {
    for (const devTools of [false, true]) {
      fake.created.length = 0;
      createMainWindow({ page: PAGE, preloadPath: '/app/out/preload/index.js', devTools });
      expect(fake.created).toHaveLength(1);
      expect(fake.created[0]?.options).toEqual({
        title: 'Parley',
        width: 1100,
        height: 760,
        minWidth: 720,
        minHeight: 480,
        show: false,
        autoHideMenuBar: true,
        webPreferences: expectedWebPreferences('/app/out/preload/index.js', devTools),
      });
      // A packaged build (no DevTools) also closes DevTools if anything opens them.
      expect(fake.created[0]?.events.includes('webContents:devtools-opened')).toBe(!devTools);
      expect(fake.created[0]?.events).toContain('once:ready-to-show');
    }
  });

  it('refuses a missing preload path', () => {
    expect(() => createMainWindow({ page: PAGE, preloadPath: '', devTools: false })).toThrow(TypeError);
  });

  it('writes its options as a literal at the constructor, where security scanners look', () => {
    const source = readFileSync(new URL('../../../src/main/window.ts', import.meta.url), 'utf8');
    const call = source.slice(source.indexOf('const win = new BrowserWindow({'));
    expect(call.length).toBeLessThan(source.length);
    const literal = call.slice(0, call.indexOf('\n  });'));
    expect(literal).not.toContain('...'); // nothing spread in from elsewhere
    for (const line of ['contextIsolation: true', 'sandbox: true', 'nodeIntegration: false', 'webSecurity: true', 'webviewTag: false', "disableBlinkFeatures: 'Auxclick'"]) {
      expect(literal).toContain(line);
    }
  });
});

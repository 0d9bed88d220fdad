import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_PORT } from '../../../src/core/storage/settings-repo.ts';
import { cleanupTempDirs, openTestStore, tempDir } from './helpers.ts';

afterEach(cleanupTempDirs);

describe('settings', () => {
  it('has defaults, and keeps what is set across reopening', () => {
    const dir = join(tempDir(), 'data');
    const store = openTestStore(dir);
    expect(store.settings.getDisplayName()).toBe('');
    expect(store.settings.getDefaultPort()).toBe(DEFAULT_PORT);
    expect(DEFAULT_PORT).toBe(47800);
    store.settings.setDisplayName('Zoë 🦜');
    store.settings.setDefaultPort(0);
    store.settings.set('ui.theme', 'dark');
    store.settings.set('ui.theme', 'light');
    expect(store.settings.get('missing')).toBeNull();
    store.close();
    const again = openTestStore(dir);
    expect(again.settings.getDisplayName()).toBe('Zoë 🦜');
    expect(again.settings.getDefaultPort()).toBe(0);
    expect(again.settings.get('ui.theme')).toBe('light');
    expect(again.settings.delete('ui.theme')).toBe(true);
    expect(again.settings.delete('ui.theme')).toBe(false);
    // A hand-edited nonsense port falls back to the default instead of failing start-up.
    again.settings.set('default-port', 'eighty');
    expect(again.settings.getDefaultPort()).toBe(DEFAULT_PORT);
    again.close();
  });

  it('checks its arguments, naming them', () => {
    const store = openTestStore();
    const s = store.settings;
    expect(() => s.setDisplayName('n'.repeat(65))).toThrow(/^name/);
    expect(() => s.setDisplayName('a\nb')).toThrow(RangeError);
    expect(() => s.setDisplayName(1 as unknown as string)).toThrow(TypeError);
    expect(() => s.setDefaultPort(65536)).toThrow(/^port/);
    expect(() => s.setDefaultPort(80.5)).toThrow(RangeError);
    expect(() => s.setDefaultPort('80' as unknown as number)).toThrow(TypeError);
    expect(() => s.get('Upper')).toThrow(/^key/);
    expect(() => s.set('', 'x')).toThrow(RangeError);
    expect(() => s.set('k', 5 as unknown as string)).toThrow(/^value/);
    expect(() => s.set('k', 'x'.repeat(64 * 1024 + 1))).toThrow(/^value/);
    expect(() => s.delete(null as unknown as string)).toThrow(TypeError);
    store.close();
  });
});

/**
 * The app's OS identity: the Windows AppUserModelID equals electron-builder's appId, and the
 * package names that electron-builder and Electron read on Linux agree. `app` is a recorder because
 * Electron's runtime cannot run on these machines.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { APP_ID, applyAppUserModelId } from '../../../src/main/app-id.ts';

const root = new URL('../../../', import.meta.url);
const builderYml = readFileSync(new URL('electron-builder.yml', root), 'utf8');
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as Record<string, unknown>;

function yamlScalar(key: string): string | undefined {
  return new RegExp(`^\\s*${key}:\\s*(\\S+)\\s*$`, 'm').exec(builderYml)?.[1];
}

describe('app identity', () => {
  it('the Windows AppUserModelID is electron-builder’s appId, set on Windows only', () => {
    expect(yamlScalar('appId')).toBe(APP_ID);
    for (const platform of ['win32', 'linux', 'darwin'] as const) {
      const ids: string[] = [];
      applyAppUserModelId({ setAppUserModelId: (id) => ids.push(id) }, platform);
      expect(ids, platform).toEqual(platform === 'win32' ? [APP_ID] : []);
    }
  });

  it('package.json names the product "Parley" and the .desktop file; electron-builder syncs to it', () => {
    expect(pkg['productName']).toBe('Parley');
    expect(yamlScalar('productName')).toBe('Parley');
    expect(pkg['desktopName']).toBe(`${yamlScalar('executableName')}.desktop`);
    expect(yamlScalar('syncDesktopName')).toBe('true');
  });
});

/**
 * The app's identity towards the OS. On Windows, notifications, the taskbar and jump lists group
 * by the AppUserModelID, and the installer's shortcut carries electron-builder's `appId`: unless the
 * running app says the same ID, its notifications are shown under "electron.app.Parley" or dropped.
 */

/** electron-builder.yml's `appId` (a unit test holds the two together). */
export const APP_ID = 'org.parley.desktop';

/** The part of Electron's `app` this touches (by shape, so tests pass a recorder). */
export type AppUserModelIdTarget = { setAppUserModelId(id: string): void };

/** Sets the AppUserModelID on Windows; the API exists only there. */
export function applyAppUserModelId(app: AppUserModelIdTarget, platform: NodeJS.Platform): void {
  if (platform === 'win32') app.setAppUserModelId(APP_ID);
}

/**
 * Registers exactly the channels of the registry with ipcMain.handle, and nothing else; every call
 * goes through the router (sender check, schema, Result). Also the one way events reach the page.
 */
import { ipcMain, type BrowserWindow } from 'electron';
import { CHANNEL_NAMES, EVENT_CHANNEL } from '../shared/ipc/channels.ts';
import type { ParleyEvent } from '../shared/dto.ts';
import type { IpcRouter } from './ipc-router.ts';
import { isOurPageUrl, type PageLocation } from './page.ts';
import { describeSender } from './sender.ts';

/** Registers a handler per registry channel; returns a function that removes them. */
export function registerIpc(router: IpcRouter): () => void {
  for (const channel of CHANNEL_NAMES) {
    ipcMain.handle(channel, (event, ...args: unknown[]) => router(channel, describeSender(event), args));
  }
  return () => {
    for (const channel of CHANNEL_NAMES) ipcMain.removeHandler(channel);
  };
}

/** Sends a core event to the window's main frame, only while it shows our page. */
export function sendEvent(win: BrowserWindow | null, page: PageLocation, event: ParleyEvent): void {
  if (win === null || win.isDestroyed()) return;
  const contents = win.webContents;
  if (contents.isDestroyed() || !isOurPageUrl(contents.getURL(), page)) return;
  contents.send(EVENT_CHANNEL, event);
}

/**
 * Who is calling: every IPC handler first checks that the message came from the main frame of our
 * window, showing our page. A subframe, another WebContents, a frame that has navigated away or
 * any other URL is refused before its arguments are even looked at.
 */
import type { IpcMainInvokeEvent } from 'electron';
import { isOurPageUrl, type PageLocation } from './page.ts';

/** The facts of an IPC sender the check needs, taken from Electron's event by describeSender. */
export type SenderInfo = {
  readonly webContentsId: number;
  /** Null when the frame is gone (navigated or destroyed) by the time the message is handled. */
  readonly frame: { readonly isMainFrame: boolean; readonly url: string } | null;
};

/** What the sender must be: our window's WebContents (null while there is none) and our page. */
export type TrustedSender = { readonly webContentsId: number | null; readonly page: PageLocation };

/** The parts of an IpcMainInvokeEvent describeSender reads. */
export type InvokeEventLike = {
  readonly sender: Pick<IpcMainInvokeEvent['sender'], 'id' | 'mainFrame'>;
  readonly senderFrame: Pick<NonNullable<IpcMainInvokeEvent['senderFrame']>, 'url' | 'parent' | 'frameTreeNodeId' | 'processId' | 'routingId' | 'isDestroyed'> | null;
};

/** Extracts SenderInfo from an invoke event. The main frame is matched by ids, not object identity. */
export function describeSender(event: InvokeEventLike): SenderInfo {
  const frame = event.senderFrame;
  if (frame === null || frame.isDestroyed()) return { webContentsId: event.sender.id, frame: null };
  const main = event.sender.mainFrame;
  const isMainFrame =
    frame.parent === null && frame.frameTreeNodeId === main.frameTreeNodeId && frame.processId === main.processId && frame.routingId === main.routingId;
  return { webContentsId: event.sender.id, frame: { isMainFrame, url: frame.url } };
}

/** Null if the sender is trusted, else a short reason for the log (never shown to the sender). */
export function checkSender(sender: SenderInfo, trusted: TrustedSender): string | null {
  if (trusted.webContentsId === null || sender.webContentsId !== trusted.webContentsId) return 'not our window';
  if (sender.frame === null) return 'the frame is gone';
  if (!sender.frame.isMainFrame) return 'not the main frame';
  if (!isOurPageUrl(sender.frame.url, trusted.page)) return 'not our page';
  return null;
}

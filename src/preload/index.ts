/**
 * The preload: builds `window.parley` from the channel registry and nothing else.
 * No raw ipcRenderer, no process.env, no channel written by hand; events arrive on one channel and
 * only their payload (a plain DTO) reaches the page, never the IpcRendererEvent.
 * Dropped files are the one exception to "arguments as given": the page gets an opaque token for
 * each File it was handed by a drop, and only the preload turns a token back into the path
 * (webUtils.getPathForFile), so the page can never name a path for main to read.
 */
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { CHANNELS, EVENT_CHANNEL, type Channel } from '../shared/ipc/channels.ts';
import type { ParleyApi } from '../shared/api.ts';
import type { ParleyEvent } from '../shared/dto.ts';
import { err } from '../shared/result.ts';

/** Tokens kept at most (a page that registers without sending only evicts its own oldest). */
const MAX_DROPPED = 64;

function buildApi(): ParleyApi {
  const dropped = new Map<string, string>();
  const api: Record<string, unknown> = {};
  for (const [channel, method] of Object.entries(CHANNELS) as [Channel, string][]) {
    api[method] = (...args: unknown[]) => ipcRenderer.invoke(channel, ...args);
    if (method === 'sendDroppedFile') {
      api[method] = (peer: unknown, token: unknown) => {
        const path = typeof token === 'string' ? dropped.get(token) : undefined;
        if (path === undefined) return Promise.resolve(err('bad-input', 'that file was not dropped on Parley'));
        dropped.delete(token as string);
        return ipcRenderer.invoke(channel, peer, path);
      };
    }
  }
  api.registerDroppedFile = (file: unknown): string | null => {
    if (typeof File === 'undefined' || !(file instanceof File)) return null;
    let path: string;
    try {
      path = webUtils.getPathForFile(file);
    } catch {
      return null;
    }
    if (path === '') return null; // not from disk (e.g. made by the page itself)
    const token = crypto.randomUUID();
    dropped.set(token, path);
    if (dropped.size > MAX_DROPPED) dropped.delete(dropped.keys().next().value as string);
    return token;
  };
  api.onEvent = (listener: (event: ParleyEvent) => void) => {
    if (typeof listener !== 'function') throw new TypeError('onEvent: listener must be a function');
    const handler = (_event: unknown, payload: ParleyEvent): void => listener(payload);
    ipcRenderer.on(EVENT_CHANNEL, handler);
    return () => {
      ipcRenderer.removeListener(EVENT_CHANNEL, handler);
    };
  };
  return Object.freeze(api) as ParleyApi;
}

contextBridge.exposeInMainWorld('parley', buildApi());

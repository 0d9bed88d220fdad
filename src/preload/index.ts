/**
 * The preload: builds `window.parley` from the channel registry and nothing else.
 * No raw ipcRenderer, no process.env, no channel written by hand; events arrive on one channel and
 * only their payload (a plain DTO) reaches the page, never the IpcRendererEvent.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { CHANNELS, EVENT_CHANNEL, type Channel } from '../shared/ipc/channels.ts';
import type { ParleyApi } from '../shared/api.ts';
import type { ParleyEvent } from '../shared/dto.ts';

function buildApi(): ParleyApi {
  const api: Record<string, unknown> = {};
  for (const [channel, method] of Object.entries(CHANNELS) as [Channel, string][]) {
    api[method] = (...args: unknown[]) => ipcRenderer.invoke(channel, ...args);
  }
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

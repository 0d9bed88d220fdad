/**
 * The preload exposes exactly the registry's methods plus onEvent, and never hands the page the
 * IpcRendererEvent. `electron` is mocked here — Electron's modules are the only thing mocked,
 * because Electron's runtime cannot be downloaded or run on these machines. The preload file and
 * the registry are the real ones.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { CHANNELS, CHANNEL_NAMES, EVENT_CHANNEL } from '../../../src/shared/ipc/channels.ts';
import type { ParleyApi } from '../../../src/shared/api.ts';
import type { ParleyEvent } from '../../../src/shared/dto.ts';

const bridge = vi.hoisted(() => {
  const exposed = new Map<string, unknown>();
  const invoked: { channel: string; args: unknown[] }[] = [];
  const listeners = new Map<string, Set<(...args: unknown[]) => void>>();
  const filePaths = new Map<unknown, string>();
  return {
    exposed,
    invoked,
    listeners,
    filePaths,
    electron: {
      webUtils: { getPathForFile: (file: unknown) => filePaths.get(file) ?? '' },
      contextBridge: { exposeInMainWorld: (key: string, api: unknown) => exposed.set(key, api) },
      ipcRenderer: {
        invoke: (channel: string, ...args: unknown[]) => {
          invoked.push({ channel, args });
          return Promise.resolve({ ok: true, value: `answer of ${channel}` });
        },
        on: (channel: string, listener: (...args: unknown[]) => void) => {
          if (!listeners.has(channel)) listeners.set(channel, new Set());
          listeners.get(channel)?.add(listener);
        },
        removeListener: (channel: string, listener: (...args: unknown[]) => void) => {
          listeners.get(channel)?.delete(listener);
        },
      },
    },
  };
});

vi.mock('electron', () => bridge.electron);

let api: ParleyApi;

beforeAll(async () => {
  await import('../../../src/preload/index.ts');
  expect([...bridge.exposed.keys()]).toEqual(['parley']);
  api = bridge.exposed.get('parley') as ParleyApi;
});

describe('window.parley', () => {
  it('has exactly one method per registry channel, plus onEvent, and is frozen', () => {
    expect(Object.keys(api).sort()).toEqual([...Object.values(CHANNELS), 'onEvent', 'registerDroppedFile'].sort());
    expect(Object.isFrozen(api)).toBe(true);
    for (const key of Object.keys(api)) expect(typeof (api as Record<string, unknown>)[key]).toBe('function');
  });

  it('each method invokes its own channel with the arguments as given, and returns the answer', async () => {
    for (const channel of CHANNEL_NAMES) {
      if (CHANNELS[channel] === 'sendDroppedFile') continue; // takes a token, below
      bridge.invoked.length = 0;
      const method = (api as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[CHANNELS[channel]];
      const answer = await method?.('a', 2, { three: 3 });
      expect(bridge.invoked).toEqual([{ channel, args: ['a', 2, { three: 3 }] }]);
      expect(answer).toEqual({ ok: true, value: `answer of ${channel}` });
    }
  });

  it('onEvent gives listeners the payload only, never the IpcRendererEvent, and unsubscribes', () => {
    const seen: unknown[][] = [];
    const off = api.onEvent((...args: unknown[]) => seen.push(args));
    const registered = [...(bridge.listeners.get(EVENT_CHANNEL) ?? [])];
    expect(registered).toHaveLength(1);
    const ipcEvent = { sender: { send: () => undefined }, senderId: 0, ports: [] };
    const payload: ParleyEvent = { type: 'open-invite', invite: 'parley://127.0.0.1:47800?fp=' + 'ab'.repeat(32) };
    registered[0]?.(ipcEvent, payload, 'an extra argument');
    expect(seen).toEqual([[payload]]);
    off();
    expect(bridge.listeners.get(EVENT_CHANNEL)?.size).toBe(0);
  });

  it('writes no channel name by hand and reads nothing from process or the environment', () => {
    const text = readFileSync(new URL('../../../src/preload/index.ts', import.meta.url), 'utf8');
    const source = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, ''); // code only, not comments
    expect(source).toContain('ipcRenderer.invoke(channel');
    expect(source).not.toMatch(/['"`][a-z]+:[a-z-]+['"`]/);
    expect(source).not.toMatch(/\bprocess\.|\brequire\(/);
  });

  it('a dropped File becomes an opaque token; only sendDroppedFile turns it into the path, once', async () => {
    const file = new File(['hi'], 'notes.txt');
    bridge.filePaths.set(file, '/home/ada/notes.txt');
    const token = api.registerDroppedFile(file);
    expect(token).toMatch(/^[0-9a-f-]{36}$/);
    expect(token).not.toContain('notes');
    bridge.invoked.length = 0;
    const peer = 'ab'.repeat(32);
    await api.sendDroppedFile(peer, token as string);
    expect(bridge.invoked).toEqual([{ channel: 'files:send-dropped', args: [peer, '/home/ada/notes.txt'] }]);
    // A token is used once; a path or an unknown token never reaches main.
    for (const wrong of [token, '/etc/passwd', 'ab', 42]) {
      bridge.invoked.length = 0;
      expect(await api.sendDroppedFile(peer, wrong as string)).toMatchObject({ ok: false, error: { code: 'bad-input' } });
      expect(bridge.invoked).toEqual([]);
    }
    // Not a File, or a File that is not from disk (made by the page): no token.
    expect(api.registerDroppedFile({ name: 'notes.txt', path: '/etc/passwd' })).toBeNull();
    expect(api.registerDroppedFile(new File(['x'], 'made-here.txt'))).toBeNull();
  });

  it('onEvent refuses a listener that is not a function', () => {
    expect(() => api.onEvent('nope' as never)).toThrow(TypeError);
  });
});

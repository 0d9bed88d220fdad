/**
 * Coming back at start (issue 12): "Host when Parley starts" hosts with the remembered answer, and a
 * failure (here: the port is really taken on 127.0.0.1) becomes the host-at-start-failed event with
 * the reason and the port, not only a log line; events the page cannot hear yet are held until it asks.
 * A real ParleyService over a temporary data folder; nothing of Electron is loaded.
 */
import { createServer, type AddressInfo, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createKeyFileSealer } from '../../../src/core/identity/key-file-sealer.ts';
import { ParleyService } from '../../../src/core/service/parley-service.ts';
import { openDataDir } from '../../../src/core/storage/data-dir.ts';
import { writeReachSettings } from '../../../src/main/reach-settings.ts';
import { HeldEvents, resumeAtStart } from '../../../src/main/startup.ts';
import type { ParleyEvent } from '../../../src/shared/dto.ts';
import { tempDir } from './harness.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function service(): ParleyService {
  const d = tempDir('parley-startup-');
  const store = openDataDir(d.dir, { sealer: createKeyFileSealer(d.dir) });
  const s = new ParleyService({ store, keyProtection: 'key-file', autoReconnect: false });
  cleanups.push(d.remove, () => s.close());
  return s;
}

async function taken(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { server, port: (server.address() as AddressInfo).port };
}

function run(s: ParleyService): Promise<{ events: ParleyEvent[]; logs: string[] }> {
  const events: ParleyEvent[] = [];
  const logs: string[] = [];
  return resumeAtStart(s, { emit: (e) => events.push(e), log: (l) => logs.push(l) }).then(() => ({ events, logs }));
}

describe('resumeAtStart', () => {
  it('a port already taken: host-at-start-failed with port-in-use, the reason and the port; nothing hosted', async () => {
    const s = service();
    const { port } = await taken();
    s.settings.setDefaultPort(port);
    writeReachSettings(s.settings, { hostAtStart: true, hostReach: 'this-computer' });
    const { events, logs } = await run(s);
    expect(events).toEqual([{ type: 'host-at-start-failed', code: 'port-in-use', message: expect.stringContaining(String(port)), port }]);
    expect(logs.some((l) => l.startsWith('hosting at start failed'))).toBe(true);
    expect(s.hosting()).toBeNull();
  });

  it('a free port: hosts with the remembered answer and says nothing; off: does not host', async () => {
    const s = service();
    const { server, port } = await taken();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    s.settings.setDefaultPort(port);
    writeReachSettings(s.settings, { hostAtStart: true, hostReach: 'this-computer' });
    expect((await run(s)).events).toEqual([]);
    expect(s.hosting()).toMatchObject({ host: '127.0.0.1', port });

    const off = service();
    writeReachSettings(off.settings, { hostAtStart: false });
    expect((await run(off)).events).toEqual([]);
    expect(off.hosting()).toBeNull();
  });
});

describe('HeldEvents', () => {
  it('holds events until the page asks for its status, the newest of a type replacing the older; holds again while the page reloads', () => {
    const sent: ParleyEvent[] = [];
    const held = new HeldEvents((e) => sent.push(e));
    const failed = (port: number): ParleyEvent => ({ type: 'host-at-start-failed', code: 'port-in-use', message: 'taken', port });
    held.offer(failed(1));
    held.offer(failed(2));
    expect(sent).toEqual([]);
    expect(held.held).toEqual([failed(2)]);
    held.pageReady();
    expect(sent).toEqual([failed(2)]);
    held.offer(failed(3));
    expect(sent).toEqual([failed(2), failed(3)]);
    held.pageGone();
    held.offer(failed(4));
    expect(sent).toHaveLength(2);
    held.pageReady();
    expect(sent).toEqual([failed(2), failed(3), failed(4)]);
  });
});

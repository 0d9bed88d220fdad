/**
 * The bridge itself is faithful to the preload: `window.parley` has exactly the registry's methods,
 * `onEvent` and `registerDroppedFile`, is frozen, and every call goes through the real IPC router (arity and schema checks, Result
 * answers); events reach `onEvent` listeners until they unsubscribe. Without this, the scenarios could
 * pass against a bridge that is more forgiving than the app.
 */
import { test, expect } from './support/fixtures.ts';
import { CHANNELS } from '../../src/shared/ipc/channels.ts';

type Api = Record<string, ((...args: unknown[]) => unknown) | undefined>;

test('window.parley is the registry, through the real router', async ({ people }) => {
  const alice = await people.add('Alice');
  const page = alice.page;
  await expect(page.getByRole('heading', { name: 'Welcome to Parley' })).toBeVisible();

  const shape = await page.evaluate(() => {
    const api = (globalThis as unknown as { parley: Api }).parley;
    return { keys: Object.keys(api).sort(), frozen: Object.isFrozen(api) };
  });
  // The registry's methods, onEvent, and the preload's one local helper: a dropped file becomes an
  // opaque token there (the page never handles its path).
  expect(shape.keys).toEqual([...Object.values(CHANNELS), 'onEvent', 'registerDroppedFile'].sort());
  expect(shape.frozen).toBe(true);

  const answers = await page.evaluate(async () => {
    const api = (globalThis as unknown as { parley: Record<string, (...args: unknown[]) => Promise<unknown>> }).parley;
    let thrown = '';
    try {
      (api['onEvent'] as unknown as (x: unknown) => void)('not a function');
    } catch (e) {
      thrown = `${(e as Error).name}: ${(e as Error).message}`;
    }
    return {
      status: await api['getStatus']?.(),
      extra: await api['getStatus']?.('surplus'),
      badSetup: await api['setup']?.({ name: 'Alice', protection: 'key-file', passphrase: null, extra: 1 }),
      beforeSetup: await api['listContacts']?.(),
      thrown,
    };
  });
  expect(answers.status).toMatchObject({ ok: true, value: { phase: 'setup', keychainAvailable: false, identity: null } });
  expect(answers.extra).toEqual({ ok: false, error: { code: 'bad-input', message: 'app:status takes 0 argument(s), got 1' } });
  expect(answers.badSetup).toMatchObject({ ok: false, error: { code: 'bad-input' } });
  expect(answers.beforeSetup).toEqual({ ok: false, error: { code: 'bad-input', message: 'Set Parley up first' } });
  expect(answers.thrown).toBe('TypeError: onEvent: listener must be a function');
  expect(alice.controller.status().phase).toBe('setup');

  // Set up and host through the API: the 'listening' event reaches a listener, and not after unsubscribing.
  const events = await page.evaluate(async () => {
    const api = (globalThis as unknown as { parley: Record<string, (...args: unknown[]) => Promise<{ ok: boolean }>> }).parley;
    const onEvent = api['onEvent'] as unknown as (l: (e: { type: string }) => void) => () => void;
    const seen: string[] = [];
    const setup = await api['setup']?.({ name: 'Alice', protection: 'key-file', passphrase: null });
    const off = onEvent((e) => seen.push(e.type));
    const wait = (type: string) =>
      new Promise<void>((resolve) => {
        const stop = onEvent((e) => {
          if (e.type !== type) return;
          stop();
          resolve();
        });
      });
    const listening = wait('listening');
    await api['startHosting']?.({ port: 0, bind: '127.0.0.1', dht: false, announce: false });
    await listening;
    off();
    const stopped = wait('stopped-hosting');
    await api['stopHosting']?.();
    await stopped;
    return { setup: setup?.ok, seen };
  });
  expect(events.setup).toBe(true);
  expect(events.seen).toContain('listening');
  expect(events.seen).not.toContain('stopped-hosting');
});

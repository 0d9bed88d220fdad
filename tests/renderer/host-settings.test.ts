/**
 * Hosting (port, address, the all-interfaces warning, invite with Copy and QR, addresses, stop, port in use)
 * and Settings (name, default port, key protection, public key PEM, data folder).
 * The API is the in-memory stand-in of helpers/fake-api.ts (the real core runs in the end-to-end suite).
 */
import { afterEach, describe, expect, test, vi } from 'vitest';
import { flushPromises, type VueWrapper } from '@vue/test-utils';
import App from '../../src/renderer/src/App.vue';
import { ERROR_HINTS } from '../../src/shared/errors.ts';
import { cleanup, freshPinia, mountWith } from './helpers/mount.ts';
import { ME, createFakeApi, type FakeApi } from './helpers/fake-api.ts';

let api: FakeApi;

afterEach(() => {
  expect(api.violations).toEqual([]);
  cleanup();
  vi.restoreAllMocks();
});

async function open(section: 'host' | 'settings', opts: Parameters<typeof createFakeApi>[0] = {}): Promise<VueWrapper> {
  api = createFakeApi(opts);
  const w = mountWith(App, freshPinia(api));
  await flushPromises();
  await w.get(`[data-testid="nav-${section}"]`).trigger('click');
  await flushPromises();
  return w;
}

const button = (w: VueWrapper, name: string) => {
  const b = w.findAll('button').find((x) => x.text().trim() === name || x.attributes('aria-label') === name);
  if (b === undefined) throw new Error(`no button ${name}`);
  return b;
};

describe('hosting', () => {
  test('on this computer only by default; every network gets a clear warning', async () => {
    const w = await open('host');
    const select = w.get('select');
    expect((select.element as HTMLSelectElement).value).toBe('127.0.0.1');
    expect(w.find('[data-testid="all-interfaces-warning"]').exists()).toBe(false);
    await select.setValue('0.0.0.0');
    expect(w.get('[data-testid="all-interfaces-warning"]').text()).toContain('Listening on every network.');
    await select.setValue('::');
    expect(w.find('[data-testid="all-interfaces-warning"]').exists()).toBe(true);
  });

  test('start: the invite with Copy and a QR code, the addresses with their port; stop', async () => {
    const w = await open('host');
    const writeText = vi.spyOn(navigator.clipboard, 'writeText').mockResolvedValue(undefined);
    expect((w.get('input[type="number"]').element as HTMLInputElement).value).toBe('47800'); // the default port from settings
    await w.get('select').setValue('0.0.0.0');
    await button(w, 'Start hosting').trigger('click'); // a submit button: submits the form
    await flushPromises();
    expect(api.callsOf('startHosting')).toEqual([[{ port: 47800, bind: '0.0.0.0' }]]);
    const invite = `parley://192.168.1.20:47800?fp=${ME}&name=Alice`;
    expect((w.get('[data-testid="invite-url"]').element as HTMLInputElement).value).toBe(invite);
    expect(w.find('[data-testid="all-interfaces-warning"]').exists()).toBe(true);
    expect(w.get('[data-testid="invite-qr"]').attributes('aria-label')).toBe('QR code of the invite link');
    expect(w.findAll('[data-testid="invite-qr"] rect').length).toBeGreaterThan(20);
    expect(w.findAll('[data-testid="listen-addresses"] li .mono').map((a) => a.text())).toEqual(['192.168.1.20:47800', '[fe80::1]:47800']);
    expect(w.get('[data-testid="hosting-indicator"]').text()).toContain('Hosting on port 47800');

    await button(w, 'Copy invite link').trigger('click');
    await flushPromises();
    expect(writeText).toHaveBeenCalledWith(invite);
    expect(w.text()).toContain('Copied to the clipboard');

    await button(w, 'Stop hosting').trigger('click');
    await flushPromises();
    expect(api.callsOf('stopHosting')).toHaveLength(1);
    expect(w.find('[data-testid="invite-url"]').exists()).toBe(false);
    expect(w.find('[data-testid="hosting-indicator"]').exists()).toBe(false);
  });

  test('a port in use is explained with its hint', async () => {
    const w = await open('host');
    api.override('startHosting', () => ({ ok: false, error: { code: 'port-in-use', message: 'EADDRINUSE 127.0.0.1:47800' } }));
    await w.get('form').trigger('submit');
    await flushPromises();
    const err = w.get('[data-testid="host-error"]');
    expect(err.text()).toContain('That port is in use');
    expect(err.text()).toContain(ERROR_HINTS['port-in-use']);
  });

  test('hosting started elsewhere (a listening event) shows up; stopped-hosting clears it', async () => {
    const w = await open('host');
    api.emit({ type: 'listening', hosting: { host: '127.0.0.1', port: 5000, invite: `parley://127.0.0.1:5000?fp=${ME}`, addresses: ['127.0.0.1'], dht: null, reachability: null } });
    await flushPromises();
    expect(w.text()).toContain('Only this computer can join.');
    api.emit({ type: 'stopped-hosting' });
    await flushPromises();
    expect(w.text()).toContain('Start hosting');
  });
});

describe('settings', () => {
  test('name and default port are saved through the API', async () => {
    const w = await open('settings');
    const inputs = w.findAll('input');
    const name = inputs.find((i) => i.attributes('autocomplete') === 'nickname');
    await name?.setValue('Alice L.');
    await button(w, 'Save name').trigger('click');
    await flushPromises();
    expect(api.callsOf('setName')).toEqual([['Alice L.']]);
    expect(w.get('.sidebar .name').text()).toBe('Alice L.');
    const port = w.get('input[type="number"]');
    await port.setValue(50000);
    await button(w, 'Save port').trigger('click');
    await flushPromises();
    expect(api.callsOf('updateSettings')).toEqual([[{ defaultPort: 50000 }]]);
  });

  test('key protection explained, no-keychain said plainly, public key exported as PEM, data folder shown', async () => {
    const w = await open('settings', { keychainAvailable: false });
    api.state.settings = { ...api.state.settings, keyProtection: 'key-file' };
    await w.get('[data-testid="nav-host"]').trigger('click');
    await w.get('[data-testid="nav-settings"]').trigger('click');
    await flushPromises();
    const protection = w.get('[data-testid="key-protection"]');
    expect(protection.text()).toContain('Unprotected key file');
    expect(protection.text()).toContain('This computer offers no keychain');
    expect(w.get('[data-testid="data-dir"]').text()).toBe('/home/alice/.config/Parley');
    expect(w.get('[data-testid="settings-fingerprint"]').attributes('data-fingerprint')).toBe(ME);

    const writeText = vi.spyOn(navigator.clipboard, 'writeText').mockResolvedValue(undefined);
    await button(w, 'Export public key').trigger('click');
    await flushPromises();
    const pem = (w.get('[data-testid="public-key-pem"]').element as HTMLTextAreaElement).value;
    expect(pem).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    await button(w, 'Copy public key').trigger('click');
    await flushPromises();
    expect(writeText).toHaveBeenCalledWith(pem);
  });
});

/**
 * Hosting (who can join: three answers and the opt-in to be found; what is true now: listening, DHT reachability, discoverable;
 * a new reachable address; port, the all-interfaces warning, invite with Copy and QR, addresses, stop, port in use)
 * and Settings (name, default port, key protection, public key PEM, data folder).
 * The API is the in-memory stand-in of helpers/fake-api.ts (the real core runs in the end-to-end suite).
 */
import { afterEach, describe, expect, test, vi } from 'vitest';
import { flushPromises, type VueWrapper } from '@vue/test-utils';
import App from '../../src/renderer/src/App.vue';
import { ERROR_HINTS } from '../../src/shared/errors.ts';
import { cleanup, freshPinia, mountWith } from './helpers/mount.ts';
import { DHT_KEY, ME, createFakeApi, type FakeApi } from './helpers/fake-api.ts';
import type { HostingDto } from '../../src/shared/dto.ts';

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
  test('one question with three answers; anyone with the invite by default; the network answer offers to be found', async () => {
    const w = await open('host');
    const radios = w.findAll('input[name="who-can-join"]');
    expect(radios.map((r) => (r.element as HTMLInputElement).value)).toEqual(['anyone', 'network', 'this-computer']);
    expect(w.get('[data-testid="who-can-join"] legend').text()).toBe('Who can join?');
    expect((w.get('[data-testid="reach-anyone"] input').element as HTMLInputElement).checked).toBe(true);
    expect(w.get('[data-testid="reach-anyone"]').text()).toContain('Anyone I give the invite to');
    expect(w.find('[data-testid="announce"]').exists()).toBe(false);
    expect(w.get('[data-testid="all-interfaces-warning"]').text()).toContain('Listening on every network.');
    await w.get('[data-testid="reach-network"] input').setValue(true);
    expect(w.get('[data-testid="reach-network"]').text()).toContain('Let people on this network find me');
    expect((w.get('[data-testid="announce"]').element as HTMLInputElement).checked).toBe(false); // opt-in
    await w.get('[data-testid="reach-this-computer"] input').setValue(true);
    expect(w.find('[data-testid="announce"]').exists()).toBe(false);
    expect(w.find('[data-testid="all-interfaces-warning"]').exists()).toBe(false);
  });

  test('the last answer is remembered (Settings) and the host screen starts from it', async () => {
    api = createFakeApi();
    api.state.settings = { ...api.state.settings, hostReach: 'network', hostAnnounce: true };
    const w = mountWith(App, freshPinia(api));
    await flushPromises();
    await w.get('[data-testid="nav-host"]').trigger('click');
    await flushPromises();
    expect((w.get('[data-testid="reach-network"] input').element as HTMLInputElement).checked).toBe(true);
    expect((w.get('[data-testid="announce"]').element as HTMLInputElement).checked).toBe(true);
  });

  test('each answer starts the listener it promises and is saved as the last choice', async () => {
    const plans = [
      ['this-computer', false, { bind: '127.0.0.1', dht: false, announce: false }],
      ['network', false, { bind: '0.0.0.0', dht: false, announce: false }],
      ['network', true, { bind: '0.0.0.0', dht: false, announce: true }],
      ['anyone', false, { bind: '0.0.0.0', dht: true, announce: false }],
    ] as const;
    for (const [reach, announce, plan] of plans) {
      const w = await open('host');
      await w.get(`[data-testid="reach-${reach}"] input`).setValue(true);
      if (announce) await w.get('[data-testid="announce"]').setValue(true);
      await button(w, 'Start hosting').trigger('click');
      await flushPromises();
      expect(api.callsOf('updateSettings')).toEqual([[{ hostReach: reach, hostAnnounce: announce }]]);
      expect(api.callsOf('startHosting')).toEqual([[{ port: 47800, ...plan }]]);
      const discoverable = w.get('[data-testid="discoverable"]');
      expect(discoverable.attributes('data-on')).toBe(String(plan.announce));
      expect(discoverable.text()).toContain(plan.announce ? 'Yes — your name and fingerprint are shown to this network.' : 'No');
      cleanup();
      expect(api.violations).toEqual([]);
    }
    api = createFakeApi(); // for afterEach
  });

  test('what is true now: listening where, the DHT checking → yes → no with its reason, and a new reachable address', async () => {
    const w = await open('host');
    await button(w, 'Start hosting').trigger('click');
    await flushPromises();
    expect(w.get('[data-testid="status-listening"]').text()).toBe('192.168.1.20:47800, [fe80::1]:47800');
    const reach = () => w.get('[data-testid="dht-reachability"]');
    expect(reach().attributes('data-state')).toBe('checking');
    expect(reach().text()).toContain('Checking…');
    expect(reach().text()).toContain('Looking for other DHT nodes…');
    expect((w.get('[data-testid="invite-url"]').element as HTMLInputElement).value).toContain(`&dht=${DHT_KEY}`);

    const live = api.state.hosting as HostingDto;
    api.emit({ type: 'hosting-changed', hosting: { ...live, reachability: { state: 'yes', reason: 'People can reach this computer through the DHT.' } } });
    await flushPromises();
    expect(reach().attributes('data-state')).toBe('yes');
    expect(reach().text()).toContain('Yes');
    expect(reach().text()).toContain('People can reach this computer through the DHT.');
    api.emit({ type: 'hosting-changed', hosting: { ...live, reachability: { state: 'no', reason: 'No DHT node answered: this computer may be offline.' } } });
    await flushPromises();
    expect(reach().attributes('data-state')).toBe('no');
    expect(reach().text()).toContain('No DHT node answered: this computer may be offline.');

    expect(w.text()).toContain('Invites you sent before stop working through it');
    await w.get('[data-testid="new-dht-key"]').trigger('click');
    await flushPromises();
    expect(api.callsOf('newDhtKey')).toEqual([[]]);
    expect((w.get('[data-testid="invite-url"]').element as HTMLInputElement).value).toContain(`&dht=${'d2'.repeat(32)}`);
  });

  test('without the DHT: the internet path says Off, and there is no new-address action', async () => {
    const w = await open('host');
    await w.get('[data-testid="reach-this-computer"] input').setValue(true);
    await button(w, 'Start hosting').trigger('click');
    await flushPromises();
    expect(w.get('[data-testid="status-listening"]').text()).toBe('127.0.0.1:47800');
    expect(w.get('[data-testid="host-status"]').text()).toContain('this computer only');
    expect(w.get('[data-testid="dht-reachability"]').attributes('data-state')).toBe('off');
    expect(w.find('[data-testid="new-dht-key"]').exists()).toBe(false);
    expect(w.text()).toContain('Only this computer can join.');
  });

  test('start: the invite with Copy and a QR code, the addresses with their port; stop', async () => {
    const w = await open('host');
    const writeText = vi.spyOn(navigator.clipboard, 'writeText').mockResolvedValue(undefined);
    expect((w.get('input[type="number"]').element as HTMLInputElement).value).toBe('47800'); // the default port from settings
    await w.get('[data-testid="reach-network"] input').setValue(true);
    await button(w, 'Start hosting').trigger('click'); // a submit button: submits the form
    await flushPromises();
    expect(api.callsOf('startHosting')).toEqual([[{ port: 47800, bind: '0.0.0.0', dht: false, announce: false }]]);
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
    api.emit({ type: 'listening', hosting: { host: '127.0.0.1', port: 5000, invite: `parley://127.0.0.1:5000?fp=${ME}`, addresses: ['127.0.0.1'], dht: null, reachability: null, discoverable: false } });
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

describe('settings for the internet path', () => {
  test('bootstrap nodes and relay key are checked as typed, saved, and said to apply at the next start', async () => {
    const w = await open('settings');
    const card = w.get('[data-testid="dht-settings"]');
    expect(card.text()).toContain('Changes take effect the next time Parley starts.');
    const save = w.get('[data-testid="dht-save"]');
    expect(save.attributes('disabled')).toBeDefined(); // nothing changed
    await w.get('[data-testid="dht-bootstrap"]').setValue('dht.example.org:49737\nnonsense');
    expect(w.get('[data-testid="dht-bootstrap-help"]').text()).toContain('“nonsense” is not HOST:PORT');
    expect(w.get('[data-testid="dht-bootstrap"]').attributes('aria-invalid')).toBe('true');
    expect(save.attributes('disabled')).toBeDefined();
    await w.get('[data-testid="dht-bootstrap"]').setValue('dht.example.org:49737\n10.0.0.1:1');
    await w.get('[data-testid="dht-relay"]').setValue('xyz');
    expect(w.get('[data-testid="dht-relay-help"]').text()).toBe('A relay key is 64 hex digits (0–9, a–f).');
    expect(save.attributes('disabled')).toBeDefined();
    await w.get('[data-testid="dht-relay"]').setValue('AB'.repeat(32));
    expect(save.attributes('disabled')).toBeUndefined();
    await w.get('[data-testid="dht-settings"] form').trigger('submit');
    await flushPromises();
    expect(api.callsOf('updateSettings')).toEqual([[{ dhtBootstrap: 'dht.example.org:49737,10.0.0.1:1', dhtRelay: 'ab'.repeat(32) }]]);
    expect(w.get('[data-testid="notices"]').text()).toContain('The new settings take effect the next time Parley starts.');
  });

  test('empty means HyperDHT’s public nodes and no relay', async () => {
    const w = await open('settings');
    api.state.settings = { ...api.state.settings, dhtBootstrap: ['a.org:1'], dhtRelay: 'cd'.repeat(32) };
    await w.get('[data-testid="nav-host"]').trigger('click');
    await w.get('[data-testid="nav-settings"]').trigger('click');
    await flushPromises();
    expect((w.get('[data-testid="dht-bootstrap"]').element as HTMLTextAreaElement).value).toBe('a.org:1');
    await w.get('[data-testid="dht-bootstrap"]').setValue('');
    await w.get('[data-testid="dht-relay"]').setValue('');
    expect(w.get('[data-testid="dht-bootstrap"]').attributes('placeholder')).toBe('Empty: HyperDHT’s public nodes');
    await w.get('[data-testid="dht-settings"] form').trigger('submit');
    await flushPromises();
    expect(api.callsOf('updateSettings')).toEqual([[{ dhtBootstrap: '', dhtRelay: null }]]);
  });
});

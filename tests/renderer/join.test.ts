/**
 * Joining from the UI: what the pasted target promises, progress while connecting, each failure in plain words
 * with its hint (a fingerprint mismatch shown as the serious thing it is), and the conversation on success.
 * The API is the in-memory stand-in of helpers/fake-api.ts (the real core runs in the end-to-end suite).
 */
import { afterEach, describe, expect, test } from 'vitest';
import { flushPromises, type VueWrapper } from '@vue/test-utils';
import App from '../../src/renderer/src/App.vue';
import { ERROR_HINTS, type ErrorCode } from '../../src/shared/errors.ts';
import type { Result } from '../../src/shared/result.ts';
import { cleanup, freshPinia, mountWith } from './helpers/mount.ts';
import { contact, createFakeApi, fp, type FakeApi } from './helpers/fake-api.ts';

const HOST = fp('d7');
let api: FakeApi;

afterEach(() => {
  expect(api.violations).toEqual([]);
  cleanup();
});

async function openJoin(): Promise<VueWrapper> {
  api = createFakeApi();
  const w = mountWith(App, freshPinia(api));
  await flushPromises();
  await w.get('[data-testid="nav-join"]').trigger('click');
  return w;
}

async function joinWith(w: VueWrapper, target: string): Promise<void> {
  await w.get('[data-testid="join-target"]').setValue(target);
  await w.get('form').trigger('submit');
  await flushPromises();
}

function failWith(code: ErrorCode, message: string): () => Result<never> {
  return () => ({ ok: false, error: { code, message } });
}

describe('join errors become plain words with a hint', () => {
  const cases: [ErrorCode, RegExp][] = [
    ['connect-refused', /Is the host running Parley/],
    ['connect-timeout', /firewall or NAT/],
    ['connect-unreachable', /cannot be reached/],
    ['handshake-failed', /not speaking Parley/],
    ['handshake-timeout', /10 seconds/],
  ];
  for (const [code, hint] of cases) {
    test(code, async () => {
      const w = await openJoin();
      api.override('join', failWith(code, `core says ${code}`));
      await joinWith(w, '10.0.0.2:47800');
      const err = w.get('[data-testid="join-error"]');
      expect(err.attributes('role')).toBe('alert');
      expect(err.attributes('data-code')).toBe(code);
      expect(err.text()).toMatch(hint);
      expect(err.text()).toContain(ERROR_HINTS[code]);
      expect(err.text()).toContain(`core says ${code}`);
      expect(err.classes()).not.toContain('serious');
      expect(w.get('[data-testid="join-submit"]').text()).toBe('Try again');
    });
  }

  test('bad-input: a title of its own, and the core’s message as the explanation instead of a repeat', async () => {
    const w = await openJoin();
    // Issue 12: input the preview already knows to be invalid cannot be submitted (see below), so this is
    // one only the core's exact parser refuses.
    api.override('join', failWith('bad-input', 'the fingerprint (fp) must be exactly 64 lowercase hex digits'));
    await joinWith(w, `parley://10.0.0.2:47800?fp=${HOST}`);
    const err = w.get('[data-testid="join-error"]');
    expect(err.attributes('role')).toBe('alert');
    expect(err.attributes('data-code')).toBe('bad-input');
    expect(err.get('.banner-title').text()).toBe('Check what you entered');
    const lines = err.findAll('p').map((p) => p.text());
    expect(lines).toEqual(['Check what you entered', 'The fingerprint (fp) must be exactly 64 lowercase hex digits.', 'Code: bad-input']);
    expect(err.text()).not.toContain(ERROR_HINTS['bad-input']);
    expect(err.text()).not.toContain('Details:');
    expect(w.get('[data-testid="join-submit"]').text()).toBe('Try again');
  });

  test('fingerprint-mismatch: possible interception, do not proceed, shown seriously', async () => {
    const w = await openJoin();
    api.override('join', failWith('fingerprint-mismatch', 'expected 1111…, got 2222…'));
    await joinWith(w, `parley://10.0.0.2:47800?fp=${HOST}&name=Bob`);
    const err = w.get('[data-testid="join-error"]');
    expect(err.classes()).toContain('serious');
    expect(err.text()).toContain('Wrong identity — possible interception');
    expect(err.text()).toContain('Someone may be intercepting the connection');
    expect(err.text()).toContain('Do not proceed.');
    expect(w.findAll('[data-testid^="contact-"]')).toHaveLength(0);
  });
});

describe('after an invite was refused (fingerprint mismatch), retrying it is not the suggested action', () => {
  const FORGED = `parley://10.0.0.2:47800?fp=${HOST}&name=Bob`;

  async function refused(): Promise<VueWrapper> {
    const w = await openJoin();
    api.override('join', failWith('fingerprint-mismatch', 'the host presented another fingerprint'));
    await joinWith(w, FORGED);
    await flushPromises();
    return w;
  }
  const primary = (w: VueWrapper) => w.findAll('form button.btn-primary');

  test('the one primary action discards the invite and has focus; a plainly worded retry is secondary', async () => {
    const w = await refused();
    expect(w.get('[data-testid="join-error"]').classes()).toContain('serious');
    expect(primary(w).map((b) => b.text())).toEqual(['Discard this invite']);
    expect(document.activeElement).toBe(w.get('[data-testid="join-discard"]').element);
    const retry = w.get('[data-testid="join-retry"]');
    expect(retry.text()).toBe('Retry this invite anyway');
    expect(retry.classes()).not.toContain('btn-primary');
    expect(w.find('[data-testid="join-submit"]').exists()).toBe(false);
    expect(w.text()).not.toContain('Try again');
  });

  test('Enter in the field does not retry it; only the explicit retry button does', async () => {
    const w = await refused();
    await w.get('form').trigger('submit'); // what Enter in the field does
    await flushPromises();
    expect(api.callsOf('join')).toEqual([[FORGED, { nearby: false }]]);
    await w.get('[data-testid="join-retry"]').trigger('click');
    await flushPromises();
    expect(api.callsOf('join')).toEqual([[FORGED, { nearby: false }], [FORGED, { nearby: false }]]);
    expect(w.get('[data-testid="join-error"]').attributes('data-code')).toBe('fingerprint-mismatch'); // refused again
  });

  test('Discard this invite empties the field, clears the error and puts the cursor back in the field', async () => {
    const w = await refused();
    await w.get('[data-testid="join-discard"]').trigger('click');
    await flushPromises();
    const field = w.get('[data-testid="join-target"]');
    expect((field.element as HTMLInputElement).value).toBe('');
    expect(document.activeElement).toBe(field.element);
    expect(w.find('[data-testid="join-error"]').exists()).toBe(false);
    expect(w.get('[data-testid="join-submit"]').text()).toBe('Connect');
    expect(api.callsOf('join')).toHaveLength(1);
  });

  test('editing the field after a refusal brings Connect back', async () => {
    const w = await refused();
    await w.get('[data-testid="join-target"]').setValue('10.0.0.9:47800');
    expect(w.find('[data-testid="join-error"]').exists()).toBe(false);
    expect(w.get('[data-testid="join-submit"]').text()).toBe('Connect');
  });
});

describe('joining', () => {
  test('shows what an invite promises, progress while connecting, then opens the conversation', async () => {
    const w = await openJoin();
    await w.get('[data-testid="join-target"]').setValue(`parley://10.0.0.2:47800?fp=${HOST}&name=Bob%20B.`);
    const preview = w.get('[data-testid="join-preview"]');
    expect(preview.attributes('data-kind')).toBe('invite');
    expect(preview.text()).toContain('An invite from Bob B. to 10.0.0.2:47800');
    expect(preview.text()).toContain('d7d7 d7d7 d7d7'); // the fingerprint, grouped
    let finish: ((r: Result<{ peer: string }>) => void) | undefined;
    api.override('join', () => new Promise((resolve) => (finish = resolve)));
    await w.get('form').trigger('submit');
    await flushPromises();
    expect(w.get('[data-testid="join-status"]').text()).toContain('Connecting to 10.0.0.2:47800');
    expect(w.get('[data-testid="join-submit"]').attributes('disabled')).toBeDefined();
    expect(api.callsOf('join')).toEqual([[`parley://10.0.0.2:47800?fp=${HOST}&name=Bob%20B.`, { nearby: false }]]);

    api.state.contacts.set(HOST, contact({ fingerprint: HOST, name: 'Bob B.', verified: true, verifiedMethod: 'invite', verifiedAt: Date.now() }));
    api.state.messages.set(HOST, []);
    finish?.({ ok: true, value: { peer: HOST } });
    await flushPromises();
    await flushPromises();
    expect(w.find('[data-testid="join-status"]').exists()).toBe(false);
    expect(w.get('h1').text()).toBe('Bob B.');
    expect(w.find('[data-testid="verified-badge"]').exists()).toBe(true);
    expect(w.get('[data-testid="notices"]').text()).toContain('Connected to Bob B.');
    expect(w.find(`[data-testid="contact-${HOST}"]`).exists()).toBe(true);
  });

  test('a bare address says it connects unverified', async () => {
    const w = await openJoin();
    await w.get('[data-testid="join-target"]').setValue('192.168.1.20:47800');
    expect(w.get('[data-testid="join-preview"]').text()).toContain('unverified');
  });
});

describe('a parley:// link opened elsewhere', () => {
  test('fills the join field and shows Join, but does not connect by itself', async () => {
    api = createFakeApi();
    const w = mountWith(App, freshPinia(api));
    await flushPromises();
    const invite = `parley://10.0.0.3:47800?fp=${HOST}&name=Eve`;
    api.emit({ type: 'open-invite', invite });
    await flushPromises();
    expect((w.get('[data-testid="join-target"]').element as HTMLInputElement).value).toBe(invite);
    expect(w.get('[data-testid="join-preview"]').text()).toContain('An invite from Eve to 10.0.0.3:47800');
    expect(api.callsOf('join')).toEqual([]);
  });
});

describe('join progress in steps', () => {
  const INVITE = `parley://10.0.0.2:47800?fp=${HOST}&dht=${'e5'.repeat(32)}&name=Bob`;
  const states = (w: VueWrapper) => w.findAll('[data-testid="join-steps"] li').map((li) => `${li.attributes('data-step')}:${li.attributes('data-state')}`);

  test('finding → path → securing → connected, steps only moving forward, the internet path named', async () => {
    const w = await openJoin();
    let finish: ((r: Result<{ peer: string }>) => void) | undefined;
    api.override('join', () => new Promise((resolve) => (finish = resolve)));
    await joinWith(w, INVITE);
    expect(states(w)).toEqual(['finding:active', 'path:pending', 'securing:pending', 'connected:pending']);
    api.emit({ type: 'join-progress', progress: { step: 'finding', path: 'tcp' } });
    api.emit({ type: 'join-progress', progress: { step: 'finding', path: 'dht' } });
    await flushPromises();
    expect(w.get('[data-testid="join-steps"]').text()).toContain('Finding the peer — at its address and through the internet');
    api.emit({ type: 'join-progress', progress: { step: 'path', path: 'dht' } });
    await flushPromises();
    expect(states(w)).toEqual(['finding:done', 'path:active', 'securing:pending', 'connected:pending']);
    expect(w.get('[data-testid="join-steps"]').text()).toContain('Opening a path through the network');
    api.emit({ type: 'join-progress', progress: { step: 'securing', path: 'dht' } });
    // A slower path reporting an earlier step does not move the display back.
    api.emit({ type: 'join-progress', progress: { step: 'path', path: 'tcp' } });
    await flushPromises();
    expect(states(w)).toEqual(['finding:done', 'path:done', 'securing:active', 'connected:pending']);
    api.state.contacts.set(HOST, contact({ fingerprint: HOST, name: 'Bob', verified: true, verifiedMethod: 'invite' }));
    finish?.({ ok: true, value: { peer: HOST } });
    await flushPromises();
    await flushPromises();
    expect(w.get('h1').text()).toBe('Bob'); // the conversation opened
  });

  const failures: [ErrorCode, 'finding' | 'path' | 'securing', string][] = [
    ['dht-unreachable', 'finding', 'Offline from the peer-to-peer network'],
    ['peer-not-found', 'finding', 'Nobody at that address'],
    ['holepunch-failed', 'path', 'No direct path between your networks'],
    ['handshake-timeout', 'securing', 'The secure handshake timed out'],
  ];
  for (const [code, at, title] of failures) {
    test(`${code}: the step it stopped at is marked, with a sentence and the code; no spinner is left`, async () => {
      const w = await openJoin();
      let finish: ((r: Result<never>) => void) | undefined;
      api.override('join', () => new Promise((resolve) => (finish = resolve)));
      await joinWith(w, INVITE);
      const order = ['finding', 'path', 'securing'] as const;
      for (const step of order.slice(0, order.indexOf(at) + 1)) api.emit({ type: 'join-progress', progress: { step, path: 'dht' } });
      finish?.({ ok: false, error: { code, message: `core says ${code}` } });
      await flushPromises();
      expect(w.get(`[data-testid="join-steps"] [data-step="${at}"]`).attributes('data-state')).toBe('failed');
      expect(w.findAll('[data-testid="join-steps"] [data-state="active"]')).toHaveLength(0);
      expect(w.find('.spinner').exists()).toBe(false);
      const err = w.get('[data-testid="join-error"]');
      expect(err.get('.banner-title').text()).toBe(title);
      expect(err.text()).toContain(ERROR_HINTS[code]);
      expect(err.get('[data-testid="error-code"]').text()).toBe(`Code: ${code}`);
      expect(w.get('[data-testid="join-submit"]').text()).toBe('Try again');
    });
  }

  test('progress that arrives when no join is running is ignored', async () => {
    const w = await openJoin();
    api.emit({ type: 'join-progress', progress: { step: 'securing', path: 'tcp' } });
    await flushPromises();
    expect(w.find('[data-testid="join-steps"]').exists()).toBe(false);
  });
});

describe('Nearby', () => {
  const ADA = fp('c3');
  const ada = { name: 'Ada', fingerprint: ADA, host: '192.168.1.30', port: 47800, invite: `parley://192.168.1.30:47800?fp=${ADA}&name=Ada` };

  test('lists hosts with name, identicon and fingerprint groups; joining one never asks for verification', async () => {
    const w = await openJoin();
    api.state.nearby = [ada];
    await w.get('[data-testid="nearby-look"]').trigger('click');
    await flushPromises();
    expect(api.callsOf('browseNearby')).toEqual([[]]);
    const row = w.get('[data-testid="nearby-host"]');
    expect(row.attributes('data-fingerprint')).toBe(ADA);
    expect(row.text()).toContain('Ada');
    expect(row.text()).toContain('192.168.1.30:47800');
    expect(row.find('[data-testid="identicon"]').exists()).toBe(true);
    expect(row.findAll('.group').map((g) => g.text())).toHaveLength(16);
    expect(row.findAll('.group')[0]?.text()).toBe('c3c3');
    expect(w.get('[data-testid="nearby"]').text()).toContain('joining one of them is not a verification');

    api.override('join', () => {
      api.state.contacts.set(ADA, contact({ fingerprint: ADA, name: 'Ada', verified: false }));
      return { ok: true, value: { peer: ADA } };
    });
    await w.get('button[aria-label="Join Ada"]').trigger('click');
    await flushPromises();
    await flushPromises();
    expect(api.callsOf('join')).toEqual([[ada.invite, { nearby: true }]]);
    expect(w.get('h1').text()).toBe('Ada');
    expect(w.find('[data-testid="unverified-badge"]').exists()).toBe(true);
    expect(w.get('[data-testid="notices"]').text()).toContain('Not verified yet');
  });

  test('the same invite pasted by hand after editing is an ordinary invite join', async () => {
    const w = await openJoin();
    api.state.nearby = [ada];
    await w.get('[data-testid="nearby-look"]').trigger('click');
    await flushPromises();
    api.override('join', failWith('connect-refused', 'refused'));
    await w.get('button[aria-label="Join Ada"]').trigger('click');
    await flushPromises();
    await joinWith(w, `${ada.invite}&x=1`);
    expect(api.callsOf('join')).toEqual([
      [ada.invite, { nearby: true }],
      [`${ada.invite}&x=1`, { nearby: false }],
    ]);
  });

  test('nobody found is said plainly', async () => {
    const w = await openJoin();
    await w.get('[data-testid="nearby-look"]').trigger('click');
    await flushPromises();
    expect(w.get('[data-testid="nearby-empty"]').text()).toBe('Nobody on this network announces Parley right now.');
    expect(w.get('[data-testid="nearby-look"]').text()).toBe('Look again');
  });
});

describe('a failure before any progress report', () => {
  test('marks the first step failed (never a spinner left), but bad input shows no steps at all', async () => {
    const w = await openJoin();
    api.override('join', failWith('peer-not-found', 'nobody there'));
    await joinWith(w, '10.0.0.2:47800');
    expect(w.get('[data-testid="join-steps"] [data-step="finding"]').attributes('data-state')).toBe('failed');
    expect(w.findAll('[data-testid="join-steps"] [data-state="active"]')).toHaveLength(0);
    api.override('join', failWith('bad-input', 'not an invite'));
    await joinWith(w, 'nonsense');
    expect(w.find('[data-testid="join-steps"]').exists()).toBe(false);
  });
});

describe('join: Connect only for valid input, Cancel while connecting, the next step after a failure (issue 12)', () => {
  test('Connect is disabled while the input is not an invite with a fingerprint or HOST:PORT; Enter does nothing then', async () => {
    const w = await openJoin();
    const submit = () => w.get('[data-testid="join-submit"]');
    expect(submit().attributes('disabled')).toBeDefined();
    for (const bad of ['not an address at all', 'parley://10.0.0.2:47800?fp=nothex', 'http://example.com']) {
      await w.get('[data-testid="join-target"]').setValue(bad);
      expect(submit().attributes('disabled')).toBeDefined();
    }
    await w.get('form').trigger('submit');
    await flushPromises();
    expect(api.callsOf('join')).toEqual([]);
    await w.get('[data-testid="join-target"]').setValue('10.0.0.2:47800');
    expect(submit().attributes('disabled')).toBeUndefined();
  });

  test('Cancel during connecting cancels the join in the core; its cancelled answer shows no error and opens nothing', async () => {
    const w = await openJoin();
    let finish: (r: Result<{ peer: string }>) => void = () => undefined;
    api.override('join', () => new Promise((resolve) => (finish = resolve)));
    api.override('cancelJoin', () => {
      finish({ ok: false, error: { code: 'cancelled', message: 'the join was cancelled' } });
      return Promise.resolve({ ok: true, value: true });
    });
    await joinWith(w, '10.0.0.2:47800');
    expect(w.get('[data-testid="join-submit"]').text()).toBe('Connecting…');
    await w.get('[data-testid="join-cancel"]').trigger('click');
    await flushPromises();
    expect(api.callsOf('cancelJoin')).toEqual([[]]);
    expect(w.find('[data-testid="join-cancel"]').exists()).toBe(false);
    expect(w.get('[data-testid="join-submit"]').text()).toBe('Connect');
    expect((w.get('[data-testid="join-target"]').element as HTMLInputElement).value).toBe('10.0.0.2:47800');
    expect(api.callsOf('disconnect')).toEqual([]);
    expect(w.find('.conversation').exists()).toBe(false);
    expect(w.find('[data-testid="join-error"]').exists()).toBe(false);
  });

  test('a Cancel that reaches the core after the join had connected undoes that connection', async () => {
    const w = await openJoin();
    let finish: (r: Result<{ peer: string }>) => void = () => undefined;
    api.override('join', () => new Promise((resolve) => (finish = resolve)));
    // The core answers false: no join was in progress any more (its success is on its way).
    api.override('cancelJoin', () => Promise.resolve({ ok: true, value: false }));
    await joinWith(w, '10.0.0.2:47800');
    await w.get('[data-testid="join-cancel"]').trigger('click');
    await flushPromises();
    api.state.contacts.set(HOST, contact({ fingerprint: HOST, name: 'Host' }));
    finish({ ok: true, value: { peer: HOST } });
    await flushPromises();
    expect(api.callsOf('disconnect')).toEqual([[HOST]]);
    expect(w.find('.conversation').exists()).toBe(false);
  });

  test('a failure names the next step', async () => {
    const w = await openJoin();
    api.override('join', failWith('connect-refused', 'ECONNREFUSED'));
    await joinWith(w, '10.0.0.2:47800');
    expect(w.get('[data-testid="join-next-step"]').text()).toContain('Ask them to open Host in Parley and send you a fresh invite');
  });
});

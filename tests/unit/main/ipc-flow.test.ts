/**
 * For EVERY channel of the registry: the right arguments reach the app and its service, and the
 * service's answer (or its error code) comes back as the Result.
 *
 * Electron is not loaded here (its runtime cannot be downloaded on these machines). The stand-ins
 * are Electron's modules only: the OS keychain (safeStorage), the confirm dialog and the system
 * browser (shell). The app is real: a real AppController and ParleyService over temporary data
 * directories, and a second real peer on 127.0.0.1 to join, verify and message.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { readProtectionRecord } from '../../../src/main/protection-record.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeyFileSealer, KEY_FILE_NAME } from '../../../src/core/identity/key-file-sealer.ts';
import { ParleyService } from '../../../src/core/service/parley-service.ts';
import { openDataDir } from '../../../src/core/storage/data-dir.ts';
import { CHANNEL_NAMES, type Channel } from '../../../src/shared/ipc/channels.ts';
import type { ContactDto, HostingDto, IdentityDto, InviteDto, MessageDto, ParleyEvent, SearchPageDto, SettingsDto } from '../../../src/shared/dto.ts';
import type { AppStatus } from '../../../src/shared/ipc/schemas.ts';
import { NEARBY_BROWSE_MS } from '../../../src/main/handlers.ts';
import { discoveryCalls, makeHarness, tempDir, type Harness } from './harness.ts';

const exercised = new Set<Channel>();
const dirs: { remove: () => void }[] = [];
let h: Harness;
let peer: ParleyService;
let peerInvite: string;
let peerFp: string;
const peerEvents: ParleyEvent[] = [];
let work: string;
let peerDownloads: string;
/** A real PNG signature and IHDR length: enough for main's magic-byte check. */
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);

/** Invokes a channel with the good sender, notes it as exercised, and returns the Result. */
async function call(channel: Channel, ...args: unknown[]) {
  exercised.add(channel);
  h.calls.length = 0;
  return h.invoke(channel, ...args);
}

function value<T>(r: Awaited<ReturnType<Harness['invoke']>>): T {
  if (!r.ok) throw new Error(`expected ok, got ${r.error.code}: ${r.error.message}`);
  return r.value as T;
}

function callNames(): string[] {
  return h.calls.map((c) => c.name);
}

/** Waits until `path` no longer exists (pasted files are pruned after the event that ends their offer). */
async function waitGone(path: string): Promise<void> {
  for (let i = 0; i < 100 && existsSync(path); i++) await new Promise((r) => setTimeout(r, 20));
  expect(existsSync(path), path).toBe(false);
}

function waitFor<T extends ParleyEvent>(events: ParleyEvent[], pred: (e: ParleyEvent) => e is T, ms = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const tick = (): void => {
      const hit = events.find(pred);
      if (hit) resolve(hit);
      else if (Date.now() - started > ms) reject(new Error('timed out waiting for an event'));
      else setTimeout(tick, 10);
    };
    tick();
  });
}

beforeAll(async () => {
  const a = tempDir('parley-ipc-a-');
  const b = tempDir('parley-ipc-b-');
  const w = tempDir('parley-ipc-files-');
  dirs.push(a, b, w);
  work = w.dir;
  peerDownloads = join(b.dir, 'downloads');
  mkdirSync(peerDownloads);
  h = makeHarness(a.dir);
  const store = openDataDir(b.dir, { sealer: createKeyFileSealer(b.dir) });
  store.settings.setDisplayName('Bea');
  peer = new ParleyService({ store, keyProtection: 'key-file', autoReconnect: false });
  peer.on((e) => peerEvents.push(e));
  const hosting = await peer.host({ port: 0, bind: '127.0.0.1' });
  peerInvite = hosting.invite.replace(/parley:\/\/[^:?]+/, 'parley://127.0.0.1');
  peerFp = peer.identity().fingerprint;
});

afterAll(async () => {
  await h.controller.close();
  await peer.close();
  for (const d of dirs) d.remove();
});

describe('a first run through IPC, channel by channel', () => {
  it('app:status reports setup before anything exists', async () => {
    const status = value<AppStatus>(await call('app:status'));
    expect(status).toEqual({ phase: 'setup', keychainAvailable: true, identity: null, problem: null });
    expect(callNames()).toEqual(['app.status']);
  });

  it('service channels answer plainly before setup, without a service', async () => {
    const r = await call('contacts:list');
    expect(r).toEqual({ ok: false, error: { code: 'bad-input', message: 'Set Parley up first' } });
  });

  it('app:setup creates the identity with the chosen name and protection', async () => {
    const choice = { name: 'Ada', protection: 'key-file', passphrase: null };
    const id = value<IdentityDto>(await call('app:setup', choice));
    expect(h.calls).toEqual([{ name: 'app.setup', args: [choice] }]);
    expect(id.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(id).toMatchObject({ name: 'Ada', keyProtection: 'key-file' });
    expect(value<AppStatus>(await call('app:status'))).toMatchObject({ phase: 'ready', identity: id });
    const again = await call('app:setup', choice);
    expect(again).toMatchObject({ ok: false, error: { code: 'bad-input' } });
  });

  it('app:unlock is refused when nothing is locked', async () => {
    expect(await call('app:unlock', 'correct horse battery')).toMatchObject({ ok: false, error: { code: 'bad-input', message: 'Parley is already unlocked' } });
    expect(callNames()).toEqual(['app.unlock']);
  });

  it('identity:set-name and identity:export-public-key', async () => {
    const id = value<IdentityDto>(await call('identity:set-name', 'Ada L.'));
    expect(id.name).toBe('Ada L.');
    expect(h.calls).toContainEqual({ name: 'service.setName', args: ['Ada L.'] });
    const pem = value<string>(await call('identity:export-public-key'));
    expect(pem).toMatch(/^-----BEGIN PUBLIC KEY-----\n[A-Za-z0-9+/=\n]+-----END PUBLIC KEY-----\n?$/);
    expect(pem).toBe(h.controller.service().identity().publicKeyPem);
  });

  it('hosting:status, hosting:start and hosting:stop', async () => {
    expect(value(await call('hosting:status'))).toBeNull();
    const hosting = value<HostingDto>(await call('hosting:start', { port: 0, bind: '127.0.0.1', dht: false, announce: false }));
    expect(h.calls).toContainEqual({ name: 'service.host', args: [{ port: 0, bind: '127.0.0.1', dht: false, announce: false }] });
    expect(hosting).toMatchObject({ dht: null, reachability: null, discoverable: false });
    expect(hosting.host).toBe('127.0.0.1');
    expect(hosting.port).toBeGreaterThan(0);
    expect(hosting.invite.startsWith(`parley://127.0.0.1:${hosting.port}?fp=`)).toBe(true);
    expect(value(await call('hosting:status'))).toEqual(hosting);
    expect(value(await call('hosting:stop'))).toBeNull();
    expect(callNames()).toContain('service.stopHosting');
    // The service's own error code comes back as it is.
    expect(await call('hosting:stop')).toEqual({ ok: false, error: { code: 'not-hosting', message: 'not hosting' } });
  });

  it('hosting:start with announce advertises (through the stand-in) until hosting:stop; hosting:new-dht-key', async () => {
    discoveryCalls.length = 0;
    const hosting = value<HostingDto>(await call('hosting:start', { port: 0, bind: '0.0.0.0', dht: false, announce: true }));
    expect(hosting.discoverable).toBe(true);
    expect(discoveryCalls).toEqual([`advertise Ada L. ${hosting.port}`]);
    // Not on the DHT: a new key changes nothing the invite shows, and says so by dht: null.
    const rekeyed = value<HostingDto | null>(await call('hosting:new-dht-key'));
    expect(callNames()).toContain('service.newDhtKey');
    expect(rekeyed).toMatchObject({ port: hosting.port, dht: null });
    value(await call('hosting:stop'));
    expect(discoveryCalls).toEqual([`advertise Ada L. ${hosting.port}`, `stop ${hosting.port}`]);
    // Announcing a host only this computer can reach is refused in plain words.
    expect(await call('hosting:start', { port: 0, bind: '127.0.0.1', dht: false, announce: true })).toMatchObject({ ok: false, error: { code: 'bad-input' } });
    expect(value(await call('hosting:new-dht-key'))).toBeNull();
  });

  it('discovery:browse asks the service, which never lists this node itself', async () => {
    discoveryCalls.length = 0;
    expect(value(await call('discovery:browse'))).toEqual([]);
    expect(h.calls).toContainEqual({ name: 'service.browseNearby', args: [NEARBY_BROWSE_MS] });
    expect(discoveryCalls).toEqual(['browse']);
  });

  it('peers:join from the Nearby list reaches a real peer, reports progress, and never verifies', async () => {
    h.events.length = 0;
    const joined = value<{ peer: string }>(await call('peers:join', peerInvite, { nearby: true }));
    expect(joined).toEqual({ peer: peerFp });
    expect(h.calls).toContainEqual({ name: 'service.join', args: [peerInvite, { verifyByInvite: false, onProgress: expect.any(Function), signal: expect.any(AbortSignal) }] });
    expect(h.events.filter((e) => e.type === 'join-progress').map((e) => e.progress)).toEqual([
      { step: 'finding', path: 'tcp' },
      { step: 'path', path: 'tcp' },
      { step: 'securing', path: 'tcp' },
    ]);
    const contacts = value<ContactDto[]>(await call('contacts:list'));
    expect(contacts).toHaveLength(1);
    expect(contacts[0]).toMatchObject({ fingerprint: peerFp, name: 'Bea', verified: false, verifiedMethod: null, online: true });
  });

  it('peers:join by invite verifies the peer', async () => {
    value(await call('peers:disconnect', peerFp));
    await waitFor(h.events, (e): e is Extract<ParleyEvent, { type: 'disconnected' }> => e.type === 'disconnected');
    value(await call('peers:join', peerInvite, { nearby: false }));
    expect(h.calls).toContainEqual({ name: 'service.join', args: [peerInvite, { verifyByInvite: true, onProgress: expect.any(Function), signal: expect.any(AbortSignal) }] });
    expect(value<ContactDto[]>(await call('contacts:list'))[0]).toMatchObject({ verified: true, verifiedMethod: 'invite', online: true });
  });

  it('peers:cancel-join stops the join in progress in the core: cancelled, the socket closed, no contact (issue 12)', async () => {
    // A listener that accepts and reads but never answers the handshake: the join waits in "securing".
    const closed: Promise<void>[] = [];
    const stall = createServer((socket) => {
      socket.resume();
      closed.push(new Promise((resolve) => socket.on('close', () => resolve())));
    });
    await new Promise<void>((resolve) => stall.listen(0, '127.0.0.1', resolve));
    const { port } = stall.address() as AddressInfo;
    try {
      expect(value(await call('peers:cancel-join'))).toBe(false); // nothing in progress
      h.events.length = 0;
      const before = value<ContactDto[]>(await call('contacts:list')).length;
      const joining = call('peers:join', `127.0.0.1:${port}`, { nearby: false });
      await waitFor(h.events, (e): e is Extract<ParleyEvent, { type: 'join-progress' }> => e.type === 'join-progress' && e.progress.step === 'securing');
      expect(value(await h.invoke('peers:cancel-join'))).toBe(true);
      expect(await joining).toMatchObject({ ok: false, error: { code: 'cancelled' } });
      await Promise.all(closed);
      expect(closed).toHaveLength(1);
      expect(value<ContactDto[]>(await call('contacts:list'))).toHaveLength(before);
      expect(value(await call('peers:cancel-join'))).toBe(false);
    } finally {
      await new Promise<void>((resolve) => stall.close(() => resolve()));
    }
  });

  it('contacts:unverify, contacts:verify and contacts:accept-key', async () => {
    expect(value<ContactDto>(await call('contacts:unverify', peerFp))).toMatchObject({ verified: false, verifiedMethod: null });
    expect(h.calls).toContainEqual({ name: 'service.unverify', args: [peerFp] });
    expect(value<ContactDto>(await call('contacts:verify', peerFp, 'safety-number'))).toMatchObject({ verified: true, verifiedMethod: 'safety-number' });
    expect(h.calls).toContainEqual({ name: 'service.verify', args: [peerFp, 'safety-number'] });
    expect(value<ContactDto>(await call('contacts:accept-key', peerFp))).toMatchObject({ fingerprint: peerFp, blocked: null });
    expect(h.calls).toContainEqual({ name: 'service.acceptKey', args: [peerFp] });
    const unknown = 'cd'.repeat(32);
    expect(await call('contacts:verify', unknown, 'fingerprint')).toMatchObject({ ok: false, error: { code: 'no-peer' } });
  });

  it('messages:send, messages:history and contacts:mark-read', async () => {
    const sent = value<MessageDto>(await call('messages:send', peerFp, 'hello Bea'));
    expect(h.calls).toContainEqual({ name: 'service.send', args: [peerFp, 'hello Bea'] });
    expect(sent).toMatchObject({ peer: peerFp, direction: 'out', text: 'hello Bea' });
    const got = await waitFor(peerEvents, (e): e is Extract<ParleyEvent, { type: 'message' }> => e.type === 'message');
    expect(got.message.text).toBe('hello Bea');
    peer.send(h.controller.service().identity().fingerprint, 'hi Ada');
    await waitFor(h.events, (e): e is Extract<ParleyEvent, { type: 'message' }> => e.type === 'message' && e.message.direction === 'in');
    const page = value<MessageDto[]>(await call('messages:history', peerFp, { before: null, limit: 50 }));
    expect(h.calls).toContainEqual({ name: 'service.history', args: [peerFp, { before: null, limit: 50 }] });
    expect(page.map((m) => [m.direction, m.text])).toEqual([
      ['out', 'hello Bea'],
      ['in', 'hi Ada'],
    ]);
    expect(value<ContactDto[]>(await call('contacts:list'))[0]?.unread).toBe(1);
    expect(value(await call('contacts:mark-read', peerFp))).toBeNull();
    expect(h.calls).toContainEqual({ name: 'service.markRead', args: [peerFp] });
    expect(value<ContactDto[]>(await call('contacts:list'))[0]?.unread).toBe(0);
    expect(await call('messages:send', 'cd'.repeat(32), 'x')).toMatchObject({ ok: false, error: { code: 'no-peer' } });
  });

  it('peers:disconnect', async () => {
    expect(value(await call('peers:disconnect', peerFp))).toBeNull();
    expect(h.calls).toContainEqual({ name: 'service.disconnect', args: [peerFp] });
    await waitFor(h.events, (e): e is Extract<ParleyEvent, { type: 'disconnected' }> => e.type === 'disconnected');
    expect(await call('peers:disconnect', peerFp)).toMatchObject({ ok: false, error: { code: 'no-peer' } });
    // "Try now" (issue 12): the peer joined us, so there is no saved address to try: false, not an error.
    expect(value(await call('peers:rejoin-now', peerFp))).toBe(false);
  });

  it('issue 12: reply, history around, search, rename, key history, block, unblock, accept-request, create-invite, delete', async () => {
    const [incoming] = value<MessageDto[]>(await call('messages:history', peerFp, { before: null, limit: 1 }));
    if (!incoming) throw new Error('no history');
    const reply = value<MessageDto>(await call('messages:reply', peerFp, 'yes', { replyTo: incoming.id }));
    expect(reply).toMatchObject({ text: 'yes', replyTo: incoming.id, reactTo: null });
    expect(h.calls).toContainEqual({ name: 'service.send', args: [peerFp, 'yes', { replyTo: incoming.id }] });
    expect(await call('messages:reply', peerFp, 'x', { reactTo: '00000000-0000-4000-8000-000000000000' })).toMatchObject({ ok: false, error: { code: 'bad-input' } });
    const around = value<MessageDto[]>(await call('messages:history', peerFp, { before: null, limit: 3, around: incoming.seq }));
    expect(around.map((m) => m.text)).toEqual(['hello Bea', 'hi Ada', 'yes']);
    const found = value<SearchPageDto>(await call('messages:search', 'HELLO', null));
    expect(found.hits.map((x) => [x.peer, x.snippet])).toEqual([[peerFp, 'hello Bea']]);
    expect(found.next).toBeNull();
    expect(value<ContactDto>(await call('contacts:rename', peerFp, 'B.'))).toMatchObject({ nickname: 'B.', displayName: 'B.', name: 'Bea' });
    expect(value<ContactDto>(await call('contacts:rename', peerFp, null))).toMatchObject({ nickname: null, displayName: 'Bea' });
    expect(value(await call('contacts:key-history', peerFp))).toEqual([]);
    expect(value<ContactDto>(await call('contacts:block', peerFp))).toMatchObject({ status: 'blocked' });
    expect(await call('contacts:accept-request', peerFp)).toMatchObject({ ok: false, error: { code: 'contact-blocked' } });
    expect(value<ContactDto>(await call('contacts:unblock', peerFp))).toMatchObject({ status: 'accepted' });
    expect(value<ContactDto>(await call('contacts:accept-request', peerFp))).toMatchObject({ status: 'accepted' });
    expect(await call('hosting:create-invite', { reusable: true })).toMatchObject({ ok: false, error: { code: 'not-hosting' } });
    value(await call('hosting:start', { port: 0, bind: '127.0.0.1', dht: false, announce: false }));
    const made = value<InviteDto>(await call('hosting:create-invite', { reusable: false }));
    expect(made).toMatchObject({ reusable: false, invite: expect.stringMatching(/&tok=[0-9a-f]{32}/) });
    const before = value<HostingDto>(await call('hosting:status'));
    const after = value<HostingDto>(await call('hosting:revoke-invites'));
    expect(after.invite).not.toBe(before.invite);
    expect(h.calls).toContainEqual({ name: 'service.revokeInvites', args: [] });
    expect(value(await call('contacts:delete', peerFp))).toBeNull();
    expect(h.calls).toContainEqual({ name: 'service.deleteContact', args: [peerFp] });
    expect(value<ContactDto[]>(await call('contacts:list'))).toEqual([]);
    expect(value<SearchPageDto>(await call('messages:search', 'hello', null)).hits).toEqual([]);
  });

  it('settings:get and settings:set', async () => {
    const s = value<SettingsDto>(await call('settings:get'));
    expect(s).toEqual({
      name: 'Ada L.',
      defaultPort: 47800,
      hostReach: 'anyone',
      hostAnnounce: false,
      // Hosting earlier in this run turned "Host when Parley starts" on (issue 12).
      hostAtStart: true,
      dhtBootstrap: [],
      dhtRelay: null,
      dataDir: h.paths.dataDir,
      keyProtection: 'key-file',
      keychainAvailable: true,
      downloadDir: join(h.paths.userData, 'Downloads', 'Parley'),
      maxFileSize: 4 * 1024 ** 3,
      autoAcceptVerified: false,
    });
    const changed = value<SettingsDto>(await call('settings:set', { defaultPort: 50000, name: 'Ada' }));
    expect(changed).toMatchObject({ name: 'Ada', defaultPort: 50000 });
    expect(h.calls).toContainEqual({ name: 'service.setName', args: ['Ada'] });
    expect(value<SettingsDto>(await call('settings:set', {}))).toEqual(changed);
    const relay = 'ef'.repeat(32);
    const reach = value<SettingsDto>(
      await call('settings:set', { hostReach: 'network', hostAnnounce: true, dhtBootstrap: 'dht.example.org:49737, 10.0.0.1:1\ndht.example.org:49737', dhtRelay: relay }),
    );
    expect(reach).toMatchObject({ hostReach: 'network', hostAnnounce: true, dhtBootstrap: ['dht.example.org:49737', '10.0.0.1:1'], dhtRelay: relay });
    expect(value<SettingsDto>(await call('settings:get'))).toEqual(reach);
    // Empty: HyperDHT's public bootstrap nodes again; null: no relay.
    expect(value<SettingsDto>(await call('settings:set', { dhtBootstrap: ' ', dhtRelay: null }))).toMatchObject({ dhtBootstrap: [], dhtRelay: null });
    const files = value<SettingsDto>(await call('settings:set', { maxFileSize: 1024 ** 3, autoAcceptVerified: true }));
    expect(files).toMatchObject({ maxFileSize: 1024 ** 3, autoAcceptVerified: true });
    expect(h.calls).toContainEqual({ name: 'service.setFileSettings', args: [{ acceptDir: files.downloadDir, maxFileSize: 1024 ** 3, autoAcceptVerified: true }] });
    h.files.folder = null;
    expect(value<SettingsDto>(await call('settings:pick-download-dir'))).toEqual(files);
    expect(h.files.folderAsked).toEqual([files.downloadDir]);
    h.files.folder = work;
    expect(value<SettingsDto>(await call('settings:pick-download-dir'))).toMatchObject({ downloadDir: work });
    expect(value<SettingsDto>(await call('settings:set', { autoAcceptVerified: false }))).toMatchObject({ downloadDir: work, autoAcceptVerified: false });
    expect(h.calls).toContainEqual({ name: 'service.setFileSettings', args: [{ acceptDir: null, maxFileSize: 1024 ** 3 }] });
  });

  it('app:change-protection re-seals the running identity: key file → passphrase → keychain → key file', async () => {
    const fp = h.controller.service().identity().fingerprint;
    const toPass = value<SettingsDto>(await call('app:change-protection', { protection: 'passphrase', passphrase: 'correct horse battery', currentPassphrase: null }));
    expect(toPass).toMatchObject({ keyProtection: 'passphrase' });
    expect(h.calls[0]).toEqual({ name: 'app.changeProtection', args: [{ protection: 'passphrase', passphrase: 'correct horse battery', currentPassphrase: null }] });
    expect(readProtectionRecord(h.paths.protectionFile)?.protection).toBe('passphrase');
    expect(existsSync(join(h.paths.dataDir, KEY_FILE_NAME))).toBe(false); // the key file protects nothing now
    const wrong = await call('app:change-protection', { protection: 'keychain', passphrase: null, currentPassphrase: 'wrong horse battery' });
    expect(wrong).toMatchObject({ ok: false, error: { code: 'unseal-failed' } });
    expect(readProtectionRecord(h.paths.protectionFile)?.protection).toBe('passphrase');
    expect(await call('app:change-protection', { protection: 'keychain', passphrase: null, currentPassphrase: null })).toMatchObject({ ok: false, error: { code: 'bad-input' } });
    expect(value<SettingsDto>(await call('app:change-protection', { protection: 'keychain', passphrase: null, currentPassphrase: 'correct horse battery' }))).toMatchObject({ keyProtection: 'keychain' });
    expect(await call('app:change-protection', { protection: 'keychain', passphrase: null, currentPassphrase: null })).toMatchObject({ ok: false, error: { code: 'bad-input', message: /already/ } });
    expect(value<SettingsDto>(await call('app:change-protection', { protection: 'key-file', passphrase: null, currentPassphrase: null }))).toMatchObject({ keyProtection: 'key-file' });
    expect(h.controller.service().identity().fingerprint).toBe(fp); // the same identity, still running
  });

  it('links:open asks first with the exact URL and its host, and opens only what was confirmed', async () => {
    h.links.confirmAnswer = false;
    expect(value(await call('links:open', 'https://example.org/a b'))).toBe(false);
    expect(h.links.asked).toEqual([{ url: 'https://example.org/a%20b', host: 'example.org' }]);
    expect(h.links.opened).toEqual([]);
    h.links.confirmAnswer = true;
    expect(value(await call('links:open', 'HTTPS://bank.example@evil.example/pay'))).toBe(true);
    expect(h.links.asked[1]).toEqual({ url: 'https://bank.example@evil.example/pay', host: 'evil.example' });
    expect(h.links.opened).toEqual(['https://bank.example@evil.example/pay']);
    expect(value(await call('links:open', 'http://xn--80ak6aa92e.com/'))).toBe(true);
    expect(await call('links:open', 'https://')).toMatchObject({ ok: false, error: { code: 'bad-input' } });
    expect(h.links.opened).toHaveLength(2);
  });

});

describe('a passphrase-protected app', () => {
  it('is set up, then locked on the next start; a wrong passphrase keeps it locked, the right one opens it', async () => {
    const home = tempDir('parley-ipc-pass-');
    dirs.push(home);
    const first = makeHarness(home.dir);
    const id = value<IdentityDto>(await first.invoke('app:setup', { name: 'Cy', protection: 'passphrase', passphrase: 'correct horse battery' }));
    expect(id.keyProtection).toBe('passphrase');
    await first.controller.close();

    const second = makeHarness(home.dir);
    expect(value<AppStatus>(await second.invoke('app:status'))).toEqual({ phase: 'locked', keychainAvailable: true, identity: null, problem: null });
    expect(await second.invoke('contacts:list')).toEqual({ ok: false, error: { code: 'bad-input', message: 'Unlock Parley first' } });
    const wrong = await second.invoke('app:unlock', 'wrong horse battery');
    expect(wrong).toEqual({ ok: false, error: { code: 'unseal-failed', message: 'That passphrase does not unlock your Parley data. Nothing was changed.' } });
    expect(second.calls.map((c) => c.name)).toContain('app.unlock');
    expect(value<AppStatus>(await second.invoke('app:status')).phase).toBe('locked');
    const opened = value<IdentityDto>(await second.invoke('app:unlock', 'correct horse battery'));
    expect(opened).toEqual({ ...id });
    expect(value<AppStatus>(await second.invoke('app:status'))).toMatchObject({ phase: 'ready', identity: id });
    await second.controller.close();
  });
});

describe('errors that are not the service’s', () => {
  it("become a generic 'internal' Result; the details go to the log only", async () => {
    const home = tempDir('parley-ipc-internal-');
    dirs.push(home);
    const hx = makeHarness(home.dir, {
      override: {
        'contacts:list': () => {
          throw new TypeError('boom at /home/someone/secret/path');
        },
      },
    });
    const r = await hx.invoke('contacts:list');
    expect(r).toEqual({ ok: false, error: { code: 'internal', message: 'Something went wrong inside Parley; the details are in its log.' } });
    expect(hx.logs.some((l) => l.includes('boom at /home/someone/secret/path'))).toBe(true);
    await hx.controller.close();
  });

  it('app:status tells the hooks the page listens (for held invites)', async () => {
    const home = tempDir('parley-ipc-hooks-');
    dirs.push(home);
    let heard = 0;
    const hx = makeHarness(home.dir, { hooks: { onStatus: () => (heard += 1) } });
    await hx.invoke('app:status');
    expect(heard).toBe(1);
    await hx.router('app:status', { webContentsId: 99, frame: null }, []);
    expect(heard).toBe(1);
    await hx.controller.close();
  });
});

describe('files through IPC, with a fresh app and a second real peer', () => {
  let fh: Harness;
  let fpeer: ParleyService;
  let fpeerFp: string;
  let fpeerDownloads: string;
  const fpeerEvents: ParleyEvent[] = [];

  async function callF(channel: Channel, ...args: unknown[]) {
    exercised.add(channel);
    fh.calls.length = 0;
    return fh.invoke(channel, ...args);
  }

  beforeAll(async () => {
    const a = tempDir('parley-ipc-files-a-');
    const b = tempDir('parley-ipc-files-b-');
    dirs.push(a, b);
    fpeerDownloads = join(b.dir, 'downloads');
    mkdirSync(fpeerDownloads);
    fh = makeHarness(a.dir);
    fh.controller.setup({ name: 'Ada', protection: 'key-file', passphrase: null });
    const store = openDataDir(b.dir, { sealer: createKeyFileSealer(b.dir) });
    store.settings.setDisplayName('Bea');
    fpeer = new ParleyService({ store, keyProtection: 'key-file', autoReconnect: false });
    fpeer.on((e) => fpeerEvents.push(e));
    const hosting = await fpeer.host({ port: 0, bind: '127.0.0.1' });
    fpeerFp = fpeer.identity().fingerprint;
    value(await fh.invoke('peers:join', hosting.invite.replace(/parley:\/\/[^:?]+/, 'parley://127.0.0.1'), { nearby: false }));
  });

  afterAll(async () => {
    await fh.controller.close();
    await fpeer.close();
  });

    it('files:pick-and-send sends only what main\'s dialog picked; nothing when it was closed', async () => {
      fh.files.pick = null;
      expect(value(await callF('files:pick-and-send', fpeerFp))).toBeNull();
      expect(fh.calls.map((c) => c.name)).not.toContain('service.sendFile');
      const path = join(work, 'notes.txt');
      writeFileSync(path, 'hello Bea, here are my notes\n');
      fh.files.pick = path;
      const sent = value<MessageDto>(await callF('files:pick-and-send', fpeerFp));
      expect(fh.calls).toContainEqual({ name: 'service.sendFile', args: [fpeerFp, path] });
      expect(sent).toMatchObject({ kind: 'file', direction: 'out', text: 'notes.txt', file: { name: 'notes.txt', size: 29, state: 'offered', path: null } });
      const offer = await waitFor(fpeerEvents, (e): e is Extract<ParleyEvent, { type: 'file-offer' }> => e.type === 'file-offer' && e.id === sent.id);
      await fpeer.acceptFile(offer.id, fpeerDownloads);
      await waitFor(fpeerEvents, (e): e is Extract<ParleyEvent, { type: 'file-received' }> => e.type === 'file-received' && e.id === sent.id);
      expect(readFileSync(join(fpeerDownloads, 'notes.txt'), 'utf8')).toBe('hello Bea, here are my notes\n');
    });

    it('files:send-dropped sends a regular file and refuses folders, missing files and relative paths', async () => {
      const path = join(work, 'dropped.bin');
      writeFileSync(path, new Uint8Array([1, 2, 3]));
      expect(value<MessageDto>(await callF('files:send-dropped', fpeerFp, path))).toMatchObject({ kind: 'file', text: 'dropped.bin' });
      for (const bad of [work, join(work, 'missing.txt'), 'dropped.bin', '/dev/null']) {
        expect(await callF('files:send-dropped', fpeerFp, bad), bad).toMatchObject({ ok: false, error: { code: 'bad-input' } });
        expect(fh.calls.map((c) => c.name), bad).not.toContain('service.sendFile');
      }
    });

    it('files:send-pasted writes the image in the app\'s data folder and sends it; bytes that are not that image are refused', async () => {
      const sent = value<MessageDto>(await callF('files:send-pasted', fpeerFp, { type: 'image/png', bytes: PNG }));
      expect(sent.text).toMatch(/^Pasted image \d{4}-\d{2}-\d{2} \d{2}-\d{2}-\d{2}\.png$/);
      const args = fh.calls.find((c) => c.name === 'service.sendFile')?.args as [string, string];
      expect(args[1].startsWith(join(fh.paths.dataDir, 'pasted'))).toBe(true);
      expect(new Uint8Array(readFileSync(args[1]))).toEqual(PNG);
      expect(await callF('files:send-pasted', fpeerFp, { type: 'image/jpeg', bytes: PNG })).toMatchObject({ ok: false, error: { code: 'bad-input' } });
      expect(await callF('files:send-pasted', fpeerFp, { type: 'image/png', bytes: new TextEncoder().encode('<svg onload=alert(1)>') })).toMatchObject({ ok: false, error: { code: 'bad-input' } });
      expect(fh.calls.map((c) => c.name)).not.toContain('service.sendFile');
      // Bea declines it: the pasted file (and its folder) is deleted; one she receives goes too.
      await waitFor(fpeerEvents, (e): e is Extract<ParleyEvent, { type: 'file-offer' }> => e.type === 'file-offer' && e.id === sent.id);
      expect(existsSync(args[1])).toBe(true);
      await fpeer.cancelFile(sent.id);
      await waitFor(fh.events, (e): e is Extract<ParleyEvent, { type: 'file-cancelled' }> => e.type === 'file-cancelled' && e.id === sent.id);
      await waitGone(args[1]);
      expect(existsSync(dirname(args[1]))).toBe(false);
      const kept = value<MessageDto>(await callF('files:send-pasted', fpeerFp, { type: 'image/png', bytes: PNG }));
      const keptPath = (fh.calls.find((c) => c.name === 'service.sendFile')?.args as [string, string])[1];
      const offer = await waitFor(fpeerEvents, (e): e is Extract<ParleyEvent, { type: 'file-offer' }> => e.type === 'file-offer' && e.id === kept.id);
      expect(existsSync(keptPath)).toBe(true); // offered, not answered: it stays
      await fpeer.acceptFile(offer.id, fpeerDownloads);
      await waitFor(fh.events, (e): e is Extract<ParleyEvent, { type: 'file-sent' }> => e.type === 'file-sent' && e.id === kept.id);
      await waitGone(keptPath);
    });

    it('files:accept, files:preview, files:open and files:show-in-folder work by message id on a received, checked file; no path reaches the page', async () => {
      const ours = fh.controller.service().identity().fingerprint;
      const pngPath = join(work, 'photo.png');
      writeFileSync(pngPath, PNG);
      const offered = await fpeer.sendFile(ours, pngPath);
      await waitFor(fh.events, (e): e is Extract<ParleyEvent, { type: 'file-offer' }> => e.type === 'file-offer' && e.id === offered.id);
      expect(await callF('files:preview', fpeerFp, offered.id)).toMatchObject({ ok: false, error: { code: 'bad-input' } }); // not received yet
      expect(await callF('files:open', fpeerFp, offered.id)).toMatchObject({ ok: false, error: { code: 'bad-input' } });
      expect(value(await callF('files:accept', offered.id))).toBeNull();
      const dir = fh.controller.defaultDownloadDir;
      expect(fh.calls).toContainEqual({ name: 'service.acceptFile', args: [offered.id, dir] });
      const received = await waitFor(fh.events, (e): e is Extract<ParleyEvent, { type: 'file-received' }> => e.type === 'file-received' && e.id === offered.id);
      expect(received.path).toBe(join(dir, 'photo.png'));
      const history = value<MessageDto[]>(await callF('messages:history', fpeerFp, { before: null, limit: 50 }));
      const row = history.find((m) => m.id === offered.id);
      expect(row?.file).toMatchObject({ state: 'done', path: null });
      expect(JSON.stringify(history)).not.toContain(dir);
      expect(value(await callF('files:preview', fpeerFp, offered.id))).toEqual({ type: 'image/png', bytes: PNG });
      expect(value(await callF('files:open', fpeerFp, offered.id))).toBe(true);
      expect(fh.files.opened).toEqual([join(dir, 'photo.png')]);
      expect(fh.files.confirmAsked).toEqual([]); // a picture is not a runnable type
      expect(value(await callF('files:show-in-folder', fpeerFp, offered.id))).toBeNull();
      expect(fh.files.shown).toEqual([join(dir, 'photo.png')]);
      expect(await callF('files:open', 'cd'.repeat(32), offered.id)).toMatchObject({ ok: false, error: { code: 'bad-input' } }); // the id belongs to another peer
    });

    it('files:open asks again for a type that can run code, and opens only if confirmed; files:preview answers null for what is not an image', async () => {
      const ours = fh.controller.service().identity().fingerprint;
      const script = join(work, 'install.sh');
      writeFileSync(script, '#!/bin/sh\necho hi\n');
      const offered = await fpeer.sendFile(ours, script);
      await waitFor(fh.events, (e): e is Extract<ParleyEvent, { type: 'file-offer' }> => e.type === 'file-offer' && e.id === offered.id);
      value(await callF('files:accept', offered.id));
      await waitFor(fh.events, (e): e is Extract<ParleyEvent, { type: 'file-received' }> => e.type === 'file-received' && e.id === offered.id);
      fh.files.opened.length = 0;
      fh.files.confirmAnswer = false;
      expect(value(await callF('files:open', fpeerFp, offered.id))).toBe(false);
      expect(fh.files.confirmAsked).toEqual(['install.sh']);
      expect(fh.files.opened).toEqual([]);
      fh.files.confirmAnswer = true;
      expect(value(await callF('files:open', fpeerFp, offered.id))).toBe(true);
      expect(fh.files.opened).toHaveLength(1);
      expect(value(await callF('files:preview', fpeerFp, offered.id))).toBeNull();
    });

    it('files:cancel declines an offer (the sender hears "declined") and an unknown id is bad-input', async () => {
      const ours = fh.controller.service().identity().fingerprint;
      const path = join(work, 'unwanted.txt');
      writeFileSync(path, 'no thanks');
      const offered = await fpeer.sendFile(ours, path);
      await waitFor(fh.events, (e): e is Extract<ParleyEvent, { type: 'file-offer' }> => e.type === 'file-offer' && e.id === offered.id);
      expect(value(await callF('files:cancel', offered.id))).toBeNull();
      const cancelled = await waitFor(fpeerEvents, (e): e is Extract<ParleyEvent, { type: 'file-cancelled' }> => e.type === 'file-cancelled' && e.id === offered.id);
      expect(cancelled).toMatchObject({ reason: 'declined', by: 'peer' });
      expect(await callF('files:cancel', offered.id)).toMatchObject({ ok: false, error: { code: 'bad-input' } });
    });

});

it('every channel of the registry was exercised above', () => {
  expect([...exercised].sort()).toEqual([...CHANNEL_NAMES].sort());
});

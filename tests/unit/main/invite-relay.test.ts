/** parley:// invites from argv and open-url, held until the page listens, then sent once. */
import { describe, expect, it } from 'vitest';
import { asInvite, findInvite, InviteRelay } from '../../../src/main/invite-relay.ts';

const INVITE = `parley://192.168.1.5:47800?fp=${'ab'.repeat(32)}&name=Bea`;

describe('findInvite', () => {
  it('finds the invite among Electron and Chromium arguments', () => {
    expect(findInvite(['/usr/bin/parley', '--no-sandbox', '--allow-file-access-from-files', INVITE])).toBe(INVITE);
    expect(findInvite(['C:\\Parley\\Parley.exe', '--', INVITE])).toBe(INVITE);
    expect(findInvite(['/usr/bin/parley', '.', 'https://example.org/'])).toBeNull();
    expect(findInvite([])).toBeNull();
  });

  it('refuses what is not an invite worth showing', () => {
    for (const bad of [
      'parley://', 'parley:/x', 'https://x', `${INVITE}\n--inject`, `${INVITE} --flag`, `parley://${'x'.repeat(2048)}`, 'parley://\u0000', 'parley://\ud800', 42, null, undefined, {},
    ]) {
      expect(asInvite(bad), String(bad).slice(0, 30)).toBeNull();
    }
    expect(asInvite('PARLEY://host?fp=x')).toBe('PARLEY://host?fp=x'); // the join explains what is wrong with it
  });
});

describe('InviteRelay', () => {
  it('holds an invite until the page listens, then sends it once', () => {
    const sent: string[] = [];
    const relay = new InviteRelay((i) => sent.push(i));
    expect(relay.offer(INVITE)).toBe(true);
    expect(sent).toEqual([]);
    expect(relay.pending).toBe(INVITE);
    relay.pageReady();
    relay.pageReady();
    expect(sent).toEqual([INVITE]);
    expect(relay.pending).toBeNull();
  });

  it('sends at once while the page listens; a reload holds again, and the newest held invite wins', () => {
    const sent: string[] = [];
    const relay = new InviteRelay((i) => sent.push(i));
    relay.pageReady();
    relay.offer(INVITE);
    expect(sent).toEqual([INVITE]);
    relay.pageGone();
    relay.offer('parley://10.0.0.1?fp=1');
    relay.offer('parley://10.0.0.2?fp=2');
    expect(relay.offer('not an invite')).toBe(false);
    relay.pageReady();
    expect(sent).toEqual([INVITE, 'parley://10.0.0.2?fp=2']);
  });
});

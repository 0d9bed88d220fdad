/** Notifications and the badge, driven by real ParleyEvent values; the OS side is a recorder. */
import { describe, expect, it } from 'vitest';
import { Attention, hasBadge, MAX_BODY, plainLine, type AttentionPort } from '../../../src/main/attention.ts';
import type { ContactDto, MessageDto, ParleyEvent } from '../../../src/shared/dto.ts';

const A = 'aa'.repeat(32);
const B = 'bb'.repeat(32);

function contact(fingerprint: string, name: string, unread: number, verified = false): ContactDto {
  return {
    fingerprint, name, nickname: null, displayName: name, status: 'accepted', previousKeys: 0, unread, verified, verifiedMethod: null, verifiedAt: null, blocked: null, replaces: null, online: true, connection: { path: 'tcp', sameNetwork: true, relayed: false }, rejoining: null,
    lastAddress: null, firstSeen: 0, lastSeen: 0, lastMessage: null, safetyNumber: '0'.repeat(60),
  };
}

function message(peer: string, text: string, direction: 'in' | 'out' = 'in'): ParleyEvent {
  const m: MessageDto = { peer, id: '00'.repeat(16), seq: 1, direction, ts: 0, storedAt: 0, text, state: 'delivered', key: peer, replyTo: null, reactTo: null, kind: 'text' };
  return { type: 'message', message: m };
}

function port(focused = false) {
  const shown: { title: string; body: string; peer: string }[] = [];
  const badges: number[] = [];
  const p: AttentionPort & { focused: boolean } = {
    focused,
    isWindowFocused: () => p.focused,
    notify: (n) => shown.push({ ...n }),
    setBadgeCount: (n) => badges.push(n),
  };
  return { p, shown, badges };
}

describe('plainLine', () => {
  it('flattens lines and controls, drops bidi and zero-width characters, and cuts with an ellipsis', () => {
    expect(plainLine('  hello\n\tworld\r\n ', 100)).toBe('hello world');
    expect(plainLine('a\u0000b\u0007c\u009bd', 100)).toBe('a b c d');
    expect(plainLine('evil\u202Egnp.exe\u2066x\u2069\u200B', 100)).toBe('evilgnp.exex');
    expect(plainLine('x'.repeat(500), MAX_BODY)).toBe(`${'x'.repeat(MAX_BODY - 1)}…`);
    expect(Array.from(plainLine('😀'.repeat(200), 10))).toHaveLength(10);
    expect(plainLine('', 10)).toBe('');
  });

  it('escapes markup only when asked (Linux notification bodies)', () => {
    expect(plainLine('<b>hi</b> & <img src="file:///x">', 100)).toBe('<b>hi</b> & <img src="file:///x">');
    expect(plainLine('<b>hi</b> & <img src="file:///x">', 100, true)).toBe('&lt;b&gt;hi&lt;/b&gt; &amp; &lt;img src="file:///x"&gt;');
  });
});

describe('Attention', () => {
  it('notifies incoming messages only while the window is not focused, with the sender’s name', () => {
    const { p, shown } = port(false);
    const a = new Attention(p, 'darwin');
    a.reset([contact(A, 'Bea', 0, true)]);
    a.onEvent(message(A, 'hello\nthere'));
    a.onEvent(message(A, 'mine', 'out'));
    p.focused = true;
    a.onEvent(message(A, 'seen in the window'));
    expect(shown).toEqual([{ title: 'Message from Bea', body: 'hello there', peer: A }]);
  });

  it('does not notify a received reaction as a message (issue 12)', () => {
    const { p, shown } = port(false);
    const a = new Attention(p, 'darwin');
    a.reset([contact(A, 'Bea', 0, true)]);
    const reaction = message(A, '👍');
    if (reaction.type !== 'message') throw new Error('a message event');
    a.onEvent({ type: 'message', message: { ...reaction.message, reactTo: '11'.repeat(16) } });
    a.onEvent(message(A, 'and a real one'));
    expect(shown).toEqual([{ title: 'Message from Bea', body: 'and a real one', peer: A }]);
  });

  it('uses the fingerprint when the name is unknown or empty, and escapes bodies on Linux', () => {
    const { p, shown } = port(false);
    const a = new Attention(p, 'linux');
    a.onEvent(message(B, '<a href="https://evil.example">click</a>'));
    a.onEvent({ type: 'connected', peer: A, name: '\u202E', verified: false, safetyNumber: '', connection: { path: 'tcp', sameNetwork: true, relayed: false } });
    a.onEvent(message(A, 'x'));
    expect(shown[0]).toEqual({ title: 'Message from a contact (bbbb bbbb bbbb bbbb …)', body: '&lt;a href="https://evil.example"&gt;click&lt;/a&gt;', peer: B });
    expect(shown[1]?.title).toBe('Message from a contact (aaaa aaaa aaaa aaaa …)');
  });

  it('names an unverified sender with its short key, so a look-alike name never reads as a verified contact (issue 11)', () => {
    const { p, shown } = port(false);
    const a = new Attention(p, 'darwin');
    const bob = '3f2a91c05b7e0d44'.padEnd(64, '0');
    const impostors = ['Bob\u0085', 'Bob\u2800', 'Bob\u3164', 'Bob\uffa0', 'Bob\u115f', 'Bob\u1160', '\u200bBob', 'Bob\u{e0041}'];
    a.reset([contact(A, 'Bob', 0, true), ...impostors.map((name, i) => contact(`${i}`.padStart(64, 'c'), name, 0))]);
    a.onEvent(message(A, 'from the real Bob'));
    impostors.forEach((_, i) => a.onEvent(message(`${i}`.padStart(64, 'c'), 'x')));
    a.onEvent({ type: 'connected', peer: bob, name: '\u0412\u043eb', verified: false, safetyNumber: '', connection: { path: 'tcp', sameNetwork: true, relayed: false } });
    a.onEvent(message(bob, 'x'));
    expect(shown[0]?.title).toBe('Message from Bob');
    const titles = shown.slice(1).map((n) => n.title);
    expect(titles).toHaveLength(impostors.length + 1);
    for (const t of titles) expect(t).toMatch(/^Message from \S+ \([0-9a-f]{4} [0-9a-f]{4} [0-9a-f]{4} [0-9a-f]{4} …\)$/);
    // The blank and control padding is gone from what is shown: "Bob", then the key.
    expect(titles.slice(0, impostors.length).every((t) => t.startsWith('Message from Bob ('))).toBe(true);
    expect(titles.at(-1)).toBe('Message from \u0412\u043eb (3f2a 91c0 5b7e 0d44 …)');
    // Once verified, later notifications show the name alone.
    a.onEvent({ type: 'verified', peer: bob, verified: true });
    a.onEvent(message(bob, 'x'));
    expect(shown.at(-1)?.title).toBe('Message from \u0412\u043eb');
  });

  it('keeps the badge at the total unread count, and only where there is a badge', () => {
    const { p, badges } = port();
    const a = new Attention(p, 'darwin');
    a.reset([contact(A, 'Bea', 2), contact(B, 'Cy', 1)]);
    a.onEvent({ type: 'contact-changed', contact: contact(A, 'Bea', 3) });
    a.onEvent({ type: 'contact-changed', contact: contact(A, 'Bea', 3) }); // unchanged: not set again
    a.onEvent({ type: 'contact-changed', contact: contact(B, 'Cy', 0) });
    a.onEvent({ type: 'contact-changed', contact: contact(A, 'Bea', 0) });
    expect(badges).toEqual([3, 4, 3, 0]);
    expect(a.unreadTotal).toBe(0);

    const win = port();
    const w = new Attention(win.p, 'win32');
    w.reset([contact(A, 'Bea', 2)]);
    expect(win.badges).toEqual([]);
    expect(w.unreadTotal).toBe(2);
    expect([hasBadge('darwin'), hasBadge('linux'), hasBadge('win32')]).toEqual([true, true, false]);
  });
});

describe('issue 12: requests and nicknames', () => {
  it('a request never notifies (its messages come as request-message) nor counts on the badge; a nickname names the sender', () => {
    const { p, shown, badges } = port(false);
    const a = new Attention(p, 'darwin');
    a.reset([{ ...contact(A, 'Bea', 0, true), nickname: 'Sis', displayName: 'Sis' }, { ...contact(B, 'Stranger', 4), status: 'request' }]);
    const held: MessageDto = { peer: B, id: '11'.repeat(16), seq: 2, direction: 'in', ts: 0, storedAt: 0, text: 'let me in', state: 'delivered', key: B, replyTo: null, reactTo: null, kind: 'text' };
    a.onEvent({ type: 'request-message', message: held });
    a.onEvent(message(A, 'hi'));
    expect(shown).toEqual([{ title: 'Message from Sis', body: 'hi', peer: A }]);
    expect(a.unreadTotal).toBe(0);
    a.onEvent({ type: 'contact-changed', contact: { ...contact(B, 'Stranger', 4), status: 'accepted' } });
    expect(badges).toEqual([0, 4]); // 0 at reset: the request's 4 are not counted until it is accepted
  });
});

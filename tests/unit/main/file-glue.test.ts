/**
 * Main's files glue without Electron: no path in what the page receives (redact.ts), image types
 * by their magic bytes and the preview's size bound (file-handlers.ts), the stored settings
 * (file-settings.ts), and the notification for an incoming offer (attention.ts). Real files in a
 * temporary folder; nothing is mocked.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Attention } from '../../../src/main/attention.ts';
import { checkRegularFile, readPreview, sniffImage, writePastedImage } from '../../../src/main/file-handlers.ts';
import { readFileSettings, toCoreSettings, writeFileSettings } from '../../../src/main/file-settings.ts';
import { endsASend, PastedFiles } from '../../../src/main/pasted-files.ts';
import { redactEvent, redactMessage } from '../../../src/main/redact.ts';
import type { MessageDto, ParleyEvent } from '../../../src/shared/dto.ts';
import { formatBytes, formatTimeLeft } from '../../../src/shared/file-size.ts';

const dir = mkdtempSync(join(tmpdir(), 'parley-file-glue-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PEER = 'ab'.repeat(32);
const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const fileMessage = (path: string | null): MessageDto => ({
  peer: PEER, key: PEER, replyTo: null, reactTo: null, id: '0f8fad5b-d9cb-469f-a165-70867728950e', seq: 3, direction: 'in', ts: 1, storedAt: 2, text: 'photo.png', state: 'delivered', kind: 'file',
  file: { name: 'photo.png', size: 10, sha256: '00'.repeat(32), state: 'done', bytes: 10, reason: null, endedBy: null, path },
});

describe('redact', () => {
  it('nulls a received file\'s path in messages and events, and leaves everything else as it was', () => {
    const m = fileMessage('/home/ada/Downloads/Parley/photo.png');
    expect(redactMessage(m).file?.path).toBeNull();
    expect(redactMessage(m)).toEqual({ ...m, file: { ...m.file, path: null } });
    expect(m.file?.path).toBe('/home/ada/Downloads/Parley/photo.png'); // the core's object is not changed
    const event = redactEvent({ type: 'message', message: m });
    expect(JSON.stringify(event)).not.toContain('/home/ada');
    const received: ParleyEvent = { type: 'file-received', peer: PEER, id: m.id, path: '/home/ada/Downloads/Parley/photo.png', size: 10, sha256: '00'.repeat(32) };
    expect(JSON.stringify(redactEvent(received))).not.toContain('/home/ada');
    const text: ParleyEvent = { type: 'message', message: { ...m, kind: 'text', file: undefined } as MessageDto };
    expect(redactEvent(text)).toEqual(text);
  });
});

describe('images by their bytes', () => {
  it('knows PNG, JPEG, GIF and WebP by magic bytes, not by name, and nothing else', () => {
    expect(sniffImage(new Uint8Array([...PNG, 0, 0, 0, 13]))).toBe('image/png');
    expect(sniffImage(new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1]))).toBe('image/jpeg');
    expect(sniffImage(new TextEncoder().encode('GIF89a\u0001\u0000\u0001\u0000\u0000\u0000'))).toBe('image/gif');
    expect(sniffImage(new TextEncoder().encode('GIF87a\u0001\u0000\u0001\u0000\u0000\u0000'))).toBe('image/gif');
    expect(sniffImage(new TextEncoder().encode('RIFF\u0010\u0000\u0000\u0000WEBPVP8 '))).toBe('image/webp');
    for (const other of ['<svg xmlns="http://www.w3.org/2000/svg"/>', '<html><script>1</script>', 'GIF88a000000', 'RIFF0000WAVEfmt ', '%PDF-1.7', '']) {
      expect(sniffImage(new TextEncoder().encode(other)), other).toBeNull();
    }
  });

  it('previews at most the bound, and only images', async () => {
    const png = join(dir, 'not-a-picture.txt'); // the name does not matter
    writeFileSync(png, new Uint8Array([...PNG, 1, 2, 3, 4, 5, 6, 7, 8]));
    expect(await readPreview(png)).toEqual({ type: 'image/png', bytes: new Uint8Array([...PNG, 1, 2, 3, 4, 5, 6, 7, 8]) });
    expect(await readPreview(png, 15)).toBeNull(); // over the bound
    const svg = join(dir, 'picture.png');
    writeFileSync(svg, '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>');
    expect(await readPreview(svg)).toBeNull();
  });

  it('a pasted image is written owner-only under the folder, with a plain name, never over another', async () => {
    const bytes = new Uint8Array([...PNG, 9, 9, 9, 9]);
    const now = new Date('2026-12-04T16:55:08Z');
    const a = await writePastedImage(join(dir, 'pasted'), { type: 'image/png', bytes }, now);
    const b = await writePastedImage(join(dir, 'pasted'), { type: 'image/png', bytes }, now);
    expect(a).not.toBe(b);
    expect(a.endsWith('Pasted image 2026-12-04 16-55-08.png')).toBe(true);
    await expect(writePastedImage(join(dir, 'pasted'), { type: 'image/gif', bytes }, now)).rejects.toMatchObject({ code: 'bad-input' });
  });

  it('a dropped path must be an absolute regular file', async () => {
    const f = join(dir, 'f.txt');
    writeFileSync(f, 'x');
    await expect(checkRegularFile(f)).resolves.toBeUndefined();
    for (const bad of [dir, 'f.txt', join(dir, 'missing'), '/dev/null']) await expect(checkRegularFile(bad), bad).rejects.toMatchObject({ code: 'bad-input' });
  });
});

describe('files settings', () => {
  const table = (): Map<string, string> & { get(k: string): string | null } => {
    const m = new Map<string, string>();
    return Object.assign(m, { get: (k: string) => Map.prototype.get.call(m, k) ?? null }) as never;
  };

  it('defaults to <Downloads>/Parley, 4 GiB and no auto-accept; unreadable values fall back', () => {
    const s = table();
    expect(readFileSettings(s, '/home/ada/Downloads/Parley')).toEqual({ acceptDir: '/home/ada/Downloads/Parley', maxFileSize: 4 * 1024 ** 3, autoAcceptVerified: false });
    s.set('files.download-dir', 'relative/dir');
    s.set('files.max-size', '12abc');
    s.set('files.auto-accept-verified', 'yes');
    expect(readFileSettings(s, '/d')).toEqual({ acceptDir: '/d', maxFileSize: 4 * 1024 ** 3, autoAcceptVerified: false });
    expect(writeFileSettings(s, '/d', { acceptDir: '/srv/in', maxFileSize: 1024 ** 3, autoAcceptVerified: true })).toEqual({ acceptDir: '/srv/in', maxFileSize: 1024 ** 3, autoAcceptVerified: true });
  });

  it('the core auto-accepts only from verified contacts, and only when asked', () => {
    expect(toCoreSettings({ acceptDir: '/d', maxFileSize: 5, autoAcceptVerified: false })).toEqual({ acceptDir: null, maxFileSize: 5 });
    expect(toCoreSettings({ acceptDir: '/d', maxFileSize: 5, autoAcceptVerified: true })).toEqual({ acceptDir: '/d', maxFileSize: 5, autoAcceptVerified: true });
  });
});

describe('notification for an incoming offer', () => {
  it('says "File from", the name and size, with the short key of an unverified sender', () => {
    const shown: { title: string; body: string }[] = [];
    const a = new Attention({ isWindowFocused: () => false, notify: (n) => shown.push(n), setBadgeCount: () => undefined }, 'linux');
    a.onEvent({ type: 'connected', peer: PEER, name: 'Bea', verified: false, safetyNumber: '0'.repeat(60), connection: { path: 'tcp', sameNetwork: true, relayed: false } });
    a.onEvent({ type: 'message', message: { ...fileMessage(null), text: 'a<b>.pdf', file: { ...fileMessage(null).file!, name: 'a<b>.pdf', size: 2_500_000, state: 'offered' } } });
    expect(shown).toEqual([{ title: 'File from Bea (abab abab abab abab …)', body: 'a&lt;b&gt;.pdf (2.5 MB) — open Parley to accept or decline it', peer: PEER }]);
  });
});

describe('sizes and times in words', () => {
  it('formats', () => {
    expect([0, 1, 999, 1000, 1_500_000, 999_999, 4 * 1024 ** 3].map(formatBytes)).toEqual(['0 bytes', '1 byte', '999 bytes', '1.0 kB', '1.5 MB', '1.0 MB', '4.3 GB']);
    expect([null, -1, 2, 40, 90, 3600 + 300].map(formatTimeLeft)).toEqual([null, null, 'a few seconds', '40 seconds', '2 minutes', '1 h 5 min']);
  });
});

describe('the renderer\'s CSP', () => {
  it('lets images come from the app, data: and blob: (previews), and nothing else', () => {
    const html = readFileSync(new URL('../../../src/renderer/index.html', import.meta.url), 'utf8');
    const csp = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1] ?? '';
    const directives = new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name = '', ...values]) => [name, values]));
    expect(directives.get('img-src')).toEqual(["'self'", 'data:', 'blob:']);
    expect(directives.get('default-src')).toEqual(["'none'"]);
    expect(directives.get('connect-src')).toEqual(["'none'"]);
    for (const [name, values] of directives) if (name !== 'img-src') expect(values, name).not.toContain('blob:');
  });
});

describe('pasted pictures are deleted once no unfinished offer reads them', () => {
  const bytes = new Uint8Array([...PNG, 7, 7, 7, 7]);
  const write = (d: string) => writePastedImage(d, { type: 'image/png', bytes }, new Date('2026-12-04T17:00:00Z'));

  it('at start: keeps what an unfinished offer reads, deletes the rest (and stray files); nothing while the app is locked', async () => {
    const pastedDir = join(dir, 'pasted-start');
    const kept = await write(pastedDir);
    const left = await write(pastedDir);
    writeFileSync(join(pastedDir, 'stray.png'), 'x');
    await new PastedFiles(pastedDir, () => {
      throw new Error('locked');
    }).prune();
    expect([kept, left, join(pastedDir, 'stray.png')].map((p) => existsSync(p))).toEqual([true, true, true]);
    const inUse = [kept];
    const pasted = new PastedFiles(pastedDir, () => inUse);
    await pasted.prune();
    expect(existsSync(kept)).toBe(true);
    expect(existsSync(left) || existsSync(dirname(left)) || existsSync(join(pastedDir, 'stray.png'))).toBe(false);
    inUse.length = 0; // its offer ended
    pasted.onEvent({ type: 'file-sent', peer: PEER, id: 'x' });
    await pasted.prune();
    expect(readdirSync(pastedDir)).toEqual([]);
  });

  it('only an outgoing transfer\'s end prunes; a paste being offered is never touched; one whose offer failed goes at once', async () => {
    expect(endsASend({ type: 'file-sent', peer: PEER, id: 'x' })).toBe(true);
    expect(endsASend({ type: 'file-cancelled', peer: PEER, id: 'x', direction: 'out', reason: 'declined', by: 'peer' })).toBe(true);
    expect(endsASend({ type: 'file-cancelled', peer: PEER, id: 'x', direction: 'in', reason: 'cancelled', by: 'peer' })).toBe(false);
    expect(endsASend({ type: 'file-received', peer: PEER, id: 'x', path: '/p', size: 1, sha256: '00'.repeat(32) })).toBe(false);
    const pastedDir = join(dir, 'pasted-live');
    const inUse: string[] = [];
    const pasted = new PastedFiles(pastedDir, () => inUse);
    let path = '';
    const sent = await pasted.paste(write, async (p) => {
      path = p;
      await pasted.prune(); // another transfer ended while this offer was being stored
      expect(existsSync(p)).toBe(true);
      inUse.push(p);
      return 'offered';
    });
    expect(sent).toBe('offered');
    await pasted.prune();
    expect(existsSync(path)).toBe(true);
    await expect(pasted.paste(write, () => Promise.reject(new Error('not a contact')))).rejects.toThrow('not a contact');
    await pasted.prune();
    expect(readdirSync(pastedDir)).toEqual([basename(dirname(path))]);
  });
});

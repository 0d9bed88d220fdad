/** Offered names made safe (issue 10): a table of hostile names, byte limits, and never-overwrite targets on a real directory. */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isRunnableType } from '../../../src/core/files/runnable-type.ts';
import { candidateName, FALLBACK_NAME, reserveTarget, safeFileName, truncateName } from '../../../src/core/files/safe-name.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'parley-names-'));
  dirs.push(d);
  return d;
}

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

// [offered, expected safe name]
const HOSTILE: readonly [string, string][] = [
  ['../../etc/passwd', '.._.._etc_passwd'],
  ['..', FALLBACK_NAME],
  ['.', FALLBACK_NAME],
  ['...', FALLBACK_NAME],
  ['', FALLBACK_NAME],
  ['/', '_'],
  ['..\\..\\Windows\\System32\\cmd.exe', '.._.._Windows_System32_cmd.exe'],
  ['C:\\boot.ini', 'C__boot.ini'],
  ['file.txt:Zone.Identifier', 'file.txt_Zone.Identifier'],
  ['evil\u202Etxt.exe', 'eviltxt.exe'], // right-to-left override
  ['a\u2066b\u2069c.pdf', 'abc.pdf'], // isolates
  ['report\u200B.pdf', 'report.pdf'], // zero-width space
  ['\uFEFFbom.txt', 'bom.txt'],
  ['soft\u00ADhyphen.txt', 'softhyphen.txt'],
  ['tab\there.txt', 'tabhere.txt'],
  ['new\nline.txt', 'newline.txt'],
  ['nul\u0000byte.txt', 'nulbyte.txt'],
  ['c1\u0085next.txt', 'c1next.txt'],
  ['del\u007f.txt', 'del.txt'],
  ['line\u2028sep.txt', 'linesep.txt'],
  ['CON', '_CON'],
  ['con.txt', '_con.txt'],
  ['nul', '_nul'],
  ['Aux.tar.gz', '_Aux.tar.gz'],
  ['PRN ', '_PRN'],
  ['COM1', '_COM1'],
  ['lpt9.log', '_lpt9.log'],
  ['COM¹.txt', '_COM¹.txt'],
  ['CONOUT$', '_CONOUT$'],
  ['console.txt', 'console.txt'], // only the exact device names are reserved
  ['trailing.', 'trailing'],
  ['trailing dots...', 'trailing dots'],
  ['trailing space.exe. . ', 'trailing space.exe'],
  ['   leading.txt', 'leading.txt'],
  ['a<b>c:d"e|f?g*h.txt', 'a_b_c_d_e_f_g_h.txt'],
  ['\u202E\u200B\u2066', FALLBACK_NAME],
  ['.hidden', '.hidden'],
  ['e\u0301.txt', '\u00e9.txt'], // NFC
];

describe('safeFileName', () => {
  it.each(HOSTILE)('%j → %j', (offered, expected) => {
    const safe = safeFileName(offered);
    expect(safe).toBe(expected);
    expect(safe.length).toBeGreaterThan(0);
    // eslint-disable-next-line no-control-regex -- the point is that none survive
    expect(safe).not.toMatch(/[/\\<>:"|?*\u0000-\u001f\u007f-\u009f\u200b\u202a-\u202e\u2066-\u2069]/u);
    expect(safe).not.toMatch(/[. ]$/);
    expect(bytes(safe)).toBeLessThanOrEqual(255);
  });

  it('has at least 30 hostile names in its table', () => {
    expect(HOSTILE.length).toBeGreaterThanOrEqual(30);
  });

  it('cuts to 255 UTF-8 bytes on a code point and keeps the extension', () => {
    const long = '🦜'.repeat(200) + '.jpeg'; // 805 bytes
    const safe = safeFileName(long);
    expect(bytes(safe)).toBeLessThanOrEqual(255);
    expect(safe.endsWith('.jpeg')).toBe(true);
    expect(safe.isWellFormed()).toBe(true);
    expect(safe).toBe('🦜'.repeat(62) + '.jpeg'); // 62 × 4 + 5 = 253: one more parrot would not fit
    // A 3-byte character straddling the limit is dropped whole.
    expect(truncateName('a' + '中'.repeat(100), 10)).toBe('a' + '中'.repeat(3));
    // An absurd extension is not kept whole.
    const weird = 'x.' + 'y'.repeat(300);
    expect(bytes(safeFileName(weird))).toBe(255);
    // A cut that lands before trailing dots trims them too.
    expect(safeFileName('a'.repeat(250) + '. . .zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz')).not.toMatch(/[. ]$/);
  });

  it('numbered candidates stay within 255 bytes and keep the extension', () => {
    expect(candidateName('photo.jpg', 0)).toBe('photo.jpg');
    expect(candidateName('photo.jpg', 2)).toBe('photo (2).jpg');
    expect(candidateName('archive.tar.gz', 1, '.part')).toBe('archive.tar (1).gz.part');
    expect(candidateName('.bashrc', 1)).toBe('.bashrc (1)');
    const long = safeFileName('é'.repeat(200) + '.png');
    const c = candidateName(long, 12, '.part');
    expect(bytes(c)).toBeLessThanOrEqual(255);
    expect(c.endsWith(' (12).png.part')).toBe(true);
  });
});

describe('reserveTarget', () => {
  it('never overwrites: picks name (1).ext, (2)… and creates each exclusively', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a.txt'), 'mine');
    writeFileSync(join(dir, 'a (1).txt'), 'mine too');
    const first = await reserveTarget(dir, 'a.txt');
    await first.handle.close();
    expect(first.name).toBe('a (2).txt');
    // Reservations made at the same moment all differ.
    const many = await Promise.all(Array.from({ length: 5 }, () => reserveTarget(dir, 'a.txt')));
    await Promise.all(many.map((t) => t.handle.close()));
    expect(new Set(many.map((t) => t.name)).size).toBe(5);
    expect(readFileSync(join(dir, 'a.txt'), 'utf8')).toBe('mine');
    expect(readFileSync(join(dir, 'a (1).txt'), 'utf8')).toBe('mine too');
    expect(readdirSync(dir).length).toBe(8);
  });
});

describe('isRunnableType', () => {
  it.each([
    'setup.exe', 'SETUP.EXE', 'photo.jpg.exe', 'run.bat', 'a.cmd', 'a.com', 'a.scr', 'a.ps1', 'a.psm1', 'a.vbs', 'a.vbe', 'a.js',
    'a.jse', 'a.wsf', 'a.wsh', 'a.msi', 'a.msp', 'a.reg', 'a.lnk', 'a.hta', 'a.cpl', 'a.jar', 'a.sh', 'a.bash', 'a.zsh', 'a.command',
    'a.desktop', 'Thing.app', 'a.dmg', 'a.pkg', 'Tool.AppImage', 'a.deb', 'a.rpm', 'a.run', 'a.py', 'a.pl', 'a.rb', 'a.exe.', 'a.exe ',
    'a.ex\u200be', 'a.exe\u200b',
  ])('%j can run code', (name) => {
    expect(isRunnableType(name)).toBe(true);
  });

  it.each(['photo.jpg', 'notes.txt', 'setup.exe.txt', 'README', '.bashrc', 'movie.mp4', 'doc.pdf', 'exe', 'a.json'])('%j cannot', (name) => {
    expect(isRunnableType(name)).toBe(false);
  });
});

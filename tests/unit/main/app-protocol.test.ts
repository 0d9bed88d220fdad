/**
 * The app:// scheme: which URL maps to which file, and what the protocol handler answers. Real
 * files in a temporary renderer folder, with a secret beside it that no URL may reach.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppProtocolHandler, resolveAppUrl } from '../../../src/main/app-protocol.ts';

let base: string;
let root: string;

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'parley-scheme-'));
  root = join(base, 'renderer');
  mkdirSync(join(root, 'assets'), { recursive: true });
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>Parley</title>');
  writeFileSync(join(root, 'assets', 'index-abc.js'), 'export {};');
  writeFileSync(join(root, 'assets', 'index-abc.css'), 'body{}');
  writeFileSync(join(root, 'assets', 'font a.woff2'), 'w');
  writeFileSync(join(root, 'assets', 'data.bin'), 'x');
  writeFileSync(join(base, 'secret.txt'), 'key material');
  writeFileSync(join(base, 'renderer-evil.html'), 'sibling');
});

afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('resolveAppUrl', () => {
  it('maps our files inside the renderer folder, with their types', () => {
    expect(resolveAppUrl('app://parley/index.html', root)).toEqual({ path: join(root, 'index.html'), mime: 'text/html; charset=utf-8' });
    expect(resolveAppUrl('app://parley/', root)).toEqual({ path: join(root, 'index.html'), mime: 'text/html; charset=utf-8' });
    expect(resolveAppUrl('app://parley/index.html#/chat', root)?.path).toBe(join(root, 'index.html'));
    expect(resolveAppUrl('app://parley/assets/index-abc.js', root)).toEqual({ path: join(root, 'assets', 'index-abc.js'), mime: 'text/javascript; charset=utf-8' });
    expect(resolveAppUrl('app://parley/assets/index-abc.css', root)?.mime).toBe('text/css; charset=utf-8');
    expect(resolveAppUrl('app://parley/assets/font%20a.woff2', root)).toEqual({ path: join(root, 'assets', 'font a.woff2'), mime: 'font/woff2' });
  });

  it('refuses traversal, encoded separators, absolute paths, other hosts and unknown types', () => {
    const hostile = [
      'app://parley/../secret.txt', 'app://parley/assets/../../secret.txt', 'app://parley/..', 'app://parley/.', 'app://parley/./index.html',
      'app://parley/%2e%2e/secret.txt', 'app://parley/%2E%2E/secret.txt', 'app://parley/.%2e/secret.txt', 'app://parley/..%2fsecret.txt',
      'app://parley/..%2Fsecret.txt', 'app://parley/..%5csecret.txt', 'app://parley/..\\secret.txt', 'app://parley/assets%2findex-abc.js',
      'app://parley/%252e%252e/secret.txt', 'app://parley//etc/passwd', 'app://parley/%2fetc%2fpasswd', 'app://parley/C:%5cWindows%5cwin.ini',
      'app://parley/C:/Windows/win.ini', 'app://parley/index.html%00.js', 'app://parley/index.html?x=1', 'app://parley/../renderer-evil.html',
      'app://evil/index.html', 'app://parley.evil/index.html', 'app://user@parley/index.html', 'app://parley:80/index.html', 'APP://parley/index.html',
      'file:///etc/passwd', 'https://parley/index.html', 'app:index.html', 'app://parley/assets/data.bin', 'app://parley/secret', '', `app://parley/${'a'.repeat(3000)}.js`,
      'app://parley/%ZZ.js', 'app://parley/assets/<x>.js',
    ];
    for (const url of hostile) expect(resolveAppUrl(url, root), url).toBeNull();
    for (const value of [null, undefined, 42, {}]) expect(resolveAppUrl(value, root)).toBeNull();
  });

  it('needs an absolute renderer folder', () => {
    expect(() => resolveAppUrl('app://parley/index.html', 'out/renderer')).toThrow(TypeError);
  });
});

describe('the app:// handler', () => {
  const handler = (): ReturnType<typeof createAppProtocolHandler> => createAppProtocolHandler(root);

  it('serves a renderer file with its type and nosniff', async () => {
    const res = await handler()({ url: 'app://parley/assets/index-abc.js', method: 'GET' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await res.text()).toBe('export {};');
  });

  it('answers 404 to traversal, a missing file, a folder and anything but GET; never the secret', async () => {
    for (const [url, method] of [
      ['app://parley/../secret.txt', 'GET'], ['app://parley/%2e%2e/secret.txt', 'GET'], ['app://parley/missing.js', 'GET'],
      ['app://parley/assets.js', 'GET'], ['app://parley/index.html', 'POST'], ['app://parley/index.html', 'PUT'],
    ] as const) {
      const res = await handler()({ url, method });
      expect(res.status, `${method} ${url}`).toBe(404);
      expect(await res.text()).not.toContain('key material');
    }
  });

  it('answers 404 when reading fails (a folder named like a file)', async () => {
    mkdirSync(join(root, 'dir.js'));
    expect((await handler()({ url: 'app://parley/dir.js', method: 'GET' })).status).toBe(404);
  });
});

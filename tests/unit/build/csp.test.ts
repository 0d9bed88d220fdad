/**
 * The renderer's CSP: production keeps the strict policy of index.html; the dev server (a real Vite
 * server over the project's own renderer config) serves a policy that adds only what HMR needs.
 * The production build's index.html is checked in bundles.test.ts.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadConfigFromFile } from 'electron-vite';
import { createServer, type InlineConfig, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_CSP, parseCsp, STRICT_CSP } from '../../../scripts/csp.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
let server: ViteDevServer;
let base: string;

function cspOf(html: string): string {
  const m = /http-equiv="Content-Security-Policy"\s+content="([^"]*)"/.exec(html);
  if (!m?.[1]) throw new Error('no CSP meta in the page');
  return m[1];
}

beforeAll(async () => {
  const loaded = await loadConfigFromFile({ command: 'serve', mode: 'development' }, undefined, ROOT);
  const renderer = (loaded?.config as { renderer?: InlineConfig } | undefined)?.renderer;
  if (!renderer) throw new Error('electron.vite.config.ts has no renderer config');
  server = await createServer({ ...renderer, configFile: false, logLevel: 'silent', server: { host: '127.0.0.1', port: 0, strictPort: false, ws: false } });
  await server.listen();
  const address = server.httpServer?.address();
  if (address === null || address === undefined || typeof address === 'string') throw new Error('the dev server has no TCP address');
  base = `http://127.0.0.1:${address.port}`;
}, 60_000);

afterAll(async () => {
  await server?.close();
});

describe('the renderer CSP', () => {
  it('index.html carries the strict policy: no inline anything, no connections', () => {
    const html = readFileSync(`${ROOT}src/renderer/index.html`, 'utf8');
    expect(cspOf(html)).toBe(STRICT_CSP);
    const strict = parseCsp(STRICT_CSP);
    expect(strict.get('script-src')).toEqual(["'self'"]);
    expect(strict.get('style-src')).toEqual(["'self'"]);
    expect(strict.get('connect-src')).toEqual(["'none'"]);
    expect(strict.get('default-src')).toEqual(["'none'"]);
  });

  it('the dev server serves the dev policy, which relaxes only styles and the loopback HMR WebSocket', async () => {
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(200);
    const served = cspOf(await res.text());
    expect(served).toBe(DEV_CSP);
    const strict = parseCsp(STRICT_CSP);
    const dev = parseCsp(served);
    expect([...dev.keys()]).toEqual([...strict.keys()]);
    const changed = [...dev.keys()].filter((k) => JSON.stringify(dev.get(k)) !== JSON.stringify(strict.get(k)));
    expect(changed).toEqual(['style-src', 'connect-src']);
    expect(dev.get('style-src')).toEqual(["'self'", "'unsafe-inline'"]);
    for (const source of dev.get('connect-src') ?? []) expect(source, source).toMatch(/^(?:'self'|ws:\/\/(?:localhost|127\.0\.0\.1|\[::1\]):\*)$/);
    expect(dev.get('script-src')).toEqual(["'self'"]); // never unsafe-inline or unsafe-eval for scripts
  });
});

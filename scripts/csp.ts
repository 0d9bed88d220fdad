/**
 * The renderer's Content-Security-Policy, and the one place development relaxes it. The strict
 * policy is written in src/renderer/index.html (production ships it as is); `electron-vite dev`
 * serves the page through Vite, which injects Vue's component styles as <style> elements and talks
 * to its HMR server over a WebSocket. The dev policy adds exactly those two and nothing else, and
 * only on the dev server (a plugin with apply: 'serve': `electron-vite build` never runs it).
 */
import type { Plugin } from 'vite';

/** The production policy, as index.html carries it (a test holds the two together). */
export const STRICT_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; font-src 'self'; connect-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'";

/** What HMR needs beyond the strict policy: injected styles, and the WebSocket to the loopback dev server. */
const DEV_RELAXATIONS: Readonly<Record<string, string>> = {
  'style-src': "'self' 'unsafe-inline'",
  'connect-src': "'self' ws://localhost:* ws://127.0.0.1:* ws://[::1]:*",
};

/** The development policy: the strict one with the two relaxations above. */
export const DEV_CSP = STRICT_CSP.split('; ')
  .map((directive) => {
    const name = directive.split(' ')[0] ?? '';
    return name in DEV_RELAXATIONS ? `${name} ${DEV_RELAXATIONS[name]}` : directive;
  })
  .join('; ');

/** A policy as directive → sources, for comparisons. */
export function parseCsp(policy: string): Map<string, string[]> {
  return new Map(policy.split(';').map((d) => d.trim().split(/\s+/)).filter((p) => p[0]).map(([name, ...sources]) => [name ?? '', sources]));
}

/** Swaps the strict policy for the dev one in the served index.html; fails if the strict one is not there. */
export function devCspPlugin(): Plugin {
  return {
    name: 'parley:dev-csp',
    apply: 'serve',
    transformIndexHtml: {
      order: 'pre',
      handler(html) {
        const meta = `content="${STRICT_CSP}"`;
        if (!html.includes(meta)) throw new Error('src/renderer/index.html does not carry the strict CSP of scripts/csp.ts');
        return html.replace(meta, `content="${DEV_CSP}"`);
      },
    },
  };
}

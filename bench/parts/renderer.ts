/**
 * P7: the renderer (src/renderer, built by electron-vite) in Chromium with a 100,000-message
 * conversation. The page gets `window.parley` from the app's real main-process logic over a real
 * ParleyService (lib/app-bridge.ts); its calls cross a Playwright binding instead of Electron's IPC.
 *
 * - time to first paint of the conversation: from the click on the contact to the end of the
 *   first frame that shows its messages (a task posted from requestAnimationFrame runs after that
 *   frame is rendered), on a freshly opened app each time;
 * - message nodes in the DOM once it settled;
 * - frame times while scrolling up through the history with the mouse wheel (older pages load on
 *   the way): the intervals between animation frames, 16.7 ms at 60 Hz when nothing is dropped.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from '@playwright/test';
import { generateKeyPair } from '../../src/core/crypto/p256.ts';
import { createKeyFileSealer } from '../../src/core/identity/key-file-sealer.ts';
import { openDataDir } from '../../src/core/storage/data-dir.ts';
import { appPaths } from '../../src/main/paths.ts';
import { openAppPage } from '../lib/app-bridge.ts';
import { fillConversation } from '../lib/fill-history.ts';
import type { Part, PartContext } from '../lib/part.ts';
import { sleep } from '../lib/part.ts';
import { figure, pending, type FigureResult } from '../lib/report.ts';
import { serveStatic } from '../lib/static-server.ts';
import { spreadText, summarize } from '../lib/stats.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MESSAGES = 100_000;
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** The few DOM facilities the in-page functions use (the bench's tsconfig has no DOM library). */
type PageGlobals = {
  document: {
    querySelector(selector: string): { click(): void } | null;
    querySelectorAll(selector: string): ArrayLike<{ getAttribute(name: string): string | null }>;
  };
  requestAnimationFrame(callback: (time: number) => void): number;
};

const GOALS = {
  paint: { text: '≤ 100 ms', on: 'value', max: 100 },
  nodes: { text: '≤ 200 nodes', on: 'value', max: 200 },
} as const;

function build(outDir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(join(ROOT, 'node_modules/.bin/electron-vite'), ['build', '--outDir', outDir], { cwd: ROOT, timeout: 180_000, maxBuffer: 16 * 1024 * 1024 }, (err, _out, stderr) =>
      err ? reject(new Error(`electron-vite build failed: ${stderr.split('\n').slice(-5).join(' ')}`)) : resolve(),
    );
  });
}

/** Clicks the contact and resolves with the ms until the frame showing its messages was rendered. */
function openConversation(page: Page, peer: string): Promise<number> {
  return page.evaluate((fp) => {
    const g = globalThis as unknown as PageGlobals;
    const el = g.document.querySelector(`[data-testid="contact-${fp}"]`);
    if (!el) throw new Error('no contact item');
    return new Promise<number>((resolve) => {
      const t0 = performance.now();
      const check = (): void => {
        if (g.document.querySelector('[data-testid="message"]')) setTimeout(() => resolve(performance.now() - t0), 0);
        else g.requestAnimationFrame(check);
      };
      el.click();
      g.requestAnimationFrame(check);
    });
  }, peer);
}

export function rendererPart(chromiumPath: string): Part {
  return {
    name: 'renderer (P7)',
    budget: [40, 90],
    async run(ctx: PartContext): Promise<FigureResult[]> {
      const pendingAll = (reason: string): FigureResult[] => [
        pending('P7.paint', 'time to first paint of a 100,000-message conversation', 'ms', GOALS.paint, reason),
        pending('P7.nodes', 'message nodes in the DOM', 'nodes', GOALS.nodes, reason),
        pending('P7.frames', 'frame time while scrolling, p99', 'ms', null, reason),
      ];
      if (!existsSync(chromiumPath)) return pendingAll(`no Chromium at ${chromiumPath}`);
      const outDir = join(ctx.tmp, 'app-out');
      try {
        await build(outDir);
      } catch (err) {
        return pendingAll(err instanceof Error ? err.message : String(err));
      }
      // The app's data: an identity (key file), one contact, 100,000 messages with it.
      const userData = join(ctx.tmp, 'p7-user');
      const dataDir = appPaths(userData).dataDir;
      const store = openDataDir(dataDir, { sealer: createKeyFileSealer(dataDir) });
      store.settings.setDisplayName('Me');
      const peer = store.contacts.upsertSeen({ publicKey: generateKeyPair().publicKey, name: 'Chatty' }).contact.fingerprint;
      store.close();
      fillConversation(dataDir, peer, 0, MESSAGES);

      const server = await serveStatic(join(outDir, 'renderer'));
      let browser: Browser | null = null;
      try {
        // Loaded here, not at the top: Playwright takes ~0.3 s to load, and only this part needs it.
        const { chromium } = await import('@playwright/test');
        browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS });
        const paints: number[] = [];
        const calls: number[] = [];
        let nodes = -1;
        let frames: number[] = [];
        let reachedSeq = -1;
        const runs = ctx.quick ? 4 : 11;
        for (let r = 0; r < runs; r++) {
          const app = await openAppPage(browser, server.origin, userData, (line) => ctx.log(`P7 app: ${line}`));
          try {
            await app.page.locator(`[data-testid="contact-${peer}"]`).waitFor({ timeout: 15_000 });
            await sleep(300); // let the start-up settle (contact list, status)
            // The history call alone, from the page through the bridge (its share of the paint).
            if (r > 0) calls.push(await historyCall(app.page, peer));
            const t = await openConversation(app.page, peer);
            if (r > 0) paints.push(t); // the first open also warms Chromium's caches for the bundle
            if (r === runs - 1) {
              await sleep(500);
              nodes = await app.page.locator('[data-testid="message"]').count();
              frames = await scrollFrames(app.page, ctx.quick ? 2500 : 6000);
              reachedSeq = await app.page.evaluate(() =>
                Math.min(...Array.from((globalThis as unknown as PageGlobals).document.querySelectorAll('[data-testid="message"]'), (e) => Number(e.getAttribute('data-seq')))),
              );
            }
          } finally {
            await app.close();
          }
        }
        const p = summarize(paints);
        const c = summarize(calls);
        const f = summarize(frames);
        ctx.log(`P7 first paint p50 ${p.median.toFixed(1)} ms, ${nodes} message nodes, frames p50 ${f.median.toFixed(1)} p99 ${f.p99.toFixed(1)} ms, scrolled back to seq ${reachedSeq}`);
        return [
          figure({ id: 'P7.paint', name: 'time to first paint of a 100,000-message conversation (click → frame)', value: p.median, unit: 'ms', goal: GOALS.paint, spread: `${spreadText(p, 1)} fresh app starts, max ${p.max.toFixed(1)}` }),
          figure({ id: 'P7.history', name: 'of which: one history page (100) called from the page through the bridge', value: c.median, unit: 'ms', spread: spreadText(c, 1) }),
          figure({ id: 'P7.nodes', name: 'message nodes in the DOM', value: nodes, unit: 'nodes', goal: GOALS.nodes }),
          figure({ id: 'P7.frames', name: 'frame time while scrolling up through history, p99', value: f.p99, unit: 'ms', spread: `p50 ${f.median.toFixed(1)}, max ${f.max.toFixed(1)}, ${f.n} frames; ${MESSAGES - reachedSeq + 1} messages scrolled` }),
        ];
      } finally {
        await browser?.close();
        await server.close();
      }
    },
  };
}

/** Times window.parley.history(peer, latest 100) from the page: the bridge and the core, no rendering. */
function historyCall(page: Page, peer: string): Promise<number> {
  return page.evaluate(async (fp) => {
    const api = (globalThis as unknown as { parley: { history(p: string, q: { before: null; limit: number }): Promise<unknown> } }).parley;
    const t0 = performance.now();
    await api.history(fp, { before: null, limit: 100 });
    return performance.now() - t0;
  }, peer);
}

/** Scrolls the message list up with wheel events for `ms`, recording animation-frame intervals. */
async function scrollFrames(page: Page, ms: number): Promise<number[]> {
  const box = await page.locator('[data-testid="message-list"]').boundingBox();
  if (!box) throw new Error('no message list');
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.evaluate(() => {
    const g = globalThis as unknown as PageGlobals & { __frames: number[]; __recording: boolean };
    g.__frames = [];
    g.__recording = true;
    let last = -1;
    const tick = (t: number): void => {
      if (last >= 0) g.__frames.push(t - last);
      last = t;
      if (g.__recording) g.requestAnimationFrame(tick);
    };
    g.requestAnimationFrame(tick);
  });
  const end = performance.now() + ms;
  while (performance.now() < end) {
    await page.mouse.wheel(0, -600);
    await sleep(16);
  }
  return page.evaluate(() => {
    const g = globalThis as unknown as { __frames: number[]; __recording: boolean };
    g.__recording = false;
    return g.__frames;
  });
}

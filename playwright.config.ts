/**
 * Playwright: the end-to-end suite (tests/e2e) in the system Chromium, one worker (each test starts
 * real services on real sockets). No reporter here: `npm test` passes --reporter=list,json.
 * Chromium comes from PARLEY_CHROMIUM, else Debian's /usr/bin/chromium, else Playwright's own.
 */
import { existsSync } from 'node:fs';
import { defineConfig } from '@playwright/test';

const chromium = process.env['PARLEY_CHROMIUM'] || (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);

export default defineConfig({
  testDir: 'tests/e2e',
  testMatch: '*.spec.ts',
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env['CI'],
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  // Playwright empties its output folder at start: keep it away from reports/.
  outputDir: 'node_modules/.cache/pw-output',
  use: {
    browserName: 'chromium',
    headless: true,
    launchOptions: {
      ...(chromium ? { executablePath: chromium } : {}),
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    },
    trace: 'retain-on-failure',
  },
});

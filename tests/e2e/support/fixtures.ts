/**
 * Playwright fixtures of the end-to-end suite: the built renderer served on 127.0.0.1 (one server per
 * worker), a `people` factory whose persons are cleaned up after each test (their logs attached when
 * the test failed), and `shot` for the screenshots of every screen under reports/screenshots/.
 */
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { test as base, expect, type Locator, type Page } from '@playwright/test';
import { Person, type PersonOptions } from '../bridge.ts';
import { serveStatic } from './static-server.ts';

/** Creates people for one test. */
export type People = {
  /** A new person (empty data folder) whose app is launched: the page shows the first-run screen. */
  add(label: string, options?: PersonOptions): Promise<Person>;
};

type WorkerFixtures = { rendererOrigin: string };
type TestFixtures = { people: People };

/** The repository root, from the project's testDir (tests/e2e). */
function repoRoot(testDir: string): string {
  return resolve(testDir, '..', '..');
}

export const test = base.extend<TestFixtures, WorkerFixtures>({
  rendererOrigin: [
    // Playwright reads fixture dependencies from the destructuring pattern: this one needs none.
    // eslint-disable-next-line no-empty-pattern
    async ({}, use, workerInfo) => {
      const root = join(repoRoot(workerInfo.project.testDir), 'out', 'renderer');
      if (!existsSync(join(root, 'index.html'))) throw new Error(`${root}/index.html is missing: run \`npx electron-vite build\` first`);
      const server = await serveStatic(root);
      await use(server.origin);
      await server.close();
    },
    { scope: 'worker' },
  ],
  people: async ({ browser, rendererOrigin }, use, testInfo) => {
    const everyone: Person[] = [];
    await use({
      async add(label, options) {
        const person = await Person.create(browser, rendererOrigin, label, options);
        everyone.push(person);
        await person.launch();
        return person;
      },
    });
    for (const person of everyone) {
      if (testInfo.status !== testInfo.expectedStatus) {
        const events = person.events.map((e) => JSON.stringify(e)).join('\n');
        await testInfo.attach(`${person.label}.log`, { body: `${person.logs.join('\n')}\n--- events\n${events}\n`, contentType: 'text/plain' });
      }
      await person.dispose();
    }
  },
});

export { expect };

/** Saves a screenshot of what the person sees to reports/screenshots/<name>.png (scrolled to `show` first). */
export async function shot(page: Page, name: string, show?: Locator): Promise<void> {
  if (!/^[a-z0-9-]+$/.test(name)) throw new RangeError(`screenshot name must be kebab-case: ${name}`);
  const dir = join(repoRoot(test.info().project.testDir), 'reports', 'screenshots');
  await mkdir(dir, { recursive: true });
  if (show !== undefined) await show.scrollIntoViewIfNeeded();
  // Let a just-triggered transition and the fonts settle so the picture shows the final state.
  await page.evaluate(() => (globalThis as unknown as { document: { fonts: { ready: Promise<unknown> } } }).document.fonts.ready.then(() => undefined));
  await page.screenshot({ path: join(dir, `${name}.png`), animations: 'disabled', caret: 'hide' });
}

/** Removes a person's data folder while the app is closed, as if the identity had been deleted. */
export async function wipeData(person: Person): Promise<void> {
  await person.quit();
  await rm(person.userData, { recursive: true, force: true });
  await mkdir(person.userData, { recursive: true, mode: 0o700 });
}

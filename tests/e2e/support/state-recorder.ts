/**
 * Records, in the page, every delivery state each outgoing message is shown with, in order. The 'sent'
 * state of a message to an online peer lasts only until its ack arrives (milliseconds on 127.0.0.1), too
 * short to catch with a screenshot; the recorder watches the DOM the user sees, so the test can assert
 * the whole sequence queued → sent → delivered without slowing the core down.
 */
import type { Locator, Page } from '@playwright/test';

type Recorder = { readonly states: Record<string, string[]> };

/** Starts recording on `page` (again after each reload). */
export async function recordDeliveryStates(page: Page): Promise<void> {
  await page.evaluate(() => {
    type El = { getAttribute(name: string): string | null };
    type Doc = { querySelectorAll(selector: string): Iterable<El>; body: unknown };
    const g = globalThis as unknown as {
      document: Doc;
      MutationObserver: new (cb: () => void) => { observe(target: unknown, options: object): void };
      __deliveryStates?: Recorder;
    };
    const recorder: Recorder = { states: {} };
    g.__deliveryStates = recorder;
    const sample = (): void => {
      for (const bubble of g.document.querySelectorAll('[data-testid="message"][data-direction="out"]')) {
        const seq = bubble.getAttribute('data-seq');
        const state = bubble.getAttribute('data-state');
        if (seq === null || state === null) continue;
        const seen = (recorder.states[seq] ??= []);
        if (seen.at(-1) !== state) seen.push(state);
      }
    };
    sample();
    new g.MutationObserver(sample).observe(g.document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-state'] });
  });
}

/** Every state the message in `bubble` was shown with since recording started, in order. */
export async function recordedStates(page: Page, bubble: Locator): Promise<string[]> {
  const seq = await bubble.getAttribute('data-seq');
  return page.evaluate((s) => (globalThis as unknown as { __deliveryStates?: Recorder }).__deliveryStates?.states[s ?? ''] ?? [], seq);
}

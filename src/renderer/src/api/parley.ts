/**
 * The renderer's one door to the app: `window.parley` (built by the preload), or an implementation a test or
 * the end-to-end bridge injects. Every call goes through `call`, so a rejected promise becomes a Result too.
 */
import type { ParleyApi } from '../../../shared/api.ts';
import type { Result } from '../../../shared/result.ts';

let injected: ParleyApi | null = null;

/** Uses `api` instead of `window.parley` (tests); pass null to go back to the window's. */
export function setParleyApi(api: ParleyApi | null): void {
  injected = api;
}

/** The API in use, or null when there is none (the page was opened without the preload). */
export function findParleyApi(): ParleyApi | null {
  if (injected !== null) return injected;
  const fromWindow = (globalThis as { parley?: ParleyApi }).parley;
  return fromWindow ?? null;
}

/** The API in use; throws when the preload did not provide one. */
export function parleyApi(): ParleyApi {
  const api = findParleyApi();
  if (api === null) throw new Error('window.parley is missing: Parley must be started through its desktop app');
  return api;
}

/** Calls one API method; a thrown error or a rejected promise becomes an 'internal' error Result. */
export async function call<T>(fn: (api: ParleyApi) => Promise<Result<T>>): Promise<Result<T>> {
  try {
    return await fn(parleyApi());
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return { ok: false, error: { code: 'internal', message } };
  }
}

/** Reconnect delays: 1 s doubling up to 60 s (issue 3), with a little jitter so peers do not stampede. */

export type BackoffPolicy = { readonly initialMs: number; readonly maxMs: number; readonly jitter: number };

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 1000, maxMs: 60_000, jitter: 0.1 };

/** The delay before attempt number `attempt` (0-based), within ±jitter of the doubling schedule. */
export function backoffDelay(attempt: number, policy: BackoffPolicy = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const base = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(attempt, 30));
  const spread = base * policy.jitter;
  return Math.round(Math.min(policy.maxMs, base - spread + 2 * spread * random()));
}

/** The answer of every IPC call: a value, or an error with a code the UI turns into a sentence. */
import type { ErrorCode } from './errors.ts';

export type ParleyError = { readonly code: ErrorCode; readonly message: string };
export type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ParleyError };

/** Wraps a value as a successful Result. */
export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

/** Wraps an error code and message as a failed Result. */
export function err<T = never>(code: ErrorCode, message: string): Result<T> {
  return { ok: false, error: { code, message } };
}

/** Exhaustiveness guard for `switch` over a union. */
export function assertNever(x: never, what = 'value'): never {
  throw new TypeError(`unexpected ${what}: ${String(x)}`);
}

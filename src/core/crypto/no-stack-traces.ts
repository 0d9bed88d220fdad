/**
 * Runs one synchronous node:crypto call with stack traces off. Why: node:crypto probes its
 * arguments with isKeyObject/isCryptoKey, which throw and catch a TypeError each time the argument
 * is a plain array (createPublicKey probes four times, hkdfSync once); capturing those stacks,
 * never seen by anyone, was ~20 µs of the ~55 µs a key import cost, and ~4 % of a host's CPU per
 * handshake in hkdfSync.
 *
 * The limit is restored before the call returns, so no other code can observe the change. An error
 * from `fn` itself then has no stack: callers turn it into null or their own error, or it is a
 * caller's mistake with a message that says what is wrong.
 */
const STACK_LIMIT_WRITABLE = Object.getOwnPropertyDescriptor(Error, 'stackTraceLimit')?.writable === true;

export function withoutStackTraces<T>(fn: () => T): T {
  if (!STACK_LIMIT_WRITABLE) return fn();
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return fn();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

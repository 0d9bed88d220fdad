/**
 * The packages that stay outside every bundle (the desktop main process and the headless peer):
 * those that load a native addon (`*.node`, through require-addon) and the direct dependencies that
 * reach one. An addon is found beside its package's own files at run time, so it cannot be bundled;
 * and a package that reaches one (hyperdht, blind-relay) stays external too, so there is one copy of
 * it and of its protocol state, not a bundled one beside node_modules' own.
 * tests/unit/build/bundles.test.ts recomputes this list from node_modules and fails if it drifts.
 */
export const NATIVE_EXTERNALS: readonly string[] = ['blind-relay', 'hyperdht', 'sodium-native', 'udx-native'];

/** Rolldown's `external` for them: each package by name, and any file inside one (`hyperdht/lib/x.js`). */
export function nativeExternalPatterns(): (string | RegExp)[] {
  return [...NATIVE_EXTERNALS, new RegExp(`^(?:${NATIVE_EXTERNALS.join('|')})/`)];
}

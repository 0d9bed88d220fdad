/** The seam between the core and whatever protects secrets at rest (OS keychain, passphrase, key file); storage owns the type, identity/ and main implement it. */

/** Which protection a sealer gives; recorded beside the sealed data so a mismatch is explained, not guessed. */
export type SealerKind = 'keychain' | 'passphrase' | 'key-file';

/**
 * Seals and unseals small secrets. Synchronous: a keychain sealer unwraps its key once, at start.
 * `unseal` throws (never returns garbage) when the data was not sealed by this sealer or was altered.
 */
export type Sealer = {
  readonly kind: SealerKind;
  seal(plain: Uint8Array): Uint8Array;
  unseal(sealed: Uint8Array): Uint8Array;
};

/** The kinds as data, for validating what was read back from disk. */
export const SEALER_KINDS: readonly SealerKind[] = ['keychain', 'passphrase', 'key-file'];

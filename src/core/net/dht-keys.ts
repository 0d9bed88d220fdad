/**
 * DHT key pairs (PROTOCOL.md sections 7 and 8) and the lazily loaded hyperdht module they come
 * from: a fresh seed, the key pair HyperDHT derives from it, and a DHT public key parsed off the wire.
 */
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import type HyperDHT from 'hyperdht';
import type { KeyPair } from 'hyperdht';

export type DhtKeyPair = KeyPair;

/** A fresh 32-byte seed for a DHT key pair: storage keeps only this, sealed like the identity. */
export function newDhtSeed(): Uint8Array {
  return new Uint8Array(randomBytes(32));
}

let hyperdhtClass: typeof HyperDHT | null = null;

/**
 * hyperdht, loaded on first use rather than with the module: it brings its native addons
 * (sodium-native, udx-native) and about 14 MB of resident memory, which a peer that never uses the
 * DHT should not carry (P8, idle RSS). A plain require: hyperdht is CommonJS and stays outside
 * every bundle (scripts/native-externals.ts).
 */
export function loadHyperDht(): typeof HyperDHT {
  hyperdhtClass ??= createRequire(import.meta.url)('hyperdht') as typeof HyperDHT;
  return hyperdhtClass;
}

/** The Ed25519 key pair HyperDHT derives from a 32-byte seed (sodium crypto_sign_seed_keypair). */
export function dhtKeyPairFromSeed(seed: Uint8Array): DhtKeyPair {
  if (seed.length !== 32) throw new RangeError(`a DHT seed is 32 bytes, got ${seed.length}`);
  return loadHyperDht().keyPair(Buffer.from(seed));
}

/** A DHT public key from `unknown`: 64 lowercase hex digits (PROTOCOL.md section 7), else null. */
export function parseDhtKey(value: unknown): Buffer | null {
  return typeof value === 'string' && /^[0-9a-f]{64}$/.test(value) ? Buffer.from(value, 'hex') : null;
}

/**
 * The function sets the Noise engine is generic over (spec section 4), injected as plain
 * objects so that the same engine runs P-256 in production and X25519 against the published vectors.
 */

/** A DH key pair; `publicKey` is exactly `DhFunctions.publicKeyLength` bytes. */
export type KeyPair = { readonly privateKey: Uint8Array; readonly publicKey: Uint8Array };

/**
 * DH functions (spec section 4.1). Deviation: the spec's DHLEN is both the public-key size and
 * the DH output size; PROTOCOL.md section 2 gives P-256 33-byte public keys and 32-byte outputs,
 * so the two lengths are separate here (`publicKeyLength` where the spec says DHLEN for a key).
 */
export type DhFunctions = {
  /** The name in the protocol name: `25519`, `P256`. */
  readonly name: string;
  /** DHLEN: the size of a DH output. */
  readonly dhLen: number;
  /** The size of a public key on the wire. */
  readonly publicKeyLength: number;
  /** GENERATE_KEYPAIR(). */
  generateKeyPair(): KeyPair;
  /** The public key of a private key (to build key pairs from stored or test-vector scalars). */
  publicKeyFromPrivate(privateKey: Uint8Array): Uint8Array;
  /** DH(key_pair, public_key): throws `NoiseInvalidPointError` for an invalid public key. */
  dh(privateKey: Uint8Array, publicKey: Uint8Array): Uint8Array;
  /** Throws `NoiseInvalidPointError` unless `publicKey` is a valid public key (checked on receipt). */
  validatePublicKey(publicKey: Uint8Array): void;
  /** Drops what the functions remember of a private key (an imported handle); called before it is zeroed. */
  forgetPrivateKey?(privateKey: Uint8Array): void;
};

/**
 * Cipher functions (spec section 4.2) over an opaque imported key `K` (for AESGCM a KeyObject,
 * so the raw bytes can be zeroed right after import).
 */
export type CipherFunctions<K = unknown> = {
  /** The name in the protocol name: `AESGCM`. */
  readonly name: string;
  /** The key size in bytes (32 for every Noise cipher). */
  readonly keyLength: number;
  /** The authentication tag size in bytes (16 for every Noise cipher). */
  readonly tagLength: number;
  /** Imports `keyLength` raw key bytes; the result holds its own copy. */
  importKey(key: Uint8Array): K;
  /** ENCRYPT(k, n, ad, plaintext): ciphertext || tag. */
  encrypt(key: K, n: bigint, ad: Uint8Array, plaintext: Uint8Array): Uint8Array;
  /** ENCRYPT(k, n, ad, plaintext) as pieces whose concatenation is ciphertext || tag (no copy to join them). */
  encryptParts(key: K, n: bigint, ad: Uint8Array, plaintext: Uint8Array): readonly Uint8Array[];
  /** DECRYPT(k, n, ad, ciphertext): the plaintext, or null when authentication fails. */
  decrypt(key: K, n: bigint, ad: Uint8Array, ciphertext: Uint8Array): Uint8Array | null;
};

/** Hash functions (spec section 4.3). */
export type HashFunctions = {
  /** The name in the protocol name: `SHA256`. */
  readonly name: string;
  /** HASHLEN. */
  readonly hashLen: number;
  /** BLOCKLEN. */
  readonly blockLen: number;
  /** HASH(parts[0] || parts[1] || ...). */
  hash(...parts: readonly Uint8Array[]): Uint8Array;
  /** HKDF(chaining_key, input_key_material, num_outputs): 2 or 3 outputs of HASHLEN bytes. */
  hkdf(chainingKey: Uint8Array, inputKeyMaterial: Uint8Array, numOutputs: 2 | 3): Uint8Array[];
};

/** A concrete choice of DH, cipher and hash functions. */
export type NoiseSuite = {
  readonly dh: DhFunctions;
  readonly cipher: CipherFunctions;
  readonly hash: HashFunctions;
};

/** The protocol name `Noise_<PATTERN>_<DH>_<CIPHER>_<HASH>` (spec section 8). */
export function protocolName(patternName: string, suite: NoiseSuite): string {
  return `Noise_${patternName}_${suite.dh.name}_${suite.cipher.name}_${suite.hash.name}`;
}

/** CipherState (spec section 5.1): a cipher key k and a 64-bit nonce n. */
import { NoiseDecryptError, NoiseStateError, NonceExhaustedError } from './errors.ts';
import type { CipherFunctions } from './types.ts';

/** 2^64 - 1: reserved (spec sections 4.2 and 5.1), never used to encrypt a message (PROTOCOL.md section 4). */
export const MAX_NONCE = 2n ** 64n - 1n;

/** CipherState: EncryptWithAd/DecryptWithAd with a counting nonce; keys live as imported handles. */
export class CipherState {
  readonly #cipher: CipherFunctions;
  // The imported key (for AESGCM a KeyObject), boxed so that any handle value counts as "has a key".
  #k: { readonly handle: unknown } | null = null;
  #n = 0n;
  #destroyed = false;

  /** An empty CipherState (no key) for the given cipher functions. */
  constructor(cipher: CipherFunctions) {
    this.#cipher = cipher;
  }

  /**
   * InitializeKey(key): sets k (null for empty) and n = 0. The bytes are imported, so the caller
   * keeps ownership of `key` and should zero it.
   */
  initializeKey(key: Uint8Array | null): void {
    this.#assertAlive();
    if (key !== null) {
      if (!(key instanceof Uint8Array) || key.length !== this.#cipher.keyLength) {
        throw new RangeError(`initializeKey: key must be ${this.#cipher.keyLength} bytes or null`);
      }
    }
    this.#k = key === null ? null : { handle: this.#cipher.importKey(key) };
    this.#n = 0n;
  }

  /** HasKey(): true when k is non-empty. */
  hasKey(): boolean {
    return this.#k !== null;
  }

  /** SetNonce(nonce): 0 <= nonce <= 2^64 - 1 (setting the reserved value makes the next call throw). */
  setNonce(nonce: bigint): void {
    this.#assertAlive();
    if (typeof nonce !== 'bigint' || nonce < 0n || nonce > MAX_NONCE) throw new RangeError('setNonce: nonce must be a bigint in [0, 2^64 - 1]');
    this.#n = nonce;
  }

  /** The next nonce to be used (read-only; for drivers that want to rekey or close early). */
  get nonce(): bigint {
    return this.#n;
  }

  /** EncryptWithAd(ad, plaintext): ciphertext || tag, or a copy of the plaintext while k is empty. */
  encryptWithAd(ad: Uint8Array, plaintext: Uint8Array): Uint8Array {
    this.#checkEncrypt(ad, plaintext);
    if (this.#k === null) return plaintext.slice();
    const out = this.#cipher.encrypt(this.#k.handle, this.#n, ad, plaintext);
    this.#n += 1n;
    return out;
  }

  /**
   * EncryptWithAd(ad, plaintext) as pieces to write one after another (ciphertext, then tag): the
   * same bytes and the same nonce as encryptWithAd, without the copy that joins them (a transport
   * frame is written as its pieces; see aes-gcm.ts aesGcmSeal).
   */
  encryptWithAdParts(ad: Uint8Array, plaintext: Uint8Array): readonly Uint8Array[] {
    this.#checkEncrypt(ad, plaintext);
    if (this.#k === null) return [plaintext.slice()];
    const out = this.#cipher.encryptParts(this.#k.handle, this.#n, ad, plaintext);
    this.#n += 1n;
    return out;
  }

  /**
   * DecryptWithAd(ad, ciphertext): the plaintext, or a copy of the ciphertext while k is empty.
   * An authentication failure throws NoiseDecryptError and leaves n unchanged (spec section 5.1).
   */
  decryptWithAd(ad: Uint8Array, ciphertext: Uint8Array): Uint8Array {
    this.#assertAlive();
    checkBytes(ad, 'ad');
    checkBytes(ciphertext, 'ciphertext');
    if (this.#k === null) return ciphertext.slice();
    this.#assertNonceUsable();
    const plaintext = this.#cipher.decrypt(this.#k.handle, this.#n, ad, ciphertext);
    if (plaintext === null) throw new NoiseDecryptError('decryption failed');
    this.#n += 1n;
    return plaintext;
  }

  /**
   * Rekey(): k = REKEY(k), with the default REKEY of spec section 4.2: the first 32 bytes of
   * ENCRYPT(k, 2^64 - 1, empty, 32 zero bytes). The nonce is left as it is (spec, Rationales: "Rekey doesn't reset n to zero").
   */
  rekey(): void {
    this.#assertAlive();
    if (this.#k === null) throw new NoiseStateError('rekey: no key');
    const block = this.#cipher.encrypt(this.#k.handle, MAX_NONCE, new Uint8Array(0), new Uint8Array(32));
    const newKey = block.subarray(0, this.#cipher.keyLength);
    this.#k = { handle: this.#cipher.importKey(newKey) };
    block.fill(0);
  }

  /**
   * Drops the key (a KeyObject cannot be wiped from JS; dropping the last reference is what we
   * can do) and makes every later call throw NoiseStateError, so a destroyed state can never
   * fall back to the "no key" pass-through.
   */
  destroy(): void {
    this.#k = null;
    this.#destroyed = true;
  }

  #assertAlive(): void {
    if (this.#destroyed) throw new NoiseStateError('CipherState was destroyed');
  }

  #checkEncrypt(ad: Uint8Array, plaintext: Uint8Array): void {
    this.#assertAlive();
    checkBytes(ad, 'ad');
    checkBytes(plaintext, 'plaintext');
    if (this.#k !== null) this.#assertNonceUsable();
  }

  #assertNonceUsable(): void {
    if (this.#n >= MAX_NONCE) throw new NonceExhaustedError('nonce exhausted');
  }
}

function checkBytes(value: unknown, name: string): void {
  if (!(value instanceof Uint8Array)) throw new TypeError(`${name} must be a Uint8Array`);
}

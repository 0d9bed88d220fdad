/** SymmetricState (spec section 5.2): the chaining key ck, the handshake hash h and a CipherState. */
import { utf8 } from '../crypto/bytes.ts';
import { CipherState } from './cipher-state.ts';
import { NoiseStateError } from './errors.ts';
import type { NoiseSuite } from './types.ts';

/** SymmetricState: MixKey, MixHash, EncryptAndHash, DecryptAndHash and Split, as the spec names them. */
export class SymmetricState {
  readonly #suite: NoiseSuite;
  readonly #cipherState: CipherState;
  #ck: Uint8Array;
  #h: Uint8Array;
  #split = false;
  #destroyed = false;

  /** InitializeSymmetric(protocol_name). */
  constructor(suite: NoiseSuite, protocolName: string) {
    if (typeof protocolName !== 'string' || protocolName.length === 0) throw new TypeError('protocolName must be a non-empty string');
    this.#suite = suite;
    const name = utf8(protocolName);
    const hashLen = suite.hash.hashLen;
    // A name of at most HASHLEN bytes is zero-padded to HASHLEN; a longer one is hashed.
    if (name.length <= hashLen) {
      this.#h = new Uint8Array(hashLen);
      this.#h.set(name);
    } else {
      this.#h = suite.hash.hash(name);
    }
    this.#ck = this.#h.slice();
    this.#cipherState = new CipherState(suite.cipher);
  }

  /** MixKey(input_key_material): ck, temp_k = HKDF(ck, ikm, 2); InitializeKey(temp_k). */
  mixKey(inputKeyMaterial: Uint8Array): void {
    this.#assertActive();
    const [ck, tempK] = this.#suite.hash.hkdf(this.#ck, inputKeyMaterial, 2) as [Uint8Array, Uint8Array];
    this.#replaceChainingKey(ck);
    this.#initializeKeyFrom(tempK);
  }

  /** MixHash(data): h = HASH(h || data). */
  mixHash(data: Uint8Array): void {
    this.#assertActive();
    this.#h = this.#suite.hash.hash(this.#h, data);
  }

  /** MixKeyAndHash(input_key_material): for PSK patterns; here for completeness of spec section 5.2. */
  mixKeyAndHash(inputKeyMaterial: Uint8Array): void {
    this.#assertActive();
    const [ck, tempH, tempK] = this.#suite.hash.hkdf(this.#ck, inputKeyMaterial, 3) as [Uint8Array, Uint8Array, Uint8Array];
    this.#replaceChainingKey(ck);
    this.mixHash(tempH);
    tempH.fill(0);
    this.#initializeKeyFrom(tempK);
  }

  /** GetHandshakeHash(): a copy of h. */
  getHandshakeHash(): Uint8Array {
    if (this.#destroyed) throw new NoiseStateError('SymmetricState was destroyed');
    return this.#h.slice();
  }

  /** True once a key has been mixed in (so `s` and payloads are encrypted). */
  hasKey(): boolean {
    return this.#cipherState.hasKey();
  }

  /** EncryptAndHash(plaintext): ciphertext = EncryptWithAd(h, plaintext); MixHash(ciphertext). */
  encryptAndHash(plaintext: Uint8Array): Uint8Array {
    this.#assertActive();
    const ciphertext = this.#cipherState.encryptWithAd(this.#h, plaintext);
    this.mixHash(ciphertext);
    return ciphertext;
  }

  /** DecryptAndHash(ciphertext): plaintext = DecryptWithAd(h, ciphertext); MixHash(ciphertext). */
  decryptAndHash(ciphertext: Uint8Array): Uint8Array {
    this.#assertActive();
    const plaintext = this.#cipherState.decryptWithAd(this.#h, ciphertext);
    this.mixHash(ciphertext);
    return plaintext;
  }

  /**
   * Split(): temp_k1, temp_k2 = HKDF(ck, empty, 2) and two CipherStates. Zeroes ck and the temp
   * keys and drops the handshake's own cipher key; h stays readable for GetHandshakeHash().
   */
  split(): [CipherState, CipherState] {
    this.#assertActive();
    const [tempK1, tempK2] = this.#suite.hash.hkdf(this.#ck, new Uint8Array(0), 2) as [Uint8Array, Uint8Array];
    const c1 = new CipherState(this.#suite.cipher);
    const c2 = new CipherState(this.#suite.cipher);
    c1.initializeKey(this.#truncateKey(tempK1));
    c2.initializeKey(this.#truncateKey(tempK2));
    tempK1.fill(0);
    tempK2.fill(0);
    this.#ck.fill(0);
    this.#cipherState.destroy();
    this.#split = true;
    return [c1, c2];
  }

  /** Zeroes ck and h and drops the cipher key; for aborted handshakes and after the hash was copied. */
  destroy(): void {
    this.#ck.fill(0);
    this.#h.fill(0);
    this.#cipherState.destroy();
    this.#destroyed = true;
  }

  /**
   * TEST ONLY: the live chaining-key buffer (not a copy), so that a test can check that split()
   * or destroy() zeroed it. Production code must not call this.
   */
  chainingKeyBufferForTest(): Uint8Array {
    return this.#ck;
  }

  #replaceChainingKey(ck: Uint8Array): void {
    this.#ck.fill(0);
    this.#ck = ck;
  }

  // If HASHLEN is 64, temp_k is truncated to 32 bytes (spec section 5.2); the temp key is zeroed after import.
  #initializeKeyFrom(tempK: Uint8Array): void {
    this.#cipherState.initializeKey(this.#truncateKey(tempK));
    tempK.fill(0);
  }

  #truncateKey(tempK: Uint8Array): Uint8Array {
    return tempK.subarray(0, this.#suite.cipher.keyLength);
  }

  #assertActive(): void {
    if (this.#destroyed) throw new NoiseStateError('SymmetricState was destroyed');
    if (this.#split) throw new NoiseStateError('SymmetricState was already split');
  }
}

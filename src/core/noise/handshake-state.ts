/** HandshakeState (spec section 5.3): runs a handshake pattern over a SymmetricState. */
import { concatBytes } from '../crypto/bytes.ts';
import type { CipherState } from './cipher-state.ts';
import { NoiseMessageError, NoiseStateError } from './errors.ts';
import { getPattern, type HandshakePattern, type MessageToken } from './patterns.ts';
import { SymmetricState } from './symmetric-state.ts';
import { protocolName, type KeyPair, type NoiseSuite } from './types.ts';

/** Every Noise message is at most 65535 bytes (spec section 3). */
export const MAX_MESSAGE_LENGTH = 65535;

/** The arguments of Initialize() (spec section 5.3). */
export type HandshakeOptions = {
  readonly suite: NoiseSuite;
  /** A pattern from patterns.ts, or its name. */
  readonly pattern: HandshakePattern | string;
  readonly initiator: boolean;
  /** Defaults to empty. */
  readonly prologue?: Uint8Array;
  /** The local static key pair (the caller keeps ownership; it is never zeroed here). */
  readonly s?: KeyPair;
  /**
   * The local ephemeral key pair, for test vectors only: the handshake takes ownership and zeroes
   * its private key in split() or destroy(). Left out, it is generated when the `e` token is written.
   */
  readonly e?: KeyPair;
  /** The remote static public key, when a pre-message carries it (NK, XK, KK, IK, N, K, X). */
  readonly rs?: Uint8Array;
  /** The remote ephemeral public key, when a pre-message carries it (no supported pattern does). */
  readonly re?: Uint8Array;
};

/** Per-message limits a protocol puts on top of Noise. */
export type ReadOptions = {
  /**
   * The largest payload accepted; longer ones throw NoiseMessageError. Noise allows any payload
   * (spec section 5.3); Parley reads message 1 with 0 (PROTOCOL.md section 2: exactly 33 bytes).
   */
  readonly maxPayloadLength?: number;
};

/** The two transport CipherStates of one side after Split(). */
export type TransportCipherStates = { readonly send: CipherState; readonly receive: CipherState };

type Status = 'active' | 'complete' | 'split' | 'dead';

/** HandshakeState: WriteMessage/ReadMessage in pattern order, then split() into transport states. */
export class HandshakeState {
  /** The full protocol name, e.g. `Noise_XX_P256_AESGCM_SHA256`. */
  readonly protocolName: string;
  /** True on the initiating side. */
  readonly initiator: boolean;
  readonly #suite: NoiseSuite;
  readonly #pattern: HandshakePattern;
  readonly #ss: SymmetricState;
  readonly #s: KeyPair | null;
  #e: KeyPair | null;
  #rs: Uint8Array | null;
  #re: Uint8Array | null;
  #index = 0;
  #status: Status = 'active';
  #handshakeHash: Uint8Array | null = null;

  /** Initialize(handshake_pattern, initiator, prologue, s, e, rs, re). */
  constructor(options: HandshakeOptions) {
    const { suite, initiator } = options;
    if (typeof suite?.dh?.dh !== 'function' || typeof suite.cipher?.encrypt !== 'function' || typeof suite.hash?.hkdf !== 'function') {
      throw new TypeError('suite must be a NoiseSuite ({ dh, cipher, hash })');
    }
    if (typeof initiator !== 'boolean') throw new TypeError('initiator must be a boolean');
    const prologue = options.prologue ?? new Uint8Array(0);
    if (!(prologue instanceof Uint8Array)) throw new TypeError('prologue must be a Uint8Array');
    this.#pattern = typeof options.pattern === 'string' ? getPattern(options.pattern) : options.pattern;
    this.#suite = suite;
    this.initiator = initiator;
    this.#s = checkKeyPair(options.s, suite, 's');
    this.#e = checkKeyPair(options.e, suite, 'e');
    this.#rs = checkRemoteKey(options.rs, suite, 'rs');
    this.#re = checkRemoteKey(options.re, suite, 're');

    // Keys that pre-messages need are checked as they are hashed below; a static key this side
    // sends in a message is checked here, before anything is written.
    const mySends = this.#pattern.messages.filter((_, i) => (i % 2 === 0) === initiator).flat();
    if (mySends.includes('s') && this.#s === null) throw new TypeError(`s is required by pattern ${this.#pattern.name}`);

    this.protocolName = protocolName(this.#pattern.name, suite);
    this.#ss = new SymmetricState(suite, this.protocolName);
    this.#ss.mixHash(prologue);
    // Pre-message keys are hashed initiator's first, each pre-message in token order (spec section 5.3).
    for (const [side, tokens] of [['initiator', this.#pattern.initiatorPreMessage], ['responder', this.#pattern.responderPreMessage]] as const) {
      const local = (side === 'initiator') === initiator;
      for (const token of tokens) {
        const key = token === 's' ? (local ? this.#s?.publicKey : this.#rs) : local ? this.#e?.publicKey : this.#re;
        if (key === undefined || key === null) throw new TypeError(`${local ? '' : 'r'}${token} is required by pattern ${this.#pattern.name}`);
        this.#ss.mixHash(key);
      }
    }
  }

  /** WriteMessage(payload, message_buffer): returns the message bytes. */
  writeMessage(payload: Uint8Array = new Uint8Array(0)): Uint8Array {
    this.#assertTurn(true);
    if (!(payload instanceof Uint8Array)) throw new TypeError('payload must be a Uint8Array');
    const tokens = this.#pattern.messages[this.#index] ?? [];
    const layout = this.#layout(tokens);
    if (layout.fixed + layout.payloadTag + payload.length > MAX_MESSAGE_LENGTH) {
      throw new RangeError(`payload too long: the message would exceed ${MAX_MESSAGE_LENGTH} bytes`);
    }
    const parts: Uint8Array[] = [];
    try {
      for (const token of tokens) {
        if (token === 'e') {
          this.#e ??= this.#suite.dh.generateKeyPair();
          this.#ss.mixHash(this.#e.publicKey);
          parts.push(this.#e.publicKey);
        } else if (token === 's') {
          parts.push(this.#ss.encryptAndHash(this.#requireLocal('s').publicKey));
        } else {
          this.#mixDh(token);
        }
      }
      parts.push(this.#ss.encryptAndHash(payload));
    } catch (err) {
      this.destroy();
      throw err;
    }
    this.#advance();
    return concatBytes(...parts);
  }

  /**
   * ReadMessage(message, payload_buffer): returns the payload. Parsing is exact: every token has
   * its fixed length, the rest is the payload, and any failure kills the handshake for good.
   */
  readMessage(message: Uint8Array, options: ReadOptions = {}): Uint8Array {
    this.#assertTurn(false);
    if (!(message instanceof Uint8Array)) throw new TypeError('message must be a Uint8Array');
    const maxPayloadLength = options.maxPayloadLength ?? MAX_MESSAGE_LENGTH;
    if (!Number.isSafeInteger(maxPayloadLength) || maxPayloadLength < 0) throw new RangeError('maxPayloadLength must be a non-negative integer');
    const tokens = this.#pattern.messages[this.#index] ?? [];
    try {
      const layout = this.#layout(tokens);
      if (message.length > MAX_MESSAGE_LENGTH) throw new NoiseMessageError('message longer than 65535 bytes');
      if (message.length < layout.fixed + layout.payloadTag) throw new NoiseMessageError('message too short');
      if (message.length - layout.fixed - layout.payloadTag > maxPayloadLength) throw new NoiseMessageError('payload too long');
      const pkLen = this.#suite.dh.publicKeyLength;
      let offset = 0;
      const take = (n: number): Uint8Array => message.subarray(offset, (offset += n));
      for (const token of tokens) {
        if (token === 'e') {
          if (this.#re !== null) throw new NoiseStateError('re is already set');
          const re = take(pkLen).slice();
          // Checked on receipt, not only in DH(): PROTOCOL.md section 2 aborts on any invalid point,
          // and XX's message 1 holds `e` alone, which no DH would touch until message 2 is written.
          this.#suite.dh.validatePublicKey(re);
          this.#re = re;
          this.#ss.mixHash(re);
        } else if (token === 's') {
          if (this.#rs !== null) throw new NoiseStateError('rs is already set');
          // Deviation (PROTOCOL.md section 2): publicKeyLength (+16 if encrypted) where spec 5.3 says DHLEN.
          const rs = this.#ss.decryptAndHash(take(pkLen + (this.#ss.hasKey() ? this.#suite.cipher.tagLength : 0)));
          this.#suite.dh.validatePublicKey(rs);
          this.#rs = rs;
        } else {
          this.#mixDh(token);
        }
      }
      const payload = this.#ss.decryptAndHash(message.subarray(offset));
      this.#advance();
      return payload;
    } catch (err) {
      this.destroy();
      throw err;
    }
  }

  /** True once every message of the pattern has been written or read. */
  isComplete(): boolean {
    return this.#status === 'complete' || this.#status === 'split';
  }

  /** True when the next step is this side's writeMessage (false when it is readMessage or the end). */
  isMyTurnToWrite(): boolean {
    return this.#status === 'active' && (this.#index % 2 === 0) === this.initiator;
  }

  /** The remote static public key (a copy), once known. */
  getRemoteStatic(): Uint8Array | null {
    return this.#rs === null ? null : this.#rs.slice();
  }

  /** The remote ephemeral public key (a copy), once known. */
  getRemoteEphemeral(): Uint8Array | null {
    return this.#re === null ? null : this.#re.slice();
  }

  /** GetHandshakeHash(): h (a copy); final once the handshake is complete (spec section 5.2). */
  getHandshakeHash(): Uint8Array {
    if (this.#status === 'dead') throw new NoiseStateError('handshake was destroyed');
    return this.#handshakeHash !== null ? this.#handshakeHash.slice() : this.#ss.getHandshakeHash();
  }

  /**
   * Split() for this side: the initiator sends with the first CipherState and receives with the
   * second, the responder the other way round (spec section 5.3). In one-way patterns only the
   * initiator's `send` / responder's `receive` is used. Zeroes e's private key, ck and h.
   */
  split(): TransportCipherStates {
    if (this.#status !== 'complete') throw new NoiseStateError('split: the handshake is not complete');
    const [c1, c2] = this.#ss.split();
    this.#handshakeHash = this.#ss.getHandshakeHash();
    this.#ss.destroy();
    this.#zeroEphemeral();
    this.#status = 'split';
    return this.initiator ? { send: c1, receive: c2 } : { send: c2, receive: c1 };
  }

  /** Aborts: zeroes e's private key, ck and h; every later call throws NoiseStateError. */
  destroy(): void {
    this.#zeroEphemeral();
    this.#ss.destroy();
    this.#status = 'dead';
  }

  /**
   * TEST ONLY: the live buffers (not copies) of e's private key and the chaining key, so that a
   * test can check that split() or destroy() zeroed them. Production code must not call this.
   */
  secretBuffersForTest(): { readonly ephemeralPrivateKey: Uint8Array | null; readonly chainingKey: Uint8Array } {
    return { ephemeralPrivateKey: this.#e?.privateKey ?? null, chainingKey: this.#ss.chainingKeyBufferForTest() };
  }

  // The byte layout of a message before it is processed: the fixed token bytes, and whether the
  // payload carries a tag. A key exists from the first DH token on (or from an earlier message).
  #layout(tokens: readonly MessageToken[]): { fixed: number; payloadTag: number } {
    const tag = this.#suite.cipher.tagLength;
    const pkLen = this.#suite.dh.publicKeyLength;
    let hasKey = this.#ss.hasKey();
    let fixed = 0;
    for (const token of tokens) {
      if (token === 'e') fixed += pkLen;
      else if (token === 's') fixed += pkLen + (hasKey ? tag : 0);
      else hasKey = true;
    }
    return { fixed, payloadTag: hasKey ? tag : 0 };
  }

  // ee, es, se, ss: MixKey(DH(local, remote)). The first letter is the initiator's key, the second
  // the responder's (spec section 7.1); the DH output is zeroed once mixed.
  #mixDh(token: 'ee' | 'es' | 'se' | 'ss'): void {
    const initiatorKey = token[0] as 'e' | 's';
    const responderKey = token[1] as 'e' | 's';
    const localKind = this.initiator ? initiatorKey : responderKey;
    const remoteKind = this.initiator ? responderKey : initiatorKey;
    const local = this.#requireLocal(localKind);
    const remote = remoteKind === 's' ? this.#rs : this.#re;
    if (remote === null) throw new NoiseStateError(`r${remoteKind} is not known`);
    const shared = this.#suite.dh.dh(local.privateKey, remote);
    try {
      this.#ss.mixKey(shared);
    } finally {
      shared.fill(0);
    }
  }

  #zeroEphemeral(): void {
    if (this.#e === null) return;
    this.#suite.dh.forgetPrivateKey?.(this.#e.privateKey);
    this.#e.privateKey.fill(0);
  }

  #requireLocal(kind: 'e' | 's'): KeyPair {
    const key = kind === 's' ? this.#s : this.#e;
    if (key === null) throw new NoiseStateError(`${kind} is not set`);
    return key;
  }

  #assertTurn(writing: boolean): void {
    if (this.#status === 'dead') throw new NoiseStateError('handshake was destroyed');
    if (this.#status !== 'active') throw new NoiseStateError('handshake is already complete');
    if (this.isMyTurnToWrite() !== writing) throw new NoiseStateError(writing ? 'not our turn to write' : 'not our turn to read');
  }

  #advance(): void {
    this.#index += 1;
    if (this.#index === this.#pattern.messages.length) this.#status = 'complete';
  }
}

function checkKeyPair(pair: KeyPair | undefined, suite: NoiseSuite, name: string): KeyPair | null {
  if (pair === undefined) return null;
  if (
    typeof pair !== 'object' ||
    !(pair.privateKey instanceof Uint8Array) ||
    !(pair.publicKey instanceof Uint8Array) ||
    pair.publicKey.length !== suite.dh.publicKeyLength
  ) {
    throw new TypeError(`${name} must be a key pair with a ${suite.dh.publicKeyLength}-byte public key`);
  }
  return pair;
}

function checkRemoteKey(key: Uint8Array | undefined, suite: NoiseSuite, name: string): Uint8Array | null {
  if (key === undefined) return null;
  if (!(key instanceof Uint8Array) || key.length !== suite.dh.publicKeyLength) {
    throw new TypeError(`${name} must be a ${suite.dh.publicKeyLength}-byte public key`);
  }
  try {
    suite.dh.validatePublicKey(key);
  } catch (cause) {
    throw new RangeError(`${name} is not a valid public key`, { cause });
  }
  return key.slice();
}

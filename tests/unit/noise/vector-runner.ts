/**
 * Runs one vector in the cacophony JSON format (tests/fixtures/vectors/README.upstream.md) through
 * two HandshakeStates built from the vector's keys: every handshake message and payload, every
 * transport message and the handshake hash, byte for byte. Throws (a Vitest assertion) on the first
 * mismatch, so a caller can count vectors that passed.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { fromHex, toHex } from '../../../src/core/crypto/bytes.ts';
import { HandshakeState, type ReadOptions } from '../../../src/core/noise/handshake-state.ts';
import { getPattern, type HandshakePattern } from '../../../src/core/noise/patterns.ts';
import type { KeyPair, NoiseSuite } from '../../../src/core/noise/types.ts';

/** One vector; `name` is noise-c's legacy field for `protocol_name`. */
export type NoiseVector = {
  readonly protocol_name?: string;
  readonly name?: string;
  readonly init_prologue: string;
  readonly init_psks?: readonly string[];
  readonly init_static?: string;
  readonly init_ephemeral?: string;
  readonly init_remote_static?: string;
  readonly resp_prologue: string;
  readonly resp_psks?: readonly string[];
  readonly resp_static?: string;
  readonly resp_ephemeral?: string;
  readonly resp_remote_static?: string;
  readonly handshake_hash?: string;
  readonly messages: readonly { readonly payload: string; readonly ciphertext: string }[];
};

/** Loads `tests/fixtures/vectors/<relativePath>` (a `{"vectors": [...]}` file). */
export function loadVectors(relativePath: string): NoiseVector[] {
  const path = fileURLToPath(new URL(`../../fixtures/vectors/${relativePath}`, import.meta.url));
  const data = JSON.parse(readFileSync(path, 'utf8')) as { vectors: NoiseVector[] };
  return data.vectors;
}

/** The protocol name of a vector, from either field name. */
export function vectorProtocolName(v: NoiseVector): string {
  const name = v.protocol_name ?? v.name;
  if (typeof name !== 'string') throw new TypeError('vector without protocol_name or name');
  return name;
}

/** Splits `Noise_<PATTERN>_<DH>_<CIPHER>_<HASH>`. */
export function parseProtocolName(name: string): { pattern: string; dh: string; cipher: string; hash: string } {
  const m = /^Noise_([A-Za-z0-9+]+)_([A-Za-z0-9]+)_([A-Za-z0-9]+)_([A-Za-z0-9]+)$/.exec(name);
  if (m === null) throw new Error(`not a Noise protocol name: ${name}`);
  return { pattern: m[1]!, dh: m[2]!, cipher: m[3]!, hash: m[4]! };
}

/** True when the vector uses pre-shared keys (by name or by a non-empty psk list). */
export function usesPsk(v: NoiseVector): boolean {
  return vectorProtocolName(v).includes('psk') || (v.init_psks?.length ?? 0) > 0 || (v.resp_psks?.length ?? 0) > 0;
}

/** Per-message read options (Parley reads message 1 with `maxPayloadLength: 0`). */
export type RunOptions = { readonly readOptions?: (messageIndex: number) => ReadOptions };

/** Runs the whole vector; returns the pattern it ran. */
export function runVector(v: NoiseVector, suite: NoiseSuite, options: RunOptions = {}): HandshakePattern {
  const name = vectorProtocolName(v);
  const pattern = getPattern(parseProtocolName(name).pattern);
  const keyPair = (hex: string | undefined): KeyPair | undefined => {
    if (hex === undefined) return undefined;
    const privateKey = fromHex(hex);
    return { privateKey, publicKey: suite.dh.publicKeyFromPrivate(privateKey) };
  };
  const publicKey = (hex: string | undefined): Uint8Array | undefined => (hex === undefined ? undefined : fromHex(hex));
  const initS = keyPair(v.init_static);
  const respS = keyPair(v.resp_static);
  const initiator = new HandshakeState({
    suite, pattern, initiator: true, prologue: fromHex(v.init_prologue),
    s: initS, e: keyPair(v.init_ephemeral), rs: publicKey(v.init_remote_static),
  });
  const responder = new HandshakeState({
    suite, pattern, initiator: false, prologue: fromHex(v.resp_prologue),
    s: respS, e: keyPair(v.resp_ephemeral), rs: publicKey(v.resp_remote_static),
  });
  expect(initiator.protocolName).toBe(name);

  const handshakeLength = pattern.messages.length;
  expect(v.messages.length, 'the vector holds every handshake message').toBeGreaterThanOrEqual(handshakeLength);
  for (let i = 0; i < handshakeLength; i++) {
    const { payload, ciphertext } = v.messages[i]!;
    const [writer, reader] = i % 2 === 0 ? [initiator, responder] : [responder, initiator];
    expect(writer.isMyTurnToWrite(), `message ${i}: writer's turn`).toBe(true);
    expect(toHex(writer.writeMessage(fromHex(payload))), `handshake message ${i} ciphertext`).toBe(ciphertext);
    expect(toHex(reader.readMessage(fromHex(ciphertext), options.readOptions?.(i))), `handshake message ${i} payload`).toBe(payload);
  }
  expect(initiator.isComplete() && responder.isComplete(), 'both sides complete').toBe(true);

  // Each side learned the other's static key, where the pattern has one.
  if (respS !== undefined) expect(toHex(initiator.getRemoteStatic()!), 'initiator learned rs').toBe(toHex(respS.publicKey));
  if (initS !== undefined) expect(toHex(responder.getRemoteStatic()!), 'responder learned rs').toBe(toHex(initS.publicKey));

  const hash = toHex(initiator.getHandshakeHash());
  expect(toHex(responder.getHandshakeHash()), 'both sides have the same handshake hash').toBe(hash);
  if (v.handshake_hash !== undefined) expect(hash, 'handshake_hash').toBe(v.handshake_hash);

  const i = initiator.split();
  const r = responder.split();
  expect(toHex(initiator.getHandshakeHash()), 'the handshake hash survives split').toBe(hash);
  const empty = new Uint8Array(0);
  for (let n = handshakeLength; n < v.messages.length; n++) {
    const { payload, ciphertext } = v.messages[n]!;
    // After the handshake an even index is the initiator's, an odd one the responder's; in a
    // one-way pattern every transport message is the initiator's (README.upstream.md, "Quirks").
    const fromInitiator = pattern.oneWay || n % 2 === 0;
    const [send, receive] = fromInitiator ? [i.send, r.receive] : [r.send, i.receive];
    expect(toHex(send.encryptWithAd(empty, fromHex(payload))), `transport message ${n} ciphertext`).toBe(ciphertext);
    expect(toHex(receive.decryptWithAd(empty, fromHex(ciphertext))), `transport message ${n} payload`).toBe(payload);
  }
  return pattern;
}

/** Runs a list of vectors, collecting failures instead of stopping at the first. */
export function runAll(
  vectors: readonly NoiseVector[],
  suite: NoiseSuite,
  options: RunOptions = {},
): { ran: number; passed: number; failures: string[]; patterns: string[] } {
  const failures: string[] = [];
  const patterns: string[] = [];
  let passed = 0;
  for (const v of vectors) {
    try {
      patterns.push(runVector(v, suite, options).name);
      passed += 1;
    } catch (err) {
      failures.push(`${vectorProtocolName(v)}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return { ran: vectors.length, passed, failures, patterns };
}

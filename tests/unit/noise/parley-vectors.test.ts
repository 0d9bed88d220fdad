/**
 * Parley's own known answers for `Noise_XX_P256_AESGCM_SHA256` (tests/fixtures/vectors/parley):
 * handshake, hellos, transport messages and handshake hash, byte for byte, through the P256 suite.
 */
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../../src/core/crypto/bytes.ts';
import { PARLEY_PROLOGUE, PARLEY_PROTOCOL_NAME, P256_AESGCM_SHA256 } from '../../../src/core/noise/suites.ts';
import { loadVectors, runAll, vectorProtocolName } from './vector-runner.ts';

const FILE = 'parley/noise_xx_p256_aesgcm_sha256.json';

// parley/README.md: the hellos of each vector (initiator's in message 3, responder's in message 2).
const HELLOS = [
  { init: 'Alice', resp: 'Bob' },
  { init: 'Zoë 🦜', resp: '' },
  { init: 'Max', resp: 'Size' },
  { init: '🦜'.repeat(64), resp: 'n'.repeat(64) },
];

describe('Parley vectors: Noise_XX_P256_AESGCM_SHA256', () => {
  const vectors = loadVectors(FILE);

  it('the constants match PROTOCOL.md section 2', () => {
    expect(PARLEY_PROTOCOL_NAME).toBe('Noise_XX_P256_AESGCM_SHA256');
    expect(toHex(PARLEY_PROLOGUE)).toBe('7061726c65792f31');
  });

  it('the file is what parley/README.md describes', () => {
    expect(vectors).toHaveLength(4);
    vectors.forEach((v, i) => {
      expect(vectorProtocolName(v)).toBe(PARLEY_PROTOCOL_NAME);
      expect(v.init_prologue).toBe(toHex(PARLEY_PROLOGUE));
      expect(v.resp_prologue).toBe(toHex(PARLEY_PROLOGUE));
      expect(v.handshake_hash).toMatch(/^[0-9a-f]{64}$/);
      // Message 1 is `e` alone (33 bytes), message 2 is 82 + payload + 16, message 3 is 49 + payload + 16.
      const [m1, m2, m3] = v.messages;
      expect(m1!.payload).toBe('');
      expect(m1!.ciphertext.length / 2).toBe(33);
      expect(m2!.ciphertext.length / 2).toBe(82 + m2!.payload.length / 2 + 16);
      expect(m3!.ciphertext.length / 2).toBe(49 + m3!.payload.length / 2 + 16);
      // The hellos are exactly what JSON.stringify writes.
      const hello = (name: string): string => toHex(new TextEncoder().encode(JSON.stringify({ v: 1, name })));
      expect(m2!.payload).toBe(hello(HELLOS[i]!.resp));
      expect(m3!.payload).toBe(hello(HELLOS[i]!.init));
    });
    // Vector 3 carries the largest message: a 64,103-byte transport frame body.
    expect(Math.max(...vectors[2]!.messages.map((m) => m.ciphertext.length / 2))).toBe(64_103);
  });

  it('every vector runs byte for byte (handshake, hellos, transport, handshake hash)', () => {
    // Message 1 is read as the handshake driver reads it: no payload allowed (PROTOCOL.md section 2).
    const result = runAll(vectors, P256_AESGCM_SHA256, { readOptions: (i) => (i === 0 ? { maxPayloadLength: 0 } : {}) });
    console.log(`[vectors] parley noise_xx_p256_aesgcm_sha256: ${result.ran} ran, ${result.passed} passed`);
    expect(result.failures).toEqual([]);
    expect(result.ran).toBe(4);
    expect(result.passed).toBe(4);
    // 4 vectors: 3 handshake messages each, then 6, 8, 4 and 8 transport messages.
    expect(vectors.map((v) => v.messages.length - 3)).toEqual([6, 8, 4, 8]);
  });

  it('vector 4 uses the extreme static scalars d = 1 and d = n - 1', () => {
    const v = vectors[3]!;
    expect(v.init_static).toBe('00'.repeat(31) + '01');
    expect(fromHex(v.resp_static!)).toHaveLength(32);
    // d = 1 gives the generator; n - 1 gives its negation: same x, other parity prefix.
    const g = P256_AESGCM_SHA256.dh.publicKeyFromPrivate(fromHex(v.init_static!));
    const minusG = P256_AESGCM_SHA256.dh.publicKeyFromPrivate(fromHex(v.resp_static!));
    expect(toHex(g.subarray(1))).toBe(toHex(minusG.subarray(1)));
    expect(g[0]! ^ minusG[0]!).toBe(1);
  });
});

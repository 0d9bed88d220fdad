/**
 * Raw node:crypto AES-256-GCM with a KeyObject key, the least any JavaScript caller could do per
 * frame (Node has no one-shot AEAD: every seal or open is a Cipheriv/Decipheriv object and three or
 * four calls into C++), and the interleaved micro-measurement C3–C6 and P3.floor use.
 */
import { createCipheriv, createDecipheriv, createSecretKey, randomBytes } from 'node:crypto';

/** Median-ready samples: µs per call over `rounds` batches of `batch` calls, cases interleaved batch by batch. */
export function measure(cases: Record<string, () => unknown>, batch: number, rounds: number): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const [k, fn] of Object.entries(cases)) {
    out[k] = [];
    for (let i = 0; i < batch; i++) fn(); // warm-up
  }
  for (let r = 0; r < rounds; r++) {
    for (const [k, fn] of Object.entries(cases)) {
      const t0 = performance.now();
      for (let i = 0; i < batch; i++) fn();
      out[k]?.push(((performance.now() - t0) * 1000) / batch);
    }
  }
  return out;
}

/** A seal and an open of `plain` with a fresh random key and IV, straight on node:crypto. */
export function rawAeadCases(plain: Uint8Array): { rawSeal: () => unknown; rawOpen: () => unknown } {
  const keyObject = createSecretKey(randomBytes(32));
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', keyObject, iv, { authTagLength: 16 });
  const body = Buffer.concat([c.update(plain), c.final()]);
  const tag = c.getAuthTag();
  return {
    rawSeal: () => {
      const s = createCipheriv('aes-256-gcm', keyObject, iv, { authTagLength: 16 });
      s.update(plain);
      s.final();
      return s.getAuthTag();
    },
    rawOpen: () => {
      const d = createDecipheriv('aes-256-gcm', keyObject, iv, { authTagLength: 16 });
      d.setAuthTag(tag);
      d.update(body);
      return d.final();
    },
  };
}

/**
 * C3–C6: the cost of sealing and opening one transport frame with the session's CipherState
 * (EncryptWithAd as the session calls it, encryptWithAdParts: ciphertext and tag unjoined, and
 * DecryptWithAd: argument checks, the Noise nonce, AES-256-GCM on node:crypto), per
 * 100-byte and per 64 KiB frame (65,519 bytes of plaintext: a 65,535-byte frame with its tag),
 * beside raw node:crypto AES-256-GCM with a KeyObject key, the least any caller could do.
 */
import { createCipheriv, createDecipheriv, createSecretKey, randomBytes } from 'node:crypto';
import { CipherState } from '../../src/core/noise/cipher-state.ts';
import { CIPHER_AESGCM } from '../../src/core/noise/suites.ts';
import type { Part, PartContext } from '../lib/part.ts';
import { figure, type FigureResult } from '../lib/report.ts';
import { spreadText, summarize } from '../lib/stats.ts';

const EMPTY = new Uint8Array(0);

/** Median ns per call over `rounds` batches of `batch` calls, cases interleaved batch by batch. */
function measure(cases: Record<string, () => unknown>, batch: number, rounds: number): Record<string, number[]> {
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

export const sealOpenPart: Part = {
  name: 'seal/open (C3–C6)',
  budget: [8, 25],
  async run(ctx: PartContext): Promise<FigureResult[]> {
    const key = randomBytes(32);
    const keyObject = createSecretKey(key);
    const iv = randomBytes(12);
    const results: FigureResult[] = [];
    const sizes = [
      ['100 B', 100, ctx.quick ? 2000 : 5000],
      ['64 KiB', 65_519, ctx.quick ? 100 : 250],
    ] as const;
    let id = 3;
    for (const [label, size, batch] of sizes) {
      const plain = randomBytes(size);
      const sealer = new CipherState(CIPHER_AESGCM);
      sealer.initializeKey(key);
      const opener = new CipherState(CIPHER_AESGCM);
      opener.initializeKey(key);
      const sealed = sealer.encryptWithAd(EMPTY, plain);
      const rawSealed = (() => {
        const c = createCipheriv('aes-256-gcm', keyObject, iv, { authTagLength: 16 });
        return { body: Buffer.concat([c.update(plain), c.final()]), tag: c.getAuthTag() };
      })();
      const cases = {
        // What the session does for every frame: ciphertext and tag as node:crypto gives them, not joined.
        seal: () => sealer.encryptWithAdParts(EMPTY, plain),
        open: () => {
          opener.setNonce(0n); // the same frame again: the nonce must match the one it was sealed with
          return opener.decryptWithAd(EMPTY, sealed);
        },
        rawSeal: () => {
          const c = createCipheriv('aes-256-gcm', keyObject, iv, { authTagLength: 16 });
          c.update(plain);
          c.final();
          return c.getAuthTag();
        },
        rawOpen: () => {
          const d = createDecipheriv('aes-256-gcm', keyObject, iv, { authTagLength: 16 });
          d.setAuthTag(rawSealed.tag);
          d.update(rawSealed.body);
          return d.final();
        },
      };
      const rounds = ctx.quick ? 9 : 21;
      const m = measure(cases, batch, rounds);
      const s = (k: keyof typeof cases) => summarize(m[k] ?? []);
      for (const op of ['seal', 'open'] as const) {
        const v = s(op);
        const b = s(op === 'seal' ? 'rawSeal' : 'rawOpen');
        results.push(
          figure({
            id: `C${id++}`,
            name: `${op} one ${label} frame (CipherState ${op === 'seal' ? 'encryptWithAdParts' : 'DecryptWithAd'})`,
            value: v.median,
            unit: 'µs',
            baseline: b.median,
            baselineName: 'raw node:crypto',
            spread: spreadText(v, 2),
          }),
        );
      }
    }
    return results;
  },
};

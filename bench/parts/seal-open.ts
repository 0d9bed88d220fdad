/**
 * C3–C6: the cost of sealing and opening one transport frame with the session's CipherState
 * (EncryptWithAd as the session calls it, encryptWithAdParts: ciphertext and tag unjoined, and
 * DecryptWithAd: argument checks, the Noise nonce, AES-256-GCM on node:crypto), per
 * 100-byte and per 64 KiB frame (65,519 bytes of plaintext: a 65,535-byte frame with its tag),
 * beside raw node:crypto AES-256-GCM with a KeyObject key, the least any caller could do.
 */
import { randomBytes } from 'node:crypto';
import { CipherState } from '../../src/core/noise/cipher-state.ts';
import { CIPHER_AESGCM } from '../../src/core/noise/suites.ts';
import type { Part, PartContext } from '../lib/part.ts';
import { measure, rawAeadCases } from '../lib/raw-aead.ts';
import { figure, type FigureResult } from '../lib/report.ts';
import { spreadText, summarize } from '../lib/stats.ts';

const EMPTY = new Uint8Array(0);

export const sealOpenPart: Part = {
  name: 'seal/open (C3–C6)',
  budget: [8, 25],
  async run(ctx: PartContext): Promise<FigureResult[]> {
    const key = randomBytes(32);
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
      const cases = {
        // What the session does for every frame: ciphertext and tag as node:crypto gives them, not joined.
        seal: () => sealer.encryptWithAdParts(EMPTY, plain),
        open: () => {
          opener.setNonce(0n); // the same frame again: the nonce must match the one it was sealed with
          return opener.decryptWithAd(EMPTY, sealed);
        },
        ...rawAeadCases(plain),
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

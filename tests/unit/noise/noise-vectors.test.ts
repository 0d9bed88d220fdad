/**
 * The published Noise vectors (cacophony, snow, noise-c) for `*_25519_AESGCM_SHA256`: every
 * vector without a PSK whose pattern is one of the 12 fundamental interactive patterns or the 3
 * one-way patterns, run byte for byte through the engine with the X25519 suite.
 */
import { describe, expect, it } from 'vitest';
import { INTERACTIVE_PATTERN_NAMES, ONE_WAY_PATTERN_NAMES } from '../../../src/core/noise/patterns.ts';
import { X25519_AESGCM_SHA256 } from '../../../src/core/noise/suites.ts';
import { loadVectors, parseProtocolName, runAll, usesPsk, vectorProtocolName, type NoiseVector } from './vector-runner.ts';

const SUPPORTED: readonly string[] = [...INTERACTIVE_PATTERN_NAMES, ...ONE_WAY_PATTERN_NAMES];

function select(vectors: readonly NoiseVector[]): NoiseVector[] {
  return vectors.filter((v) => {
    const { pattern, dh, cipher, hash } = parseProtocolName(vectorProtocolName(v));
    return dh === '25519' && cipher === 'AESGCM' && hash === 'SHA256' && !usesPsk(v) && SUPPORTED.includes(pattern);
  });
}

// What the files hold (README.upstream.md): each has exactly one vector per supported pattern.
const FILES = [
  { set: 'noise cacophony', file: 'noise/cacophony_all_25519_AESGCM_SHA256.json', total: 59 },
  { set: 'noise snow', file: 'noise/snow_all_25519_AESGCM_SHA256.json', total: 51 },
  { set: 'noise noise-c-basic', file: 'noise/noise-c-basic_25519_AESGCM_SHA256.legacy-format.json', total: 15 },
] as const;

describe('published Noise vectors, 25519_AESGCM_SHA256', () => {
  for (const { set, file, total } of FILES) {
    it(`${set}: every non-PSK fundamental pattern, byte for byte`, () => {
      const all = loadVectors(file);
      expect(all.length).toBe(total);
      const selected = select(all);
      // No silent skipping: 12 interactive + 3 one-way patterns, each exactly once.
      expect(selected.length).toBe(15);
      const result = runAll(selected, X25519_AESGCM_SHA256);
      console.log(`[vectors] ${set}: ${result.ran} ran, ${result.passed} passed`);
      expect(result.failures).toEqual([]);
      expect(result.passed).toBe(15);
      expect([...result.patterns].sort()).toEqual([...SUPPORTED].sort());
      expect(result.patterns.filter((p) => (INTERACTIVE_PATTERN_NAMES as readonly string[]).includes(p))).toHaveLength(12);
    });
  }

  it('the selection leaves out only PSK and deferred patterns', () => {
    for (const { file } of FILES) {
      const left = loadVectors(file).filter((v) => !select([v]).length);
      for (const v of left) {
        const { pattern } = parseProtocolName(vectorProtocolName(v));
        // Deferred patterns carry a '1' (XX1, X1X1, ...); PSK ones say so.
        expect(usesPsk(v) || /1/.test(pattern), `${vectorProtocolName(v)} left out`).toBe(true);
      }
    }
  });
});

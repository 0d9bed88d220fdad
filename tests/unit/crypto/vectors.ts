/** Loading the vector fixtures, and the small conversions every Wycheproof test needs. */
import { readFileSync } from 'node:fs';
import { fromHex } from '../../../src/core/crypto/bytes.ts';

const FIXTURES = new URL('../../fixtures/vectors/', import.meta.url);

/** One Wycheproof test case; the fields that exist depend on the file's schema. */
export type WycheproofCase = {
  readonly tcId: number;
  readonly comment: string;
  readonly flags: readonly string[];
  readonly result: 'valid' | 'invalid' | 'acceptable';
  readonly [field: string]: unknown;
};

export type WycheproofGroup = {
  readonly type: string;
  readonly keySize?: number;
  readonly ivSize?: number;
  readonly tagSize?: number;
  readonly tests: readonly WycheproofCase[];
};

export type WycheproofFile = {
  readonly algorithm: string;
  readonly numberOfTests: number;
  readonly notes: Readonly<Record<string, unknown>>;
  readonly testGroups: readonly WycheproofGroup[];
};

/** Parses a fixture file given its path under tests/fixtures/vectors/. */
export function loadJson<T>(relativePath: string): T {
  return JSON.parse(readFileSync(new URL(relativePath, FIXTURES), 'utf8')) as T;
}

/** Loads tests/fixtures/vectors/wycheproof/<name>.json and checks the case count it declares. */
export function loadWycheproof(name: string): WycheproofFile {
  const file = loadJson<WycheproofFile>(`wycheproof/${name}.json`);
  const count = file.testGroups.reduce((n, g) => n + g.tests.length, 0);
  if (count !== file.numberOfTests) throw new Error(`${name}: ${count} cases, header says ${file.numberOfTests}`);
  return file;
}

/** A hex field of a case as bytes (throws if the field is missing or not hex). */
export function hexField(tc: WycheproofCase, field: string): Uint8Array {
  const value = tc[field];
  if (typeof value !== 'string') throw new Error(`tcId ${tc.tcId}: field ${field} is not a string`);
  return fromHex(value);
}

/**
 * Wycheproof ECDH private keys are signed big-endian integers: 33 bytes with a leading 00 when the
 * top bit is set, or shorter than 32 bytes when the value is small. Returns the 32-byte scalar.
 */
export function privateKey32(hex: string): Uint8Array {
  if (hex.length === 0 || hex.length % 2 !== 0) throw new Error(`private key hex of odd or zero length: ${hex}`);
  if (Number.parseInt(hex[0]!, 16) >= 8) throw new Error(`negative private key: ${hex}`);
  const value = BigInt(`0x${hex}`);
  if (value >= 1n << 256n) throw new Error(`private key wider than 256 bits: ${hex}`);
  return fromHex(value.toString(16).padStart(64, '0'));
}

/** Collects per-case failures so one summary line and one assertion cover a whole vector set. */
export class Tally {
  readonly failures: string[] = [];
  ran = 0;
  passed = 0;

  /** Records one case: `problems` empty means the case passed. */
  record(tcId: number | string, problems: readonly string[]): void {
    this.ran++;
    if (problems.length === 0) this.passed++;
    else this.failures.push(`${tcId}: ${problems.join('; ')}`);
  }

  /** Prints the `[vectors]` line that common.md asks for. */
  summary(setName: string): void {
    console.log(`[vectors] ${setName}: ${this.ran} ran, ${this.passed} passed`);
  }
}

/** Fingerprint and safety-number presentation and comparison, as people see them (PROTOCOL.md section 3). */

const FINGERPRINT_RE = /^[0-9a-f]{64}$/;

/** True for a fingerprint in its text form: 64 lowercase hex digits. */
export function isFingerprint(x: unknown): x is string {
  return typeof x === 'string' && FINGERPRINT_RE.test(x);
}

/** Splits a string into consecutive chunks of `size` characters. */
function chunk(s: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < s.length; i += size) out.push(s.slice(i, i + size));
  return out;
}

/** The 16 groups of 4 hex digits people compare (PROTOCOL.md section 3). */
export function fingerprintGroups(fp: string): string[] {
  return chunk(fp, 4);
}

/** The fingerprint as one line of 16 space-separated groups. */
export function formatFingerprint(fp: string): string {
  return fingerprintGroups(fp).join(' ');
}

/** The first two groups and an ellipsis: enough to tell two keys apart in a sentence, never to verify one. */
export function shortFingerprint(fp: string): string {
  return `${fingerprintGroups(fp).slice(0, 2).join(' ')}…`;
}

/** The safety number's 12 groups of 5 digits, whatever whitespace the core used between them. */
export function safetyNumberGroups(safetyNumber: string): string[] {
  const digits = safetyNumber.replace(/\s+/g, '');
  return chunk(digits, 5);
}

/** What a pasted fingerprint turned out to be, compared with the expected one. */
export type CompareOutcome =
  | { readonly kind: 'empty' }
  | { readonly kind: 'invalid'; readonly reason: string }
  | { readonly kind: 'match' }
  | {
      readonly kind: 'mismatch';
      /** Index (0–63) of the first digit that differs. */
      readonly firstDifference: number;
      /** Indexes (0–15, ascending) of every group of 4 that holds a differing digit. */
      readonly differingGroups: readonly number[];
    };

// Separators people and tools put between hex digits: spaces, line breaks, colons (openssl -c), hyphens.
const SEPARATORS_RE = /[\s:-]+/g;

/**
 * Normalises a pasted fingerprint (separators removed, lowercased).
 * Returns null unless exactly 64 hex digits remain: a prefix or a longer string never passes.
 */
export function normaliseFingerprint(input: string): string | null {
  const s = input.replace(SEPARATORS_RE, '').toLowerCase();
  return FINGERPRINT_RE.test(s) ? s : null;
}

/** Compares a pasted fingerprint with the expected one, in full (all 64 digits). */
export function compareFingerprint(expected: string, pasted: string): CompareOutcome {
  if (!isFingerprint(expected)) throw new TypeError('compareFingerprint: expected must be 64 lowercase hex digits');
  const stripped = pasted.replace(SEPARATORS_RE, '').toLowerCase();
  if (stripped.length === 0) return { kind: 'empty' };
  if (/[^0-9a-f]/.test(stripped)) {
    return { kind: 'invalid', reason: 'That is not a fingerprint: a fingerprint has only the digits 0–9 and the letters a–f.' };
  }
  if (stripped.length !== 64) {
    return {
      kind: 'invalid',
      reason: `A fingerprint has 64 hex digits; this has ${stripped.length}. Paste the whole fingerprint.`,
    };
  }
  let firstDifference = -1;
  const differingGroups: number[] = [];
  // Every digit is looked at, so a match means all 64 agree, not a prefix.
  for (let i = 0; i < 64; i++) {
    if (stripped[i] === expected[i]) continue;
    if (firstDifference < 0) firstDifference = i;
    const group = Math.floor(i / 4);
    if (differingGroups.at(-1) !== group) differingGroups.push(group);
  }
  return firstDifference < 0 ? { kind: 'match' } : { kind: 'mismatch', firstDifference, differingGroups };
}

/**
 * Which groups differ, in words people can find on the 4×4 grid (groups counted from 1, left to right,
 * top to bottom): "group 11 differs", "groups 3 and 11 differ", "all 16 groups differ".
 */
export function differingGroupsPhrase(groups: readonly number[]): string {
  if (groups.length === 0) throw new RangeError('differingGroupsPhrase: groups must not be empty');
  if (groups.length === 16) return 'all 16 groups differ';
  const numbers = groups.map((g) => String(g + 1));
  if (numbers.length === 1) return `group ${numbers[0]} differs`;
  return `groups ${numbers.slice(0, -1).join(', ')} and ${numbers.at(-1)} differ`;
}

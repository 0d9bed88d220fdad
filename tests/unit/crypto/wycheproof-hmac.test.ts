/**
 * Wycheproof hmac_sha256_test.json through hash.ts hmacSha256. The tagSize-128 groups are truncated
 * tags (compare the first 16 bytes); every invalid case is a ModifiedTag that must not match.
 */
import { describe, expect, it } from 'vitest';
import { equalBytes, toHex } from '../../../src/core/crypto/bytes.ts';
import { hmacSha256 } from '../../../src/core/crypto/hash.ts';
import { hexField, loadWycheproof, Tally } from './vectors.ts';

describe('Wycheproof HMAC-SHA-256', () => {
  const file = loadWycheproof('hmac_sha256_test');

  it('matches every valid tag and no modified one, full and truncated', () => {
    const tally = new Tally();
    const seen = { valid: 0, invalid: 0, truncated: 0 };
    for (const group of file.testGroups) {
      const tagBytes = Number(group.tagSize) / 8;
      for (const tc of group.tests) {
        const problems: string[] = [];
        const tag = hexField(tc, 'tag');
        if (tag.length !== tagBytes) problems.push(`tag is ${tag.length} bytes in a ${tagBytes}-byte group`);
        const mac = hmacSha256(hexField(tc, 'key'), hexField(tc, 'msg'));
        if (mac.length !== 32) problems.push(`mac is ${mac.length} bytes`);
        const matches = equalBytes(mac.subarray(0, tagBytes), tag);
        if (tagBytes < 32) seen.truncated++;
        if (tc.result === 'valid') {
          seen.valid++;
          if (!matches) problems.push(`mac ${toHex(mac)}`);
        } else if (tc.result === 'invalid') {
          seen.invalid++;
          if (!tc.flags.includes('ModifiedTag')) problems.push(`invalid case without ModifiedTag: ${tc.flags.join(',')}`);
          if (matches) problems.push('modified tag matched');
        } else {
          problems.push('acceptable case: none expected');
        }
        tally.record(tc.tcId, problems);
      }
    }
    tally.summary('wycheproof hmac_sha256_test');
    expect(tally.failures).toEqual([]);
    expect(tally.passed).toBe(174);
    expect(seen).toEqual({ valid: 66, invalid: 108, truncated: 87 });
  });
});

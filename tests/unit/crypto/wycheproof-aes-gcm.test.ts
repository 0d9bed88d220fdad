/**
 * Wycheproof aes_gcm_test.json through aesGcmEncrypt/aesGcmDecrypt. Parley uses AES-256 with the
 * 96-bit Noise nonce and a 128-bit tag, so the groups with exactly those sizes are the vector set;
 * the other groups are used only to show that other sizes are refused rather than computed.
 */
import { describe, expect, it } from 'vitest';
import { aesGcmDecrypt, aesGcmEncrypt, importAesKey } from '../../../src/core/crypto/aes-gcm.ts';
import { concatBytes, equalBytes, toHex } from '../../../src/core/crypto/bytes.ts';
import { hexField, loadWycheproof, Tally } from './vectors.ts';

describe('Wycheproof AES-GCM', () => {
  const file = loadWycheproof('aes_gcm_test');
  const ours = file.testGroups.filter((g) => g.keySize === 256 && g.ivSize === 96 && g.tagSize === 128);
  const others = file.testGroups.filter((g) => !ours.includes(g));

  it('AES-256, 96-bit IV, 128-bit tag: every case encrypts and decrypts as it says', () => {
    const tally = new Tally();
    let valid = 0;
    for (const group of ours) {
      for (const tc of group.tests) {
        const problems: string[] = [];
        const key = importAesKey(hexField(tc, 'key'));
        const iv = hexField(tc, 'iv');
        const aad = hexField(tc, 'aad');
        const msg = hexField(tc, 'msg');
        const sealed = concatBytes(hexField(tc, 'ct'), hexField(tc, 'tag'));
        const opened = aesGcmDecrypt(key, iv, aad, sealed);
        if (tc.result === 'valid') {
          valid++;
          const ct = aesGcmEncrypt(key, iv, aad, msg);
          if (!equalBytes(ct, sealed)) problems.push(`encrypt gave ${toHex(ct)}`);
          if (opened === null || !equalBytes(opened, msg)) problems.push(`decrypt gave ${opened && toHex(opened)}`);
        } else if (tc.result === 'invalid') {
          if (opened !== null) problems.push(`invalid case decrypted to ${toHex(opened)}`);
        } else {
          problems.push('acceptable case: none expected in these groups');
        }
        tally.record(tc.tcId, problems);
      }
    }
    tally.summary('wycheproof aes_gcm_test (AES-256, 96-bit IV, 128-bit tag)');
    expect(tally.failures).toEqual([]);
    expect(tally.passed).toBe(tally.ran);
    // The groups as the file has them at the pinned commit: one group, 66 cases, 39 valid.
    expect({ groups: ours.length, ran: tally.ran, valid }).toEqual({ groups: 1, ran: 66, valid: 39 });
  });

  it('refuses every other key or IV size with RangeError instead of computing with it', () => {
    let refused = 0;
    for (const group of others) {
      for (const tc of group.tests) {
        const keyBytes = hexField(tc, 'key');
        if (group.keySize !== 256) {
          expect(() => importAesKey(keyBytes), `tcId ${tc.tcId}`).toThrow(RangeError);
        } else {
          const key = importAesKey(keyBytes);
          const iv = hexField(tc, 'iv');
          const aad = hexField(tc, 'aad');
          expect(() => aesGcmEncrypt(key, iv, aad, hexField(tc, 'msg')), `tcId ${tc.tcId}`).toThrow(RangeError);
          const sealed = concatBytes(hexField(tc, 'ct'), hexField(tc, 'tag'));
          expect(() => aesGcmDecrypt(key, iv, aad, sealed), `tcId ${tc.tcId}`).toThrow(RangeError);
        }
        refused++;
      }
    }
    expect(refused).toBe(file.numberOfTests - 66);
  });
});

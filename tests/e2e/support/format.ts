/** Independent restatements of how the UI groups digits (PROTOCOL.md section 3), to check what is on screen. */

/** A 64-digit fingerprint as 16 groups of 4. */
export function fingerprintGroupsOf(fingerprint: string): string[] {
  if (!/^[0-9a-f]{64}$/.test(fingerprint)) throw new RangeError('fingerprint must be 64 lowercase hex digits');
  return fingerprint.match(/.{4}/g) ?? [];
}

/** A 60-digit safety number as 12 groups of 5. */
export function safetyNumberGroupsOf(safetyNumber: string): string[] {
  const digits = safetyNumber.replace(/\s+/g, '');
  if (!/^[0-9]{60}$/.test(digits)) throw new RangeError('safetyNumber must be 60 digits');
  return digits.match(/.{5}/g) ?? [];
}

/** Text rules shared by every edge (wire, IPC, CLI, UI): lengths in code points, control characters. */

export const MAX_TEXT_CODE_POINTS = 16_000;
export const MAX_NAME_CODE_POINTS = 64;
/** Upper bound on a pasted join target (an invite with a 64-code-point name fits easily). */
export const MAX_TARGET_LENGTH = 2048;

/** Number of Unicode code points (not UTF-16 units): what PROTOCOL.md counts. */
export function countCodePoints(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

/** True if s has a control character (U+0000–U+001F, U+007F); TAB and LF are allowed when allowTabLf. */
export function hasControlChars(s: string, allowTabLf: boolean): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x7f || (c < 0x20 && !(allowTabLf && (c === 0x09 || c === 0x0a)))) return true;
  }
  return false;
}

/** True if s contains a UTF-16 surrogate that is not part of a pair (not representable in UTF-8). */
export function hasLoneSurrogate(s: string): boolean {
  return !s.isWellFormed();
}

/** Text rules shared by every edge (wire, IPC, CLI, UI): lengths in code points, control characters. */

export const MAX_TEXT_CODE_POINTS = 16_000;
export const MAX_NAME_CODE_POINTS = 64;
/** Upper bound on a pasted join target (an invite with a 64-code-point name fits easily). */
export const MAX_TARGET_LENGTH = 2048;

// Native regular-expression scans instead of charCodeAt loops: every message text is checked
// where it is sent and where it is received, and on a 16,000-code-point text these were ~60 µs
// each (the regex scans ~20 µs). Without the u flag a class matches UTF-16 units.
const SURROGATE = /[\ud800-\udfff]/;
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;
// eslint-disable-next-line no-control-regex -- likewise, TAB and LF excepted
const CONTROL_BUT_TAB_LF = /[\u0000-\u0008\u000b-\u001f\u007f]/;

/** Number of Unicode code points (not UTF-16 units): what PROTOCOL.md counts. A lone surrogate counts as one. */
export function countCodePoints(s: string): number {
  if (!SURROGATE.test(s)) return s.length;
  let n = s.length;
  for (let i = 0; i < s.length - 1; i++) {
    // A high surrogate followed by a low one is a single code point.
    if ((s.charCodeAt(i) & 0xfc00) === 0xd800 && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n--;
      i++;
    }
  }
  return n;
}

/** True if s has a control character (U+0000–U+001F, U+007F); TAB and LF are allowed when allowTabLf. */
export function hasControlChars(s: string, allowTabLf: boolean): boolean {
  return (allowTabLf ? CONTROL_BUT_TAB_LF : CONTROL).test(s);
}

/** True if s contains a UTF-16 surrogate that is not part of a pair (not representable in UTF-8). */
export function hasLoneSurrogate(s: string): boolean {
  return !s.isWellFormed();
}

// Characters that draw nothing: default-ignorable code points (zero-width spaces and joiners, the
// soft hyphen, bidi marks, embeddings, overrides and isolates, variation selectors, tags, Hangul
// fillers) and the other format characters.
const INVISIBLE_RE = /[\p{Default_Ignorable_Code_Point}\p{Cf}]/gu;

/**
 * The key two display names are compared by for `name-collision` (PROTOCOL.md section 6): what a
 * person sees, not the exact string. Invisible characters are dropped, compatibility forms folded
 * (NFKC: fullwidth letters, ligatures), runs of white space (NBSP included) made one space and
 * trimmed, and case folded. Why (security review): compared exactly, "Alice\u200b", "Alice ",
 * "ALICE" or a fullwidth "Ａｌｉｃｅ" raised no warning next to a contact named "Alice". Letters of
 * other scripts that merely look alike (Cyrillic "А") are not folded: names prove nothing, keys do.
 * An empty key is no claim to anybody's name.
 */
export function displayNameKey(name: string): string {
  return name.replace(INVISIBLE_RE, '').normalize('NFKC').replace(INVISIBLE_RE, '').replace(/\s+/gu, ' ').trim().toLowerCase();
}

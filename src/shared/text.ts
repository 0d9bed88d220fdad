/** Text rules shared by every edge (wire, IPC, CLI, UI): lengths in code points, control characters. */
import { foldLatinLookalikes, toLatinLookalikes } from './confusables.ts';

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
// fillers U+115F U+1160 U+3164 U+FFA0, the Mongolian vowel separator) and the other format
// characters; every control character (the C1 ones, U+0080–U+009F, are allowed in a peer's hello
// by PROTOCOL.md section 2 and render as nothing or a box); and U+2800 BRAILLE PATTERN BLANK,
// a symbol that draws a blank.
const INVISIBLE_RE = /[\p{Default_Ignorable_Code_Point}\p{Cf}\p{Cc}\u2800]/gu;

/**
 * Bumped whenever displayNameKey changes: the contacts repository recomputes every stored key
 * when the store's recorded fold differs (so old keys cannot hide a collision). 1 = issue 9's
 * fold; 2 = controls, blank symbols and cross-script look-alikes (issue 11).
 */
export const NAME_KEY_FOLD = 2;

/**
 * The key two display names are compared by for `name-collision` (PROTOCOL.md section 6): what a
 * person sees, not the exact string — a skeleton in the spirit of Unicode UTS #39. Invisible and
 * blank-drawing characters are dropped, compatibility forms folded (NFKC: fullwidth letters,
 * ligatures, mathematical letters), runs of white space (NBSP, U+2000–U+200A, U+3000 included)
 * made one space and trimmed, letters of other scripts that look Latin mapped to those (Cyrillic
 * "Воb" is "Bob"; see confusables.ts), case folded, and the Latin look-alikes i/l/1, 0/o, rn/m
 * merged. Why (security reviews): compared exactly, "Alice\u200b", "Alice ", "ALICE", "Ａｌｉｃｅ",
 * "Bob\u0085", "Bob\u2800" or Cyrillic "Аlice" raised no warning next to a contact named
 * "Alice"/"Bob". An empty key is no claim to anybody's name.
 */
export function displayNameKey(name: string): string {
  const visible = name.replace(INVISIBLE_RE, '').normalize('NFKC').replace(INVISIBLE_RE, '').replace(/\s+/gu, ' ').trim();
  return foldLatinLookalikes(toLatinLookalikes(visible).toLowerCase());
}

/** Any control character, C0, DEL or C1 (\p{Cc}): allowed on the wire, refused in a name set here. */
const ANY_CONTROL = /\p{Cc}/u;

/**
 * A display name the user sets for this node (setup, Settings, the CLI's --name): the wire rule
 * (0 to 64 code points, no C0 control or DEL, well-formed) and no C1 control either. Peers' hellos
 * keep the wire rule (PROTOCOL.md section 2 allows U+0080–U+009F); only our own name is stricter,
 * since nobody needs an invisible control in a name and it only serves to look like someone else.
 */
export function isValidLocalName(x: unknown): x is string {
  return typeof x === 'string' && x.length <= 2 * MAX_NAME_CODE_POINTS && countCodePoints(x) <= MAX_NAME_CODE_POINTS && !ANY_CONTROL.test(x) && x.isWellFormed();
}

/**
 * Letters of other scripts that read as Latin ones, for the name-collision key (displayNameKey):
 * a compact table in the spirit of Unicode UTS #39's confusables (its "skeleton"), holding the
 * common Cyrillic, Greek and a few other letters that render like a Latin letter in ordinary UI
 * fonts. Why (issue 11): Cyrillic "Воb" or "Аlice" read as "Bob" and "Alice" and raised no
 * name-collision. It is not the full UTS #39 data (thousands of rows, most of them symbols and
 * rare scripts): a miss means only that a warning is not raised, and a name never proves anything —
 * the key does. Uppercase and lowercase rows are separate because Cyrillic "В" looks like "B"
 * while its lowercase "в" does not look like "b".
 */
const TO_LATIN: Readonly<Record<string, string>> = {
  // Cyrillic capitals
  'А': 'A', 'В': 'B', 'Е': 'E', 'Ѕ': 'S', 'І': 'I', 'Ј': 'J', 'К': 'K', 'М': 'M', 'Н': 'H', 'О': 'O',
  'Р': 'P', 'С': 'C', 'Т': 'T', 'У': 'Y', 'Х': 'X', 'Ү': 'Y', 'Ԛ': 'Q', 'Ԝ': 'W', 'Ӏ': 'I',
  // Cyrillic small letters
  'а': 'a', 'е': 'e', 'о': 'o', 'р': 'p', 'с': 'c', 'у': 'y', 'х': 'x', 'ѕ': 's', 'і': 'i', 'ј': 'j',
  'һ': 'h', 'ԁ': 'd', 'ԛ': 'q', 'ԝ': 'w', 'ӏ': 'l', 'ү': 'y',
  // Greek capitals
  'Α': 'A', 'Β': 'B', 'Ε': 'E', 'Ζ': 'Z', 'Η': 'H', 'Ι': 'I', 'Κ': 'K', 'Μ': 'M', 'Ν': 'N', 'Ο': 'O',
  'Ρ': 'P', 'Τ': 'T', 'Υ': 'Y', 'Χ': 'X', 'Ϲ': 'C',
  // Greek small letters
  'ο': 'o', 'α': 'a', 'ι': 'i', 'κ': 'k', 'ν': 'v', 'ρ': 'p', 'υ': 'u', 'χ': 'x', 'ϲ': 'c', 'ϳ': 'j',
  // Armenian and Latin variants (IPA, dotless)
  'օ': 'o', 'ս': 'u', 'ı': 'i', 'ȷ': 'j', 'ɑ': 'a', 'ɡ': 'g',
};

const TO_LATIN_RE = new RegExp(`[${Object.keys(TO_LATIN).join('')}]`, 'gu');

/**
 * After case folding: the Latin look-alikes among themselves. "I" (capital i), "l", "1" and "|"
 * are one stroke in many fonts ("AIice"), so i and l fold together (case folding already made "I"
 * an "i"); "0" reads as "o" and "rn" as "m". The cost is that names differing only there
 * ("Bili" and "Bill") collide: a warning the user answers by verifying, never a lost message.
 */
const LATIN_FOLDS: readonly (readonly [RegExp, string])[] = [
  [/[il1|]/g, 'l'],
  [/0/g, 'o'],
  [/rn/g, 'm'],
];

/** Maps the letters of the table to the Latin letters they look like (case kept). */
export function toLatinLookalikes(s: string): string {
  return s.replace(TO_LATIN_RE, (ch) => TO_LATIN[ch] ?? ch);
}

/** Folds Latin look-alikes of an already lower-cased string. */
export function foldLatinLookalikes(s: string): string {
  let out = s;
  for (const [re, to] of LATIN_FOLDS) out = out.replace(re, to);
  return out;
}

/**
 * Offered file names made safe for the local file system (PROTOCOL.md section 9: `name` is a
 * suggestion), and a target that never overwrites: `name (1).ext`, `name (2).ext`… reserved
 * atomically with an exclusive create, so two transfers finishing at once cannot pick one name.
 *
 * What goes: path separators and the characters Windows forbids in names (`<>:"|?*`, `:` also
 * opens NTFS alternate streams) become `_`; control characters (C0, DEL, C1), bidi controls and
 * every other invisible or format character are dropped (an override can make `evil\u202Etxt.exe`
 * display as `evilexe.txt`); leading spaces and trailing dots and spaces are trimmed (Windows
 * drops the latter, so `a.exe.` would run as `a.exe`); DOS device names (`CON`, `nul.txt`,
 * `COM1.tar.gz`…) get a `_` prefix; a name of dots alone is refused; the result is at most
 * 255 UTF-8 bytes, cut on a code point, keeping a short extension; the fallback is `file`.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

/** Longest name most file systems take (ext4, APFS, NTFS count bytes or UTF-16 units; bytes is the stricter). */
export const MAX_NAME_BYTES = 255;
/** The name used when nothing of the offered one survives. */
export const FALLBACK_NAME = 'file';
/** An extension longer than this is not kept whole when a name is cut. */
const MAX_KEPT_EXTENSION_BYTES = 32;
/** How many `name (n)` candidates to try before giving up. */
const MAX_CANDIDATES = 10_000;

// eslint-disable-next-line no-control-regex -- removing control characters is the point
const CONTROL_RE = /[\u0000-\u001f\u007f-\u009f]/gu;
// Invisible: default-ignorable code points (zero-width, bidi marks, embeddings, overrides,
// isolates, variation selectors, tags) and all format characters; plus line/paragraph separators.
const INVISIBLE_RE = /[\p{Default_Ignorable_Code_Point}\p{Cf}\u2028\u2029]/gu;
const FORBIDDEN_RE = /[/\\<>:"|?*]/g;
// DOS devices, with or without an extension; ¹²³ count as digits for COM/LPT on Windows.
const RESERVED_RE = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)$/i;

/** Makes an offered name safe to create in a directory of ours; never returns an empty name. */
export function safeFileName(offered: string): string {
  let name = String(offered).normalize('NFC').replace(CONTROL_RE, '').replace(INVISIBLE_RE, '').replace(FORBIDDEN_RE, '_');
  name = trimName(name);
  if (/^\.*$/.test(name)) return FALLBACK_NAME; // '', '.', '..', '...'
  const base = name.split('.')[0]?.trimEnd() ?? '';
  if (RESERVED_RE.test(base)) name = `_${name}`;
  name = trimName(truncateName(name, MAX_NAME_BYTES));
  return name === '' || /^\.*$/.test(name) ? FALLBACK_NAME : name;
}

/** Splits `archive.tar.gz` into `archive.tar` and `.gz`; a leading-dot name (`.bashrc`) has no extension. */
export function splitExtension(name: string): { stem: string; ext: string } {
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return { stem: name, ext: '' };
  return { stem: name.slice(0, dot), ext: name.slice(dot) };
}

/** Cuts `name` to at most `maxBytes` UTF-8 bytes on a code point, keeping a short extension whole. */
export function truncateName(name: string, maxBytes: number): string {
  if (utf8Length(name) <= maxBytes) return name;
  const { stem, ext } = splitExtension(name);
  const extBytes = utf8Length(ext);
  if (ext !== '' && extBytes <= MAX_KEPT_EXTENSION_BYTES && extBytes < maxBytes) {
    return cutToBytes(stem, maxBytes - extBytes) + ext;
  }
  return cutToBytes(name, maxBytes);
}

/** The candidate names for a target, in order: `name.ext`, `name (1).ext`, … each with `suffix` and within 255 bytes. */
export function candidateName(safeName: string, n: number, suffix = ''): string {
  const { stem, ext } = splitExtension(safeName);
  const counter = n === 0 ? '' : ` (${n})`;
  const room = MAX_NAME_BYTES - utf8Length(counter + ext + suffix);
  const kept = room >= 1 ? cutToBytes(stem, room) : '';
  return kept === '' ? cutToBytes(`${safeName}${counter}`, MAX_NAME_BYTES - utf8Length(suffix)) + suffix : `${kept}${counter}${ext}${suffix}`;
}

/** A created, empty, exclusively reserved file in `dir`. */
export type ReservedTarget = { readonly path: string; readonly name: string; readonly handle: FileHandle };

/**
 * Reserves the first free `name (n).ext` + suffix in `dir` by creating it with `wx` (fails if it
 * exists, atomically), so nothing existing is ever overwritten. The caller closes the handle.
 */
export async function reserveTarget(dir: string, safeName: string, suffix = '', mode = 0o600): Promise<ReservedTarget> {
  for (let n = 0; n < MAX_CANDIDATES; n++) {
    const name = candidateName(safeName, n, suffix);
    const path = join(dir, name);
    try {
      const handle = await open(path, 'wx', mode);
      return { path, name, handle };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  throw new Error(`no free name for ${safeName} in ${dir} after ${MAX_CANDIDATES} tries`);
}

function trimName(name: string): string {
  return name.replace(/^\s+/u, '').replace(/[\s.]+$/u, '');
}

function utf8Length(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** The longest prefix of `s` that fits in `maxBytes` UTF-8 bytes, never splitting a code point. */
function cutToBytes(s: string, maxBytes: number): string {
  let bytes = 0;
  let end = 0;
  for (const cp of s) {
    const n = utf8Length(cp);
    if (bytes + n > maxBytes) break;
    bytes += n;
    end += cp.length;
  }
  return s.slice(0, end);
}

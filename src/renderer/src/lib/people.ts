/** How people are named in sentences: always the name and a short fingerprint, so two "Alice"s differ. */
import type { ConnectionDto } from '../../../shared/dto.ts';
import { formatFingerprint, shortFingerprint } from './fingerprint.ts';

// Explicit bidi formatting characters: marks, embeddings, overrides, isolates.
const BIDI_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * A contact's name, or a placeholder when it has none. Bidi controls are dropped (security review):
 * names are built into sentences such as "Bob (key 1a2b 3c4d…)", where an unclosed override in the
 * name would reverse the short key beside it. Right-to-left letters are kept.
 */
export function displayName(name: string | null | undefined): string {
  const n = withoutBidiControls(name ?? '').trim();
  return n === '' ? 'Unnamed contact' : n;
}

/** A peer-chosen text without bidi controls, for sentences that put it beside the page's own text. */
export function withoutBidiControls(text: string): string {
  return text.replace(BIDI_CONTROLS, '');
}

/** "Alice (key 1a2b 3c4d…)": a name with its key, for warnings. */
export function nameWithKey(name: string | null | undefined, fp: string): string {
  return `${displayName(name)} (key ${shortFingerprint(fp)})`;
}

/** The tooltip that carries the keys behind a plain-worded key warning (hex keys stay out of the text, issue 12). */
export function keysTooltip(newKey: string, oldKey: string | null): string {
  return oldKey === null ? `New key ${formatFingerprint(newKey)}` : `New key ${formatFingerprint(newKey)}\nOld key ${formatFingerprint(oldKey)}`;
}

/** Up to two initials for an avatar. */
export function initials(name: string): string {
  const words = displayName(name).split(/\s+/).filter(Boolean);
  const letters = words.length > 1 ? [words[0], words.at(-1)] : [words[0]];
  return letters.map((w) => Array.from(w ?? '')[0] ?? '').join('').toUpperCase();
}

/** A stable hue (0–359) from a fingerprint, for the avatar's colour. */
export function hueOf(fp: string): number {
  return parseInt(fp.slice(0, 4), 16) % 360;
}

/** How a connected peer is reached, as the conversation header says it: same network or internet, direct or relayed. */
export function connectionWords(c: ConnectionDto): { short: string; long: string } {
  const where = c.sameNetwork ? 'same network' : 'over the internet';
  const route = c.relayed ? 'relayed' : 'direct';
  const how = c.path === 'dht' ? 'Connected through the peer-to-peer network (HyperDHT)' : 'Connected straight to their address';
  const relay = c.relayed ? '; a relay passes the traffic along but cannot read it: Parley encrypts it end to end' : '';
  return { short: `${where}, ${route}`, long: `${how}${c.sameNetwork ? ' on your network' : ' across the internet'}${relay}.` };
}

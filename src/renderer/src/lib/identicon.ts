/**
 * A deterministic picture of a fingerprint: a mirrored 12×12 grid in four tones of two hues. It helps
 * people notice that a key changed; it is a recognition aid, not a proof (it shows only part of the bits).
 */
import { isFingerprint } from './fingerprint.ts';

/** One filled cell of the picture. */
export type IdenticonCell = { readonly x: number; readonly y: number; readonly fill: string };

/** The picture: a size in cells, a background colour and the filled cells. */
export type Identicon = { readonly size: number; readonly background: string; readonly cells: readonly IdenticonCell[] };

const SIZE = 12;
const HALF = SIZE / 2;

/** Builds the picture of a fingerprint (64 lowercase hex digits); the same input always gives the same picture. */
export function identicon(fp: string): Identicon {
  if (!isFingerprint(fp)) throw new TypeError('identicon: fp must be 64 lowercase hex digits');
  const bytes = Array.from({ length: 32 }, (_, i) => parseInt(fp.slice(i * 2, i * 2 + 2), 16));
  const byte = (i: number): number => bytes[i] ?? 0;
  // Bytes 0–17 (144 bits) choose a tone for each of the 72 cells of the left half; 18–21 choose the hues.
  const hueA = ((byte(18) << 8) | byte(19)) % 360;
  const hueB = (hueA + 90 + (((byte(20) << 8) | byte(21)) % 180)) % 360;
  const tones = [null, `hsl(${hueA} 70% 42%)`, `hsl(${hueB} 65% 55%)`, `hsl(${hueA} 55% 72%)`] as const;
  const cells: IdenticonCell[] = [];
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < HALF; x++) {
      const bit = (y * HALF + x) * 2;
      const tone = (byte(bit >> 3) >> (6 - (bit & 7))) & 3;
      const fill = tones[tone];
      if (fill === null || fill === undefined) continue;
      cells.push({ x, y, fill }, { x: SIZE - 1 - x, y, fill });
    }
  }
  return { size: SIZE, background: `hsl(${hueB} 30% 94%)`, cells };
}

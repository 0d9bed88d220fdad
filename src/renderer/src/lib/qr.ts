/** QR codes as plain data for an SVG of <rect>s (never markup strings): rows of dark modules merged into runs. */
import { encode } from 'uqr';

/** One horizontal run of dark modules. */
export type QrRun = { readonly x: number; readonly y: number; readonly width: number };

/** A QR code: its side in modules (border included) and its dark runs. */
export type QrMatrix = { readonly size: number; readonly runs: readonly QrRun[] };

/** Encodes text as a QR code (error correction M, a 4-module quiet zone as the standard asks). */
export function qrMatrix(text: string): QrMatrix {
  const { data, size } = encode(text, { ecc: 'M', border: 4 });
  const runs: QrRun[] = [];
  data.forEach((row, y) => {
    let x = 0;
    while (x < row.length) {
      if (!row[x]) {
        x++;
        continue;
      }
      const start = x;
      while (x < row.length && row[x]) x++;
      runs.push({ x: start, y, width: x - start });
    }
  });
  return { size, runs };
}

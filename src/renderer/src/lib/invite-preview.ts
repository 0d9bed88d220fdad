/**
 * A lenient reading of what the user pasted in Join, only to show what will happen ("an invite from Alice,
 * expecting fingerprint …"). The core parses the target exactly (PROTOCOL.md section 5) and decides.
 */
import { isFingerprint } from './fingerprint.ts';
import { withoutBidiControls } from './people.ts';

/** What the pasted target looks like. */
export type TargetPreview =
  | { readonly kind: 'empty' }
  | { readonly kind: 'invite'; readonly address: string; readonly fingerprint: string | null; readonly name: string | null }
  | { readonly kind: 'address'; readonly address: string }
  | { readonly kind: 'unknown' };

/** Describes a pasted invite or HOST:PORT without deciding whether it is valid. */
export function previewTarget(input: string): TargetPreview {
  const s = input.trim();
  if (s === '') return { kind: 'empty' };
  if (s.toLowerCase().startsWith('parley://')) {
    const rest = s.slice('parley://'.length);
    const q = rest.indexOf('?');
    const address = q < 0 ? rest : rest.slice(0, q);
    let fingerprint: string | null = null;
    let name: string | null = null;
    for (const pair of (q < 0 ? '' : rest.slice(q + 1)).split('&')) {
      const eq = pair.indexOf('=');
      const key = eq < 0 ? pair : pair.slice(0, eq);
      const value = eq < 0 ? '' : pair.slice(eq + 1);
      if (key === 'fp' && isFingerprint(value)) fingerprint = value;
      if (key === 'name') {
        try {
          // Shown in "An invite from <name> to <address>": an override in it must not reverse the address.
          name = withoutBidiControls(decodeURIComponent(value));
        } catch {
          name = null;
        }
      }
    }
    return { kind: 'invite', address, fingerprint, name };
  }
  if (/^(\[[0-9a-fA-F:.%]+\]|[^\s:/?#[\]@]+)(:\d{1,5})?$/.test(s)) return { kind: 'address', address: s };
  return { kind: 'unknown' };
}

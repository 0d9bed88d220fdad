/**
 * The record of which protection the user chose for the identity (keychain, passphrase or key
 * file). It lives beside the data, outside the sealed part, so start-up knows whether to unseal
 * silently or ask for a passphrase. It holds no secret; it is owner-only all the same.
 */
import { lstatSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { dirname } from 'node:path';
import { SEALER_KINDS, type SealerKind } from '../core/storage/sealer.ts';
import { writeFileAtomically } from '../core/storage/owner-only.ts';

/** The record as stored: `{"version":1,"protection":"keychain"}`. */
export type ProtectionRecord = { readonly version: 1; readonly protection: SealerKind };

/** The record exists but cannot be used; the app reports it and changes nothing. */
export class ProtectionRecordError extends Error {
  override name = 'ProtectionRecordError';
}

const MAX_BYTES = 4096;

/** Reads the record; null if there is none. Throws ProtectionRecordError if it is damaged or not ours. */
export function readProtectionRecord(path: string): ProtectionRecord | null {
  let text: string;
  try {
    const stat = lstatSync(path);
    if (!stat.isFile()) throw new ProtectionRecordError(`${path} is not a regular file`);
    if (stat.size > MAX_BYTES) throw new ProtectionRecordError(`${path} is too large to be Parley's protection record`);
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    if (error instanceof ProtectionRecordError) throw error;
    throw new ProtectionRecordError(`${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`, { cause: error });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ProtectionRecordError(`${path} is not valid JSON`, { cause: error });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ProtectionRecordError(`${path} is not a JSON object`);
  const { version, protection } = parsed as Record<string, unknown>;
  if (version !== 1) throw new ProtectionRecordError(`${path} has an unknown version`);
  if (typeof protection !== 'string' || !(SEALER_KINDS as readonly string[]).includes(protection)) {
    throw new ProtectionRecordError(`${path} names an unknown protection`);
  }
  return { version: 1, protection: protection as SealerKind };
}

/** Writes the record atomically (temporary file 0600, fsync, rename), creating its folder 0700 if needed. */
export function writeProtectionRecord(path: string, protection: SealerKind): void {
  if (!(SEALER_KINDS as readonly string[]).includes(protection)) throw new RangeError('protection must be a sealer kind');
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const body = `${JSON.stringify({ version: 1, protection } satisfies ProtectionRecord)}\n`;
  writeFileAtomically(path, body, renameSync);
}

/**
 * Why Parley's data could not be opened, in plain sentences for the error screen and the renderer:
 * each says that nothing was changed or deleted, since the app never removes data it cannot read.
 */
import { ServiceError } from '../core/service/errors.ts';
import { StorageError } from '../core/storage/storage-error.ts';
import type { AppPaths } from './paths.ts';
import { ProtectionRecordError } from './protection-record.ts';

/** The sentence the error phase shows for a failure to open the data. */
export function describeFailure(error: unknown, paths: AppPaths): string {
  const unchanged = 'Nothing was changed or deleted.';
  if (error instanceof ProtectionRecordError) {
    return `Parley cannot read the record of how your identity is protected (${error.message}). Restore or remove that file; your data in ${paths.dataDir} was not touched.`;
  }
  if (error instanceof StorageError) {
    switch (error.code) {
      case 'unseal-failed':
        return `Parley cannot unlock its stored identity: ${error.message}. ${unchanged}`;
      case 'data-dir':
        return `Parley cannot use its data folder: ${error.message}. ${unchanged}`;
      case 'corrupt':
        return `Parley's stored data looks damaged: ${error.message}. ${unchanged}`;
      case 'schema-too-new':
        return `Your data was written by a newer version of Parley: ${error.message}. ${unchanged}`;
    }
  }
  if (error instanceof ServiceError) return `${error.message}. ${unchanged}`;
  return `Parley could not open its data in ${paths.dataDir} (${error instanceof Error ? error.message : String(error)}). ${unchanged}`;
}

/** A storage or file-system failure as a ServiceError with a plain sentence; anything else (a bug) as it is. */
export function toServiceError(error: unknown, paths: AppPaths): unknown {
  if (error instanceof ServiceError) return error;
  if (error instanceof StorageError && error.code === 'unseal-failed') return new ServiceError('unseal-failed', describeFailure(error, paths));
  const fsCode = (error as NodeJS.ErrnoException | null)?.code;
  if (error instanceof StorageError || error instanceof ProtectionRecordError || typeof fsCode === 'string') {
    return new ServiceError('data-dir', describeFailure(error, paths));
  }
  return error;
}

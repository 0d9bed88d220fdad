/** The error every service command throws: a code from the shared closed set and a plain sentence. */
import type { ErrorCode } from '../../shared/errors.ts';

/** A failed service command; adapters turn `code` into a CLI event or an IPC Result. */
export class ServiceError extends Error {
  override name = 'ServiceError';
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

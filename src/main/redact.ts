/**
 * What leaves main for the page: no file paths cross the IPC (DESIGN.md). The core's DTOs carry a
 * received file's saved path for the CLI and main; these copies null it, and a `file-received`
 * event loses its path. Main itself opens files by message id (file-handlers.ts).
 */
import type { MessageDto, ParleyEvent } from '../shared/dto.ts';

/** The message without a local path. */
export function redactMessage(m: MessageDto): MessageDto {
  return m.file === undefined || m.file.path === null ? m : { ...m, file: { ...m.file, path: null } };
}

/** The event as the page may see it. */
export function redactEvent(e: ParleyEvent): ParleyEvent {
  if (e.type === 'message') return { ...e, message: redactMessage(e.message) };
  if (e.type === 'file-received') return { ...e, path: '' };
  return e;
}

/**
 * The files channels (issue 10) over the service and the OS, without Electron. A path for reading
 * comes only from main's own file dialog, from a drop (the preload's webUtils path, checked here
 * to be a regular file), or is written here (a pasted image). Received files are opened, shown or
 * previewed only by message id, and only once their SHA-256 check passed; no path goes back to the
 * page (redact.ts).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, stat, writeFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { isRunnableType } from '../core/files/runnable-type.ts';
import { ServiceError } from '../core/service/errors.ts';
import type { ParleyService } from '../core/service/parley-service.ts';
import type { FilePreviewDto, MessageDto } from '../shared/dto.ts';
import { MAX_PREVIEW_BYTES, type Args } from '../shared/ipc/schemas.ts';
import type { PastedFiles } from './pasted-files.ts';
import { redactMessage } from './redact.ts';

/** The service methods the files channels call (ParleyService satisfies it). */
export type FilesServiceLike = Pick<ParleyService, 'sendFile' | 'acceptFile' | 'cancelFile' | 'savedFile'>;

/** The OS side of files: dialogs and the file manager (Electron's dialog and shell in the app). */
export type FilesPlatform = {
  /** Main's open-file dialog; null when the user closed it. */
  pickFile(): Promise<string | null>;
  /** Asks again before opening a type that can run code; says why. True: open it. */
  confirmOpenRunnable(name: string): Promise<boolean>;
  /** Opens a file with the system's default app (shell.openPath); rejects with its error. */
  openPath(path: string): Promise<void>;
  /** Shows a file selected in the file manager. */
  showInFolder(path: string): void;
};

type ImageType = FilePreviewDto['type'];

/** The image type by magic bytes (never by name): PNG, JPEG, GIF or WebP; else null. */
export function sniffImage(head: Uint8Array): ImageType | null {
  const at = (i: number, bytes: readonly number[]): boolean => bytes.every((b, k) => head[i + k] === b);
  if (at(0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (at(0, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (at(0, [0x47, 0x49, 0x46, 0x38]) && (head[4] === 0x37 || head[4] === 0x39) && head[5] === 0x61) return 'image/gif';
  if (at(0, [0x52, 0x49, 0x46, 0x46]) && at(8, [0x57, 0x45, 0x42, 0x50])) return 'image/webp';
  return null;
}

const EXTENSION: Record<ImageType, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/gif': 'gif', 'image/webp': 'webp' };

/** Checks that a dropped path names a regular file (not a folder, device, socket or pipe). */
export async function checkRegularFile(path: string): Promise<void> {
  if (!isAbsolute(path)) throw new ServiceError('bad-input', 'only files dropped from your computer can be sent');
  let info;
  try {
    info = await stat(path);
  } catch {
    throw new ServiceError('bad-input', 'that file cannot be read');
  }
  if (!info.isFile()) throw new ServiceError('bad-input', info.isDirectory() ? 'folders cannot be sent: put it in a zip file first' : 'only ordinary files can be sent');
}

/**
 * Writes a pasted image under `dir` (the app's data dir, 0700) with a name from the clock, so the
 * sender can read and resume it like any file. It stays there until its offer ends (pasted-files.ts).
 */
export async function writePastedImage(dir: string, image: Args<'files:send-pasted'>[1], now: Date): Promise<string> {
  const type = sniffImage(image.bytes);
  if (type !== image.type) throw new ServiceError('bad-input', 'the pasted data is not the image it claims to be');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const stamp = now.toISOString().slice(0, 19).replace('T', ' ').replace(/:/g, '-');
  const sub = join(dir, `${stamp.replace(' ', '_')}-${randomBytes(4).toString('hex')}`);
  await mkdir(sub, { mode: 0o700 });
  const path = join(sub, `Pasted image ${stamp}.${EXTENSION[type]}`);
  await writeFile(path, image.bytes, { flag: 'wx', mode: 0o600 });
  return path;
}

/** The bytes of a received, checked image (null: not an image by its bytes, or too large). */
export async function readPreview(path: string, limit = MAX_PREVIEW_BYTES): Promise<FilePreviewDto | null> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    if (size > limit || size < 12) return null;
    const bytes = new Uint8Array(size);
    const { bytesRead } = await handle.read(bytes, 0, size, 0);
    if (bytesRead !== size) return null;
    const type = sniffImage(bytes);
    return type === null ? null : { type, bytes };
  } finally {
    await handle.close();
  }
}

/** Builds the files channels' handlers. */
export function createFileHandlers(service: () => FilesServiceLike, platform: FilesPlatform, dirs: { readonly pasted: PastedFiles; readonly downloads: () => string }) {
  const saved = (peer: string, id: string): { name: string; path: string } => {
    const file = service().savedFile(peer, id);
    if (file === null) throw new ServiceError('bad-input', 'that file has not been received and checked');
    return file;
  };
  const sent = async (m: Promise<MessageDto>): Promise<MessageDto> => redactMessage(await m);
  return {
    'files:pick-and-send': async (peer: string): Promise<MessageDto | null> => {
      service(); // refuse before showing a dialog when the app is not ready
      const path = await platform.pickFile();
      return path === null ? null : sent(service().sendFile(peer, path));
    },
    'files:send-dropped': async (peer: string, path: string): Promise<MessageDto> => {
      await checkRegularFile(path);
      return sent(service().sendFile(peer, path));
    },
    'files:send-pasted': async (peer: string, image: Args<'files:send-pasted'>[1]): Promise<MessageDto> => {
      service();
      return dirs.pasted.paste(
        (dir) => writePastedImage(dir, image, new Date()),
        (path) => sent(service().sendFile(peer, path)),
      );
    },
    'files:accept': async (id: string): Promise<null> => {
      const s = service();
      const dir = dirs.downloads();
      try {
        await mkdir(dir, { recursive: true });
      } catch {
        throw new ServiceError('bad-input', `the download folder ${dir} cannot be created: choose another in Settings`);
      }
      await s.acceptFile(id, dir);
      return null;
    },
    'files:cancel': async (id: string): Promise<null> => {
      await service().cancelFile(id);
      return null;
    },
    'files:open': async (peer: string, id: string): Promise<boolean> => {
      const file = saved(peer, id);
      if (isRunnableType(file.name) && !(await platform.confirmOpenRunnable(file.name))) return false;
      try {
        await platform.openPath(file.path);
      } catch (error) {
        throw new ServiceError('bad-input', `the file could not be opened: ${error instanceof Error ? error.message : String(error)}`);
      }
      return true;
    },
    'files:show-in-folder': (peer: string, id: string): null => {
      platform.showInFolder(saved(peer, id).path);
      return null;
    },
    'files:preview': async (peer: string, id: string): Promise<FilePreviewDto | null> => {
      const file = saved(peer, id);
      try {
        return await readPreview(file.path);
      } catch {
        return null; // moved or deleted since: the card still says where it was received
      }
    },
  };
}

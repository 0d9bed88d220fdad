/**
 * What the transfer engine needs from a connection, and what it tells its owner. The service
 * builds one FileLink per connected peer whose hello and ours both list `files`.
 */
import type { FileMessage } from '../protocol/file-messages.ts';
import type { TransfersRepo } from '../storage/transfers-repo.ts';

/** One authenticated connection with `files` negotiated. */
export type FileLink = {
  /** Encrypts and sends a file message at once (never queued behind chunks); false if the link has ended. */
  sendJson(message: FileMessage): boolean;
  /**
   * Encrypts and sends one chunk plaintext (header || data) as one frame. The bytes must be
   * consumed (encrypted) before it returns: the engine reuses the buffer for the next chunk.
   */
  sendChunk(plaintext: Uint8Array): boolean;
  /**
   * Sends a ping and calls `onAnswer` when the peer's pong arrives, i.e. once the peer has read
   * everything sent before it; false if the link has ended. The pump bounds the chunk bytes in
   * flight with it, so a chat message never waits behind more than that (kernel buffers included).
   */
  probe(onAnswer: () => void): boolean;
  /** Bytes written to the connection that the OS has not taken yet (socket.writableLength). */
  readonly pendingWriteBytes: number;
  /** Calls `cb` once the write buffer has emptied (the socket's 'drain'); never if the link ends first. */
  onceDrained(cb: () => void): void;
  /** Stops or restarts reading from the peer (the disk is slower than the network). */
  setReadPaused(paused: boolean): void;
};

/** What a session does with a file message or chunk once the engine has seen it. */
export type FileVerdict = { verdict: 'ok' } | { verdict: 'ack'; id: string } | { verdict: 'close'; reason: string };

/** Events for the UI and the CLI (CLI.md "Additions"). */
export type FileEvent =
  | { type: 'file-offer'; peer: string; id: string; name: string; size: number; sha256: string }
  /** A transfer starts or resumes from `offset` (sender: a file-accept arrived; receiver: one was sent). */
  | { type: 'file-accepted'; peer: string; id: string; direction: 'in' | 'out'; offset: number; size: number }
  | { type: 'file-progress'; peer: string; id: string; direction: 'in' | 'out'; bytes: number; size: number }
  | { type: 'file-received'; peer: string; id: string; path: string; size: number; sha256: string }
  | { type: 'file-sent'; peer: string; id: string }
  | { type: 'file-cancelled'; peer: string; id: string; direction: 'in' | 'out'; reason: string; by: 'local' | 'peer' }
  | { type: 'file-error'; peer: string; id: string; message: string };

/** Progress events per file are at most this often (CLI.md: at most 4 a second). */
export const PROGRESS_INTERVAL_MS = 250;

/** Emits `file-progress` for one file at most every PROGRESS_INTERVAL_MS, and always for the last byte. */
export function progressThrottle(now: () => number): (bytes: number, size: number) => boolean {
  let last = -Infinity;
  return (bytes, size) => {
    const t = now();
    if (bytes < size && t - last < PROGRESS_INTERVAL_MS) return false;
    last = t;
    return true;
  };
}

/** Default size cap for incoming offers (issue 10: a setting, 4 GiB). */
export const DEFAULT_MAX_FILE_SIZE = 4 * 1024 ** 3;

export type TransferEngineOptions = {
  readonly repo: TransfersRepo;
  readonly emit: (event: FileEvent) => void;
  /** Folder for auto-accepted offers (CLI --accept-files); null: offers wait for `accept`. */
  readonly autoAcceptDir?: string | null;
  /** Whether offers from `peer` may be auto-accepted (not from a held message request); default: all. */
  readonly autoAcceptFrom?: (peer: string) => boolean;
  readonly maxFileSize?: number;
  readonly now?: () => number;
  readonly log?: (message: string) => void;
};

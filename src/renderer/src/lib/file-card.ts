/**
 * What a file card shows, as pure functions: the state in plain words, the reason an offer ended,
 * a type icon from the name, and the transfer's speed and time left from progress samples.
 */
import type { Direction, FileDto, FileState } from '../../../shared/dto.ts';
import { formatBytes, formatSpeed, formatTimeLeft } from '../../../shared/file-size.ts';

/** The final state a wire reason leads to (the core's transfer-states.ts, for events that carry only a reason). */
export function stateForReason(reason: string): FileState {
  if (reason === 'declined' || reason === 'too-large') return 'declined';
  if (reason === 'cancelled') return 'cancelled';
  return 'failed';
}

/** Why an offer ended, in plain words, from our side's point of view. */
export function describeEnd(file: Pick<FileDto, 'state' | 'reason' | 'endedBy'>, direction: Direction, peerName: string): string {
  const byUs = file.endedBy === 'local';
  switch (file.reason) {
    case 'declined':
      return byUs ? (direction === 'in' ? 'You declined it' : 'You cancelled it') : direction === 'out' ? `${peerName} declined it` : `${peerName} withdrew it`;
    case 'too-large':
      return direction === 'in' ? 'Declined by itself: larger than your size limit in Settings' : `Too large for ${peerName}’s size limit`;
    case 'no-space':
      return direction === 'in' ? 'Stopped: the disk is full. Nothing was kept under its name' : `Stopped: ${peerName}’s disk is full`;
    case 'changed':
      return direction === 'out' ? 'Stopped: the file changed on your disk after it was offered' : `Stopped: the file changed on ${peerName}’s computer`;
    case 'corrupt':
      return 'Failed: what arrived did not match the file sent (checked with SHA-256). Nothing was kept';
    case 'unsupported':
      return `${peerName}’s Parley cannot receive files`;
    case 'cancelled':
    case null:
      return byUs ? 'You cancelled it' : `${peerName} cancelled it`;
    default:
      return byUs ? `Stopped (${file.reason})` : `${peerName} stopped it (${file.reason})`;
  }
}

/** A kind of file, for its icon. */
export type FileKind = 'image' | 'video' | 'audio' | 'archive' | 'pdf' | 'document' | 'program' | 'other';

const KINDS: readonly [FileKind, readonly string[]][] = [
  ['image', ['png', 'jpg', 'jpeg', 'gif', 'webp', 'bmp', 'heic', 'avif', 'svg', 'tif', 'tiff']],
  ['video', ['mp4', 'mov', 'mkv', 'webm', 'avi', 'm4v']],
  ['audio', ['mp3', 'wav', 'flac', 'ogg', 'm4a', 'opus', 'aac']],
  ['archive', ['zip', '7z', 'rar', 'tar', 'gz', 'tgz', 'bz2', 'xz', 'zst']],
  ['pdf', ['pdf']],
  ['document', ['txt', 'md', 'doc', 'docx', 'odt', 'rtf', 'xls', 'xlsx', 'ods', 'csv', 'ppt', 'pptx', 'odp', 'pages', 'numbers', 'key']],
  ['program', ['exe', 'msi', 'bat', 'cmd', 'ps1', 'sh', 'app', 'dmg', 'pkg', 'deb', 'rpm', 'appimage', 'jar', 'js', 'vbs', 'desktop', 'apk']],
];

/** The kind by the last extension (only for the icon: main decides what is an image by its bytes). */
export function fileKind(name: string): FileKind {
  const dot = name.lastIndexOf('.');
  const ext = dot < 0 ? '' : name.slice(dot + 1).toLowerCase();
  for (const [kind, exts] of KINDS) if (exts.includes(ext)) return kind;
  return 'other';
}

/** Progress samples of one transfer: (time ms, bytes held or sent). */
export type Sample = { readonly at: number; readonly bytes: number };

/** How far back the speed looks: long enough to smooth bursts, short enough to follow changes. */
export const RATE_WINDOW_MS = 5000;

/** Adds a sample, dropping those older than the window (keeping one before it as the baseline). */
export function addSample(samples: readonly Sample[], s: Sample): Sample[] {
  const next = [...samples.filter((x) => x.bytes <= s.bytes && x.at <= s.at), s];
  while (next.length > 2 && (next[1] as Sample).at <= s.at - RATE_WINDOW_MS) next.shift();
  return next;
}

/** Bytes per second over the samples, or null with fewer than two or no time between them. */
export function speedOf(samples: readonly Sample[]): number | null {
  const first = samples[0];
  const last = samples.at(-1);
  if (first === undefined || last === undefined || last.at - first.at <= 0) return null;
  return ((last.bytes - first.bytes) * 1000) / (last.at - first.at);
}

/** Seconds left at that speed, or null when unknown (no speed yet, or stalled). */
export function timeLeft(size: number, bytes: number, speed: number | null): number | null {
  if (speed === null || speed <= 0) return null;
  return Math.max(0, size - bytes) / speed;
}

/** Whole percent, never 100 before the end. */
export function percent(bytes: number, size: number): number {
  if (size <= 0) return 0;
  return Math.min(99, Math.floor((bytes * 100) / size));
}

/** The card's status line. */
export function statusLine(file: FileDto, direction: Direction, peerName: string, samples: readonly Sample[]): string {
  switch (file.state) {
    case 'offered':
      return direction === 'in' ? `${peerName} wants to send you this file` : `Waiting for ${peerName} to accept`;
    case 'waiting':
      return direction === 'in' ? `Accepted — waiting for ${peerName} to be online` : `Accepted — waiting to send`;
    case 'transferring': {
      const speed = speedOf(samples);
      const left = formatTimeLeft(timeLeft(file.size, file.bytes, speed));
      const verb = direction === 'in' ? 'Receiving' : 'Sending';
      const parts = [`${verb} ${percent(file.bytes, file.size)} %`, `${formatBytes(file.bytes)} of ${formatBytes(file.size)}`];
      if (speed !== null) parts.push(formatSpeed(speed));
      if (left !== null) parts.push(`${left} left`);
      return parts.join(' · ');
    }
    case 'done':
      return direction === 'in' ? 'Received and checked' : `Sent — ${peerName} has it`;
    case 'declined':
    case 'cancelled':
    case 'failed':
      return describeEnd(file, direction, peerName);
  }
}

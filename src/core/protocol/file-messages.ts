/**
 * The files extension (PROTOCOL.md section 9): the `file`, `file-accept`, `file-cancel` and
 * `file-done` transport messages, and the binary chunk plaintext.
 *
 * `decodeFileMessage` takes an object already parsed by parseJsonText (so unpaired surrogates
 * and inexact integer literals are already refused or NaN) and never throws. `offset <= size`
 * cannot be checked here: the engine compares it with the stored offer.
 *
 * Chunk plaintext: 0x00 || id (16 raw bytes) || u64be(offset) || 1..65,494 data bytes.
 */
import * as v from 'valibot';
import { utf8 } from '../crypto/bytes.ts';
import { countCodePoints, hasControlChars, isIntegerInRange, isPlainObject, isWellFormedText } from './json-text.ts';
import { isMessageId, isTimestamp, MAX_PLAINTEXT_LENGTH } from './wire-values.ts';
import { describeIssue } from './schema-issue.ts';

/** Largest file size an offer can announce (2^53 − 1). */
export const MAX_FILE_SIZE = Number.MAX_SAFE_INTEGER;
/** Longest offered name, in code points. */
export const MAX_FILE_NAME_CODE_POINTS = 255;
/** Longest cancel reason, in code points. */
export const MAX_REASON_CODE_POINTS = 64;
/** Bytes before the data in a chunk plaintext: tag, id, offset. */
export const CHUNK_HEADER_LENGTH = 1 + 16 + 8;
/** Most data bytes one chunk carries (65,519 − 25). */
export const MAX_CHUNK_DATA = MAX_PLAINTEXT_LENGTH - CHUNK_HEADER_LENGTH;
/** The first plaintext byte that marks a chunk (never the first byte of a JSON object). */
export const CHUNK_TAG = 0x00;

/** The reasons this version knows; any other one a peer sends reads as `cancelled`. */
export const CANCEL_REASONS = ['declined', 'cancelled', 'too-large', 'no-space', 'changed', 'corrupt', 'unsupported'] as const;
export type CancelReason = (typeof CANCEL_REASONS)[number];

/** An offer: a message of the conversation. */
export type FileOfferMessage = { type: 'file'; id: string; ts: number; name: string; size: number; sha256: string };
/** The receiver wants the bytes from `offset` on. */
export type FileAcceptMessage = { type: 'file-accept'; id: string; offset: number };
/** Either side gives up; final. A missing reason is sent without one and read as `cancelled`. */
export type FileCancelMessage = { type: 'file-cancel'; id: string; reason?: CancelReason };
/** The receiver holds the whole file and its SHA-256 matched; final. */
export type FileDoneMessage = { type: 'file-done'; id: string };
export type FileMessage = FileOfferMessage | FileAcceptMessage | FileCancelMessage | FileDoneMessage;
export type FileMessageType = FileMessage['type'];

export type FileMessageVerdict = { verdict: 'deliver'; message: FileMessage } | { verdict: 'close'; reason: string };

/** A decoded chunk: views into the plaintext, no copies. */
export type Chunk = { id: string; offset: number; data: Uint8Array };
export type ChunkVerdict = { verdict: 'deliver'; chunk: Chunk } | { verdict: 'close'; reason: string };

const SHA256_RE = /^[0-9a-f]{64}$/;
const FILE_TYPES: ReadonlySet<string> = new Set<FileMessageType>(['file', 'file-accept', 'file-cancel', 'file-done']);

/** True for the `type` of a message of this extension. */
export function isFileMessageType(x: unknown): x is FileMessageType {
  return typeof x === 'string' && FILE_TYPES.has(x);
}

/** True for 64 lowercase hex digits. */
export function isSha256Hex(x: unknown): x is string {
  return typeof x === 'string' && x.length === 64 && SHA256_RE.test(x);
}

/** True for an offered name the wire allows: 1–255 code points, no control characters, no `/` or `\`. */
export function isWireFileName(x: unknown): x is string {
  return (
    typeof x === 'string' &&
    x.length > 0 &&
    x.length <= 2 * MAX_FILE_NAME_CODE_POINTS &&
    countCodePoints(x) <= MAX_FILE_NAME_CODE_POINTS &&
    !hasControlChars(x, false) &&
    !x.includes('/') &&
    !x.includes('\\') &&
    isWellFormedText(x)
  );
}

/** True for a file size: an integer from 0 to 2^53 − 1. */
export function isFileSize(x: unknown): x is number {
  return isIntegerInRange(x, 0, MAX_FILE_SIZE);
}

function isReasonText(x: unknown): x is string {
  return (
    typeof x === 'string' &&
    x.length > 0 &&
    x.length <= 2 * MAX_REASON_CODE_POINTS &&
    countCodePoints(x) <= MAX_REASON_CODE_POINTS &&
    !hasControlChars(x, false) &&
    isWellFormedText(x)
  );
}

/** The reason a receiver acts on: a known one as it is, anything else (or none) as `cancelled`. */
export function readReason(reason: string | undefined): CancelReason {
  return (CANCEL_REASONS as readonly string[]).includes(reason ?? '') ? (reason as CancelReason) : 'cancelled';
}

const idSchema = v.pipe(
  v.string('id is not a string'),
  v.check((s: string) => isMessageId(s), 'id is not a 36-character lowercase UUID'),
);
// v.custom for integers: a NaN from parseJsonText (an inexact literal) must read as "not an integer".
const OfferSchema = v.object({
  id: idSchema,
  ts: v.custom<number>(isTimestamp, 'ts is not an integer from 0 to 2^53 - 1'),
  name: v.custom<string>(isWireFileName, 'name is not 1 to 255 code points without control characters, / or \\'),
  size: v.custom<number>(isFileSize, 'size is not an integer from 0 to 2^53 - 1'),
  sha256: v.custom<string>(isSha256Hex, 'sha256 is not 64 lowercase hex digits'),
});
const AcceptSchema = v.object({
  id: idSchema,
  offset: v.custom<number>(isFileSize, 'offset is not an integer from 0 to 2^53 - 1'),
});
const CancelSchema = v.object({
  id: idSchema,
  reason: v.optional(v.custom<string>(isReasonText, 'reason is not 1 to 64 code points without control characters')),
});
const DoneSchema = v.object({ id: idSchema });

/**
 * Classifies an already-parsed transport object whose `type` is one of this extension's (call it
 * only on a connection where both hellos listed `files`; elsewhere these types are ignored).
 * Never throws. A reason this version does not know is delivered as `cancelled`.
 */
export function decodeFileMessage(obj: Record<string, unknown>): FileMessageVerdict {
  if (!isPlainObject(obj)) return close('the plaintext is not a JSON object');
  const type = obj['type'];
  switch (type) {
    case 'file': {
      const r = v.safeParse(OfferSchema, obj);
      if (!r.success) return close(`invalid file: ${describeIssue(r.issues)}`);
      const o = r.output;
      // `+ 0` turns a -0 into 0.
      return deliver({ type: 'file', id: o.id, ts: o.ts + 0, name: o.name, size: o.size + 0, sha256: o.sha256 });
    }
    case 'file-accept': {
      const r = v.safeParse(AcceptSchema, obj);
      if (!r.success) return close(`invalid file-accept: ${describeIssue(r.issues)}`);
      return deliver({ type: 'file-accept', id: r.output.id, offset: r.output.offset + 0 });
    }
    case 'file-cancel': {
      const r = v.safeParse(CancelSchema, obj);
      if (!r.success) return close(`invalid file-cancel: ${describeIssue(r.issues)}`);
      return deliver({ type: 'file-cancel', id: r.output.id, reason: readReason(r.output.reason) });
    }
    case 'file-done': {
      const r = v.safeParse(DoneSchema, obj);
      if (!r.success) return close(`invalid file-done: ${describeIssue(r.issues)}`);
      return deliver({ type: 'file-done', id: r.output.id });
    }
    default:
      return close(`not a file message type: ${JSON.stringify(type)}`);
  }
}

/** Encodes a file message as compact JSON; TypeError/RangeError for anything a receiver would refuse. */
export function encodeFileMessage(m: FileMessage): Uint8Array {
  if (!isPlainObject(m)) throw new TypeError('encodeFileMessage: m must be a message object');
  if (!isMessageId(m.id)) throw new RangeError('encodeFileMessage: m.id must be a 36-character lowercase UUID');
  // A fresh object with the members in a fixed order, so stray members never reach the wire.
  let wire: FileMessage;
  switch (m.type) {
    case 'file':
      if (!isTimestamp(m.ts)) throw new RangeError('encodeFileMessage: m.ts must be an integer from 0 to 2^53 - 1');
      if (!isWireFileName(m.name)) throw new RangeError('encodeFileMessage: m.name is not a valid offered name');
      if (!isFileSize(m.size)) throw new RangeError('encodeFileMessage: m.size must be an integer from 0 to 2^53 - 1');
      if (!isSha256Hex(m.sha256)) throw new RangeError('encodeFileMessage: m.sha256 must be 64 lowercase hex digits');
      wire = { type: 'file', id: m.id, ts: m.ts + 0, name: m.name, size: m.size + 0, sha256: m.sha256 };
      break;
    case 'file-accept':
      if (!isFileSize(m.offset)) throw new RangeError('encodeFileMessage: m.offset must be an integer from 0 to 2^53 - 1');
      wire = { type: 'file-accept', id: m.id, offset: m.offset + 0 };
      break;
    case 'file-cancel':
      if (m.reason !== undefined && !(CANCEL_REASONS as readonly string[]).includes(m.reason)) {
        throw new RangeError(`encodeFileMessage: unknown reason ${JSON.stringify(m.reason)}`);
      }
      wire = m.reason === undefined ? { type: 'file-cancel', id: m.id } : { type: 'file-cancel', id: m.id, reason: m.reason };
      break;
    case 'file-done':
      wire = { type: 'file-done', id: m.id };
      break;
    default:
      throw new TypeError(`encodeFileMessage: unknown m.type ${JSON.stringify((m as { type: unknown }).type)}`);
  }
  // A 255-code-point name is at most ~1,300 bytes escaped: this only guards future changes.
  const bytes = utf8(JSON.stringify(wire));
  if (bytes.length > MAX_PLAINTEXT_LENGTH) throw new RangeError('encodeFileMessage: message does not fit in one frame');
  return bytes;
}

/** The 16 raw bytes of a UUID string (PROTOCOL.md section 9 puts the id in chunks this way). */
export function idToBytes(id: string): Uint8Array {
  if (!isMessageId(id)) throw new RangeError('idToBytes: id must be a 36-character lowercase UUID');
  return Uint8Array.from(Buffer.from(id.replaceAll('-', ''), 'hex'));
}

/** The UUID string of 16 raw bytes. */
export function bytesToId(bytes: Uint8Array): string {
  const hex = Buffer.from(bytes.buffer, bytes.byteOffset, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Writes a chunk header into the first 25 bytes of `into` (a buffer whose bytes from 25 on hold
 * the data, so the whole plaintext is one view with no copy); returns `into`.
 */
export function writeChunkHeader(into: Uint8Array, id: string, offset: number): Uint8Array {
  if (into.length < CHUNK_HEADER_LENGTH) throw new RangeError('writeChunkHeader: buffer shorter than a header');
  if (!isFileSize(offset)) throw new RangeError('writeChunkHeader: offset must be an integer from 0 to 2^53 - 1');
  into[0] = CHUNK_TAG;
  into.set(idToBytes(id), 1);
  new DataView(into.buffer, into.byteOffset, CHUNK_HEADER_LENGTH).setBigUint64(17, BigInt(offset), false);
  return into;
}

/** A fresh 25-byte chunk header. */
export function encodeChunkHeader(id: string, offset: number): Uint8Array {
  return writeChunkHeader(new Uint8Array(CHUNK_HEADER_LENGTH), id, offset);
}

/** True if a transport plaintext is a chunk (its first byte is 0x00) rather than JSON. */
export function isChunkPlaintext(plaintext: Uint8Array): boolean {
  return plaintext.length > 0 && plaintext[0] === CHUNK_TAG;
}

/**
 * Decodes a chunk plaintext into views of it (no copies: the caller must use `data` before the
 * buffer is reused or wiped). Never throws. Only the form is checked here; whether the id is
 * accepted and the offset expected is the engine's business.
 */
export function decodeChunk(plaintext: Uint8Array): ChunkVerdict {
  if (!isChunkPlaintext(plaintext)) return close('not a chunk');
  if (plaintext.length <= CHUNK_HEADER_LENGTH) return close('a chunk without data');
  if (plaintext.length > MAX_PLAINTEXT_LENGTH) return close('a chunk longer than a plaintext');
  const offset = new DataView(plaintext.buffer, plaintext.byteOffset, CHUNK_HEADER_LENGTH).getBigUint64(17, false);
  if (offset > BigInt(MAX_FILE_SIZE)) return close('a chunk offset beyond 2^53 - 1');
  return {
    verdict: 'deliver',
    chunk: { id: bytesToId(plaintext.subarray(1, 17)), offset: Number(offset), data: plaintext.subarray(CHUNK_HEADER_LENGTH) },
  };
}

function deliver(message: FileMessage): FileMessageVerdict {
  return { verdict: 'deliver', message };
}

function close(reason: string): { verdict: 'close'; reason: string } {
  return { verdict: 'close', reason };
}

/**
 * Transport messages (PROTOCOL.md section 4): the plaintexts exchanged after Split().
 * `decodeTransport` classifies untrusted bytes into deliver / ignore / close and never throws;
 * `encodeTransport` refuses to write anything a receiver would not deliver.
 */
import * as v from 'valibot';
import { utf8 } from '../crypto/bytes.ts';
import { MAX_TEXT_CODE_POINTS } from '../../shared/text.ts';
import { isDhtKeyHex } from './hello.ts';
import { codePointCount } from './long-text.ts';
import { encodeMsgJson, withMsgJson } from './msg-json.ts';
import { describeIssue } from './schema-issue.ts';
import { decodeFileMessage, isFileMessageType, type FileMessage } from './file-messages.ts';
import { hasControlChars, isPlainObject, isWellFormedText, parseJsonText } from './json-text.ts';
import { MAX_PLAINTEXT_LENGTH, MAX_TS, isMessageId, isTimestamp } from './wire-values.ts';

/** Longest msg text, in code points (the one constant every edge uses, from src/shared). */
export { MAX_TEXT_CODE_POINTS };
export { MAX_TS, MAX_PLAINTEXT_LENGTH, isMessageId, isTimestamp };

/** A chat message; `reply`/`react`: the id of the message it answers or reacts to (docs/PROTOCOL.md section 10.2). */
export type MsgMessage = { type: 'msg'; id: string; ts: number; text: string; reply?: string; react?: string };
/** The receiver has stored message `id`. */
export type AckMessage = { type: 'ack'; id: string };
/** Keepalive; answered with pong. */
export type PingMessage = { type: 'ping' };
/** The answer to ping. */
export type PongMessage = { type: 'pong' };
/** The sender's HyperDHT key changed (null: it no longer listens on the DHT); section 8. */
export type ReachMessage = { type: 'reach'; dht: string | null };
/** Every transport message this version knows. */
export type TransportMessage = MsgMessage | AckMessage | PingMessage | PongMessage | ReachMessage;

/** What the connection negotiated (section 7), which changes how plaintexts are read. */
export type TransportOptions = { readonly files: boolean };

/** First byte of a file chunk's plaintext (section 9); never the first byte of a JSON text. */
export const CHUNK_TAG = 0x00;

/** What a receiver does with a plaintext. */
export type TransportVerdict =
  | { verdict: 'deliver'; message: TransportMessage }
  /** A file message, only where both hellos listed `files` (section 9). */
  | { verdict: 'file'; message: FileMessage }
  | { verdict: 'chunk'; plaintext: Uint8Array }
  | { verdict: 'ignore' }
  | { verdict: 'close'; reason: string };

/** Why a text cannot be sent ('ok' when it can). */
export type OutgoingTextCheck = 'ok' | 'empty' | 'too-long' | 'control-char' | 'invalid-unicode';

/** Checks a text for sending (the CLI and app input edges); 'ok' exactly when a receiver would accept it. */
export function validateOutgoingText(text: string): OutgoingTextCheck {
  return checkText(text, false);
}

// eslint-disable-next-line no-control-regex -- C0 controls and DEL, with the two characters JSON escapes
const SPECIAL = /["\\\u0000-\u001f\u007f]/;

/**
 * validateOutgoingText. `plain`: the caller knows the text holds no control character (it found
 * none of SPECIAL in it, or see controlFree). `parsed`: the text came out of parseJsonText, which
 * only yields well-formed strings (fatal UTF-8, unpaired surrogate escapes refused), so that scan
 * is skipped on receipt.
 */
function checkText(text: string, plain: boolean, parsed = false): OutgoingTextCheck {
  if (typeof text !== 'string') throw new TypeError('validateOutgoingText: text must be a string');
  if (text.length === 0) return 'empty';
  // Code points lie between half the UTF-16 length and the length: count only in between.
  if (text.length > 2 * MAX_TEXT_CODE_POINTS) return 'too-long';
  // Checked once, up front: the fast count needs it (results keep the order below).
  const wellFormed = parsed || isWellFormedText(text);
  if (text.length > MAX_TEXT_CODE_POINTS && codePointCount(text, wellFormed) > MAX_TEXT_CODE_POINTS) return 'too-long';
  if (!plain && hasControlChars(text, true)) return 'control-char';
  // JSON.stringify would escape an unpaired surrogate and the receiver would close.
  if (!wellFormed) return 'invalid-unicode';
  return 'ok';
}

// A received plaintext at least this long is first searched for a backslash and a DEL byte (two
// native byte searches, ~1 µs each on 64 KB), which can spare the text's control-character scan.
const LONG_PLAINTEXT = 4096;

/**
 * True when no string in a plaintext that JSON.parse accepted can hold a control character: it has
 * no backslash (JSON forbids raw C0 controls in strings, so they only come escaped) and no 0x7F
 * byte (DEL is never part of a multi-byte UTF-8 sequence). Why (issue 11 item 16): the regex scan
 * took ~35 µs of a 16,000-emoji message's ~120 on the receiver, for the rare text that holds one.
 */
function controlFree(bytes: Uint8Array): boolean {
  if (bytes.length < LONG_PLAINTEXT) return false;
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  return b.indexOf(0x5c) < 0 && b.indexOf(0x7f) < 0;
}

const idSchema = v.pipe(
  v.string('id is not a string'),
  v.check((s: string) => isMessageId(s), 'id is not a 36-character lowercase UUID'),
);
/** The msg schema; `controlFree`: the plaintext cannot hold a control character (see controlFree). */
const msgSchema = (controlFree: boolean) =>
  v.object({
    type: v.literal('msg'),
    id: idSchema,
    // v.custom, not v.number: a NaN from parseJsonText (an inexact literal) must read as "not an integer".
    ts: v.custom<number>(isTimestamp, 'ts is not an integer from 0 to 2^53 - 1'),
    text: v.pipe(
      v.string('text is not a string'),
      v.check((t) => checkText(t, controlFree, true) === 'ok', 'text is empty, over 16000 code points or holds a control character'),
    ),
    // Optional extension members: absent for a plain message; present, they must be ids (null closes).
    reply: v.optional(idSchema),
    react: v.optional(idSchema),
  });
const MsgSchema = msgSchema(false);
const ControlFreeMsgSchema = msgSchema(true);
const AckSchema = v.object({ type: v.literal('ack'), id: idSchema });
// `dht` is required: null is how a peer says it stopped listening on the DHT.
const ReachSchema = v.object({ type: v.literal('reach'), dht: v.union([v.null(), v.custom<string>(isDhtKeyHex, 'dht is not 64 lowercase hex digits')], 'dht is not 64 lowercase hex digits or null') });

const NO_EXTENSIONS: TransportOptions = { files: false };

/**
 * A msg that passes every check of MsgSchema, read without valibot; null for any other (the
 * schema then finds the reason). Why (issue 11 item 16): valibot's generic walk was a third of
 * decoding a short message, on the path of every round trip. The members and checks are the
 * schema's (a test holds the two to the same verdicts).
 */
function validMsg(obj: Record<string, unknown>, controlFree: boolean): MsgMessage | null {
  const { id, ts, text, reply, react } = obj;
  if (!isMessageId(id) || !isTimestamp(ts) || typeof text !== 'string' || checkText(text, controlFree, true) !== 'ok') return null;
  if ((reply !== undefined && !isMessageId(reply)) || (react !== undefined && !isMessageId(react))) return null;
  // `+ 0` turns a ts written -0 into 0.
  return { type: 'msg', id, ts: ts + 0, text, ...(reply !== undefined ? { reply } : {}), ...(react !== undefined ? { react } : {}) };
}

/** Classifies a transport plaintext (sections 4, 8, 9). Never throws. */
export function decodeTransport(bytes: Uint8Array, options: TransportOptions = NO_EXTENSIONS): TransportVerdict {
  // A chunk only where `files` was negotiated; elsewhere a 0x00 byte is invalid JSON and closes.
  if (options.files && bytes.length > 0 && bytes[0] === CHUNK_TAG) return { verdict: 'chunk', plaintext: bytes };
  const json = parseJsonText(bytes);
  if (!json.ok) return close(json.reason);
  const obj = json.value;
  if (!isPlainObject(obj)) return close('the plaintext is not a JSON object');
  const type = obj['type'];
  if (typeof type !== 'string') return close('the object has no string member "type"');
  switch (type) {
    case 'msg': {
      const free = controlFree(bytes);
      const quick = validMsg(obj, free);
      if (quick) return deliver(quick);
      const r = v.safeParse(free ? ControlFreeMsgSchema : MsgSchema, obj);
      if (!r.success) return close(`invalid msg: ${describeIssue(r.issues)}`);
      // `+ 0` turns a ts written -0 into 0.
      const { id, ts, text, reply, react } = r.output;
      return deliver({ type: 'msg', id, ts: ts + 0, text, ...(reply !== undefined ? { reply } : {}), ...(react !== undefined ? { react } : {}) });
    }
    case 'ack': {
      if (isMessageId(obj['id'])) return deliver({ type: 'ack', id: obj['id'] });
      const r = v.safeParse(AckSchema, obj);
      if (!r.success) return close(`invalid ack: ${describeIssue(r.issues)}`);
      return deliver({ type: 'ack', id: r.output.id });
    }
    case 'ping':
    case 'pong':
      return deliver({ type }); // members are ignored
    case 'reach': {
      const r = v.safeParse(ReachSchema, obj);
      if (!r.success) return close(`invalid reach: ${describeIssue(r.issues)}`);
      return deliver({ type: 'reach', dht: r.output.dht });
    }
    default:
      // file* types are this version's only where both hellos listed `files`; elsewhere they are
      // unknown types, ignored like a later version's (section 9).
      if (options.files && isFileMessageType(type)) {
        const f = decodeFileMessage(obj);
        return f.verdict === 'deliver' ? { verdict: 'file', message: f.message } : close(f.reason);
      }
      return { verdict: 'ignore' }; // a type from a later version
  }
}

/** Encodes a transport message as compact JSON; TypeError/RangeError for anything a receiver would refuse. */
export function encodeTransport(m: TransportMessage): Uint8Array {
  const { wire, plain } = toWire(m);
  return bounded(wire.type === 'msg' ? encodeMsgJson(wire, plain) : utf8(JSON.stringify(wire)));
}

/**
 * Calls `use` with the bytes encodeTransport would return, which may be a view of a reused buffer:
 * valid only during the call (it is zeroed afterwards), so `use` must not keep it. For the send
 * path, which seals them at once: it saves a 64 KB allocation and copy per long message.
 */
export function withEncodedTransport<T>(m: TransportMessage, use: (bytes: Uint8Array) => T): T {
  const { wire, plain } = toWire(m);
  if (wire.type === 'msg') return withMsgJson(wire, (bytes) => use(bounded(bytes)), plain);
  return use(bounded(utf8(JSON.stringify(wire))));
}

/**
 * The checked message as a fresh object with the members in a fixed order, so stray members never
 * reach the wire; `plain`: a msg whose text needs no JSON escape.
 */
function toWire(m: TransportMessage): { wire: TransportMessage; plain: boolean } {
  if (!isPlainObject(m)) throw new TypeError('encodeTransport: m must be a message object');
  switch (m.type) {
    case 'msg': {
      assertId(m.id);
      if (typeof m.ts !== 'number') throw new TypeError('encodeTransport: m.ts must be a number');
      if (!isTimestamp(m.ts)) throw new RangeError('encodeTransport: m.ts must be an integer from 0 to 2^53 - 1');
      if (typeof m.text !== 'string') throw new TypeError('encodeTransport: m.text must be a string');
      // One scan answers both "no control character" and "nothing to escape" for most texts.
      const plain = !SPECIAL.test(m.text);
      const check = checkText(m.text, plain);
      if (check !== 'ok') throw new RangeError(`encodeTransport: m.text is invalid (${check})`);
      if (m.reply !== undefined) assertId(m.reply);
      if (m.react !== undefined) assertId(m.react);
      const refs = { ...(m.reply !== undefined ? { reply: m.reply } : {}), ...(m.react !== undefined ? { react: m.react } : {}) };
      return { wire: { type: 'msg', id: m.id, ts: m.ts + 0, text: m.text, ...refs }, plain };
    }
    case 'ack':
      assertId(m.id);
      return { wire: { type: 'ack', id: m.id }, plain: false };
    case 'ping':
    case 'pong':
      return { wire: { type: m.type }, plain: false };
    case 'reach':
      if (m.dht !== null && !isDhtKeyHex(m.dht)) throw new RangeError('encodeTransport: m.dht must be 64 lowercase hex digits or null');
      return { wire: { type: 'reach', dht: m.dht }, plain: false };
    default:
      throw new TypeError(`encodeTransport: unknown m.type ${JSON.stringify((m as { type: unknown }).type)}`);
  }
}

// Within the bounds above a msg is at most ~64,100 bytes, so this only guards future changes.
function bounded(bytes: Uint8Array): Uint8Array {
  if (bytes.length > MAX_PLAINTEXT_LENGTH) throw new RangeError('encodeTransport: message does not fit in one frame');
  return bytes;
}

function assertId(id: unknown): void {
  if (typeof id !== 'string') throw new TypeError('encodeTransport: m.id must be a string');
  if (!isMessageId(id)) throw new RangeError('encodeTransport: m.id must be a 36-character lowercase UUID');
}

function deliver(message: TransportMessage): TransportVerdict {
  return { verdict: 'deliver', message };
}

function close(reason: string): TransportVerdict {
  return { verdict: 'close', reason };
}

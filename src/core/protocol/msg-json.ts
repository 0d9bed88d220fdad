/**
 * The UTF-8 JSON of a `msg` whose members were already checked (encodeTransport does), built
 * without JSON.stringify for the common text that needs no escape.
 *
 * Why (issue 11 item 16): for a 64,000-byte text, JSON.stringify plus TextEncoder.encode cost
 * ~220 µs per message on the development machine, most of the sender's time in P2. A text with
 * no `"`, `\` or C0 control needs no escape (JSON.stringify escapes exactly those, and lone
 * surrogates, which a checked text does not hold), so its JSON string is `"` + text + `"`: the
 * text is encoded once into a reused buffer (long non-ASCII texts through long-text.ts), and
 * sealed from there (withMsgJson) or copied out at its exact length. The bytes are the very bytes
 * of `utf8(JSON.stringify(wire))` (a test compares them).
 */
import { LONG_TEXT, writeUtf8 } from './long-text.ts';
import type { MsgMessage } from './messages.ts';

// Any character JSON.stringify would escape in a checked (well-formed) text.
// eslint-disable-next-line no-control-regex -- C0 controls are what JSON escapes
const NEEDS_ESCAPE = /["\\\u0000-\u001f]/;

const encoder = new TextEncoder();
// At most 3 UTF-8 bytes per UTF-16 unit, for the longest text a check lets through (32,000 units),
// plus the members around it. Reused: only one message is encoded at a time (synchronous).
let scratch = new Uint8Array(0);
let busy = false;

/**
 * `utf8(JSON.stringify(wire))` for a msg whose id, ts, text and refs were checked; members in wire
 * order. `escapeFree`: whether the caller already knows if the text needs an escape (a checked
 * text holding `"`, `\`, TAB or LF does); omitted, it is found out here.
 */
export function encodeMsgJson(wire: MsgMessage, escapeFree?: boolean): Uint8Array {
  return withMsgJson(wire, (bytes) => (bytes.buffer === scratch.buffer ? bytes.slice() : bytes), escapeFree);
}

/**
 * Calls `use` with the bytes of encodeMsgJson(wire, escapeFree), possibly a view of the reused
 * buffer: valid only during the call, zeroed after it. A nested call (from inside `use`) gets fresh bytes.
 */
export function withMsgJson<T>(wire: MsgMessage, use: (bytes: Uint8Array) => T, escapeFree = !NEEDS_ESCAPE.test(wire.text)): T {
  if (busy || !escapeFree) return use(encoder.encode(JSON.stringify(wire)));
  // ids are lowercase UUIDs and ts a safe integer: none of them needs an escape either.
  const head = `{"type":"msg","id":"${wire.id}","ts":${String(wire.ts)},"text":"`;
  const tail = `"${wire.reply !== undefined ? `,"reply":"${wire.reply}"` : ''}${wire.react !== undefined ? `,"react":"${wire.react}"` : ''}}`;
  const room = head.length + 3 * wire.text.length + tail.length;
  if (scratch.length < room) scratch = new Uint8Array(Math.max(room, 1024));
  let at: number;
  if (wire.text.length < LONG_TEXT) {
    // A text writeUtf8 would encode the portable way anyway: one call into the encoder with the
    // members around it instead of three (every chat round trip).
    at = encoder.encodeInto(head + wire.text + tail, scratch).written;
  } else {
    at = encoder.encodeInto(head, scratch).written;
    at += writeUtf8(wire.text, scratch, at);
    at += encoder.encodeInto(tail, scratch.subarray(at)).written;
  }
  busy = true;
  try {
    return use(scratch.subarray(0, at));
  } finally {
    busy = false;
    // The text is the user's: leave no copy of it behind in the shared buffer.
    scratch.fill(0, 0, at);
  }
}

/**
 * Message rows to and from StoredMessage, sealing the text with the storage key.
 *
 * The text's associated data binds it to its row: a ciphertext copied onto another row (another
 * peer, direction, id or send time) fails to open instead of showing the wrong text.
 *   AD = "parley/message/1" || peer (32 bytes) || 'i' | 'o' || id (36 ASCII bytes) || u64be(sent_ts)
 * Every field has a fixed length, so the concatenation is unambiguous.
 */
import type { AesKey } from '../crypto/aes-gcm.ts';
import { concatBytes, fromHex, utf8 } from '../crypto/bytes.ts';
import type { DeliveryState, Direction } from '../../shared/dto.ts';
import { openBox, sealBox } from './aead-box.ts';
import { StorageError } from './storage-error.ts';

/** A message as the store gives it back. `seq` is the local order and the paging cursor. */
export type StoredMessage = {
  readonly seq: number;
  readonly peer: string;
  readonly id: string;
  readonly direction: Direction;
  /** The sender's clock (Unix ms): ours for outgoing messages, the peer's for incoming ones. */
  readonly ts: number;
  /** When this node stored it (Unix ms): created (outgoing) or received (incoming). */
  readonly storedAt: number;
  /** When the peer's ack arrived (outgoing), or null; incoming messages carry their storedAt. */
  readonly deliveredAt: number | null;
  readonly state: DeliveryState;
  /** 'text' for a chat message; 'file' for a file offer, whose `text` is the offered name (details in transfers). */
  readonly kind: MessageKind;
  readonly text: string;
  /** The id of the message this one replies to, or null (PROTOCOL.md, replies and reactions). */
  readonly replyTo: string | null;
  /** The id of the message this one reacts to (its text is the reaction), or null. */
  readonly reactTo: string | null;
};

/** What a message row holds. */
export type MessageKind = 'text' | 'file';

/** The columns every message query selects, in the shape `rowToMessage` reads. */
export const MESSAGE_COLUMNS = 'seq, peer, id, direction, sent_ts, stored_at, delivered_at, state, kind, text_box, reply_to, react_to';

const DOMAIN = utf8('parley/message/1');
const DECODER = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The associated data of one message row. */
export function messageAd(peer: string, direction: Direction, id: string, ts: number): Uint8Array {
  const time = new Uint8Array(8);
  new DataView(time.buffer).setBigUint64(0, BigInt(ts), false);
  return concatBytes(DOMAIN, fromHex(peer), utf8(direction === 'in' ? 'i' : 'o'), utf8(id), time);
}

/** Seals a message text for the row (peer, direction, id, ts). */
export function sealText(key: AesKey, peer: string, direction: Direction, id: string, ts: number, text: string): Uint8Array {
  return sealBox(key, messageAd(peer, direction, id, ts), utf8(text));
}

/** A row as node:sqlite returns it. */
type Row = Record<string, unknown>;

/**
 * Decodes and unseals one row; a text that does not open is `corrupt`, never shown half-right.
 * `sealedText`: the text the caller has just sealed into this very row (an insert's RETURNING),
 * which is then not opened again (an AES-GCM open per message saved on both sides of a send).
 */
export function rowToMessage(key: AesKey, row: Row, sealedText?: string): StoredMessage {
  const seq = Number(row['seq']);
  const peer = String(row['peer']);
  const id = String(row['id']);
  const direction = row['direction'] === 'in' ? 'in' : 'out';
  const ts = Number(row['sent_ts']);
  let text = sealedText;
  if (text === undefined) {
    const box = row['text_box'];
    const plain = box instanceof Uint8Array ? openBox(key, messageAd(peer, direction, id, ts), box) : null;
    if (plain === null) throw new StorageError('corrupt', `message ${seq} does not decrypt: it was altered or moved`);
    text = DECODER.decode(plain);
  }
  return {
    seq,
    peer,
    id,
    direction,
    ts,
    storedAt: Number(row['stored_at']),
    deliveredAt: row['delivered_at'] === null ? null : Number(row['delivered_at']),
    state: row['state'] as DeliveryState,
    kind: row['kind'] === 'file' ? 'file' : 'text',
    text,
    replyTo: typeof row['reply_to'] === 'string' ? row['reply_to'] : null,
    reactTo: typeof row['react_to'] === 'string' ? row['react_to'] : null,
  };
}

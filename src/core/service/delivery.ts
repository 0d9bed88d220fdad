/**
 * Messages in and out (PROTOCOL.md section 4): the outbox is stored before anything is sent (and
 * durably before send() returns, see send) and resent until acked; a received message is committed durably before its ack; duplicates are
 * acked again, not stored twice. The outbox goes to the socket only while the peer reads (write
 * back-pressure), and is read from storage one page at a time from where the sender got to, so a
 * slow peer with a long outbox costs O(outbox) in all, not O(outbox) per drain (issue 11 item 6).
 * File offers (rows of kind 'file') ride in the same outbox, in order, as `file` messages where
 * the session negotiated `files`, and are skipped on a session without it (PROTOCOL.md section 9).
 */
import { isMessageId, validateOutgoingText, type MsgMessage } from '../protocol/messages.ts';
import type { StoredMessage } from '../storage/message-codec.ts';
import type { MessageDto, SendOptions } from '../../shared/dto.ts';
import type { ContactView } from './contact-view.ts';
import { toMessageDto } from './dto.ts';
import { ServiceError } from './errors.ts';
import type { EventHub } from './events.ts';
import type { PeerLink } from './peer-link.ts';
import type { ServiceStore } from './service-store.ts';

/**
 * Unacked messages read from storage at a time. What a drain could not send waits in memory on the
 * link (at most a page: ~2 MB of the largest messages), so no row is read or decrypted twice.
 */
export const OUTBOX_PAGE = 32;

/** See the module comment. */
export class Delivery {
  readonly #store: ServiceStore;
  readonly #hub: EventHub;
  readonly #contacts: ContactView;
  readonly #link: (peer: string) => PeerLink | undefined;
  readonly #blockOnKeyChange: boolean;
  readonly #offer: (link: PeerLink, id: string) => Uint8Array | null;

  constructor(options: {
    store: ServiceStore;
    hub: EventHub;
    contacts: ContactView;
    link: (peer: string) => PeerLink | undefined;
    blockOnKeyChange: boolean;
    /** The encoded `file` message of an unacked offer, or null where it must not go out. */
    offer: (link: PeerLink, id: string) => Uint8Array | null;
  }) {
    this.#offer = options.offer;
    this.#store = options.store;
    this.#hub = options.hub;
    this.#contacts = options.contacts;
    this.#link = options.link;
    this.#blockOnKeyChange = options.blockOnKeyChange;
  }

  /**
   * Stores a message for a known peer and sends it now if connected; it is resent until acked.
   * `replyTo`/`reactTo` name a message of this thread (either key, either direction).
   */
  send(peer: string, text: string, options: SendOptions = {}): MessageDto {
    const check = validateOutgoingText(text);
    if (check === 'too-long') throw new ServiceError('message-too-long', 'a message is at most 16,000 characters');
    if (check !== 'ok') throw new ServiceError('bad-input', check === 'empty' ? 'the message is empty' : 'the message holds a character that cannot be sent');
    this.#contacts.require(peer);
    const status = this.#store.contacts.get(peer)?.status;
    if (status === 'blocked') throw new ServiceError('contact-blocked', 'you blocked this contact: unblock it to write to it');
    if (status === 'request') throw new ServiceError('request-pending', 'this is a message request: accept it before replying');
    if (this.#blockOnKeyChange && this.#store.trust.get(peer)?.blocking) {
      throw new ServiceError('send-blocked', "this contact's key changed or its name belongs to another contact: verify it or accept the new key first");
    }
    const refs = this.#refs(peer, options);
    const link = this.#link(peer);
    // Behind a waiting outbox (or a full write buffer) it queues, so the peer gets messages in order.
    const now = link && !link.outbox.waiting && link.session.open && !link.session.backpressured ? link : undefined;
    if (!now) {
      const stored = this.#store.messages.insertOutgoing(peer, text, refs);
      if (link && !link.outbox.waiting) this.flush(link);
      this.#contacts.changed(peer);
      return toMessageDto(stored);
    }
    // Sent at once: the row goes to the WAL (it survives a crash or kill), then to the peer, and the
    // commit that marks it sent is the fsync that makes both durable, before send() returns. The
    // fsync thus overlaps the message's trip to the peer instead of preceding it (issue 11 item
    // 17). Its ack cannot have arrived yet (that takes I/O, and this is all synchronous).
    const stored = this.#store.messages.insertOutgoing(peer, text, refs, { durable: false });
    let sent = false;
    try {
      sent = this.#transmit(now, stored, { durable: true });
    } finally {
      if (!sent) this.#store.messages.durableBarrier();
    }
    this.#contacts.changed(peer);
    return toMessageDto({ ...stored, state: sent ? 'sent' : stored.state });
  }

  /**
   * A `msg` arrived: commit it, then ack (a storage failure throws: no ack, the sender resends).
   * A request's message is stored and acked the same way but held: `request-message`, not `message`.
   */
  onMsg(link: PeerLink, m: MsgMessage): void {
    const r = this.#store.messages.insertIncoming(link.peer, { id: m.id, ts: m.ts, text: m.text, replyTo: m.reply ?? null, reactTo: m.react ?? null });
    link.session.send({ type: 'ack', id: m.id });
    if (r.inserted) {
      const held = this.#store.contacts.get(link.peer)?.status === 'request';
      this.#hub.emit({ type: held ? 'request-message' : 'message', message: toMessageDto(r.message) });
      this.#contacts.changed(link.peer);
    }
  }

  /** An `ack` arrived; false if it named no unacked message of ours. */
  onAck(peer: string, id: string): boolean {
    if (!this.#store.messages.markDelivered(peer, id)) return false;
    this.#hub.emit({ type: 'message-state', peer, id, state: 'delivered' });
    return true;
  }

  /** Sends the unacked messages after the link's position, in order, while the peer reads. */
  flush(link: PeerLink): void {
    const { outbox } = link;
    outbox.waiting = false;
    for (;;) {
      if (outbox.pending.length === 0) {
        const page = this.#store.messages.listUnacked(link.peer, { after: outbox.through, limit: OUTBOX_PAGE });
        if (page.length === 0) return;
        outbox.pending = page;
      }
      while (outbox.pending.length > 0) {
        if (link.session.backpressured) {
          outbox.waiting = true;
          link.session.onceDrained(() => this.flush(link));
          return;
        }
        if (!this.#transmit(link, outbox.pending[0] as StoredMessage)) return;
        outbox.pending.shift();
      }
    }
  }

  // The ids an outgoing message refers to: well-formed, at most one of the two, and a message of this
  // thread (a reply to nothing would show as a broken quote on both sides).
  #refs(peer: string, options: SendOptions): { replyTo: string | null; reactTo: string | null } {
    const replyTo = options.replyTo ?? null;
    const reactTo = options.reactTo ?? null;
    if (replyTo !== null && reactTo !== null) throw new ServiceError('bad-input', 'a message replies to or reacts to one message, not both');
    const target = replyTo ?? reactTo;
    if (target === null) return { replyTo, reactTo };
    if (!isMessageId(target) || !this.#store.people.threadKeys(peer).some((key) => this.#store.messages.byId(key, target) !== null)) {
      throw new ServiceError('bad-input', 'there is no such message in this conversation');
    }
    return { replyTo, reactTo };
  }

  #transmit(link: PeerLink, m: StoredMessage, commit = { durable: false }): boolean {
    if (m.kind === 'file') {
      const offer = this.#offer(link, m.id);
      if (offer === null) {
        link.outbox.through = Math.max(link.outbox.through, m.seq); // not on this link: skipped, kept unacked
        return true;
      }
      if (!link.session.sendPlaintext(offer)) return false;
    } else {
      const refs = { ...(m.replyTo !== null ? { reply: m.replyTo } : {}), ...(m.reactTo !== null ? { react: m.reactTo } : {}) };
      if (!link.session.send({ type: 'msg', id: m.id, ts: m.ts, text: m.text, ...refs })) return false;
    }
    link.outbox.through = Math.max(link.outbox.through, m.seq);
    if (m.state === 'queued' && this.#store.messages.markSent(link.peer, m.id, commit)) {
      this.#hub.emit({ type: 'message-state', peer: link.peer, id: m.id, state: 'sent' });
    }
    return true;
  }
}

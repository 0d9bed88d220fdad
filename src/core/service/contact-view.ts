/**
 * Contacts as adapters see them: the stored summary plus what only the running service knows
 * (online, the open trust warning, the safety number), and the contact-changed event.
 */
import { isFingerprintHex } from '../crypto/fingerprint.ts';
import { safetyNumberFromHex } from '../crypto/safety-number.ts';
import type { ContactSummary } from '../storage/contacts-repo.ts';
import type { ConnectionDto, ContactDto, RejoiningDto } from '../../shared/dto.ts';
import { reactionPreview } from '../../shared/reaction-preview.ts';
import type { ServiceStore } from './service-store.ts';
import { toContactDto } from './dto.ts';
import { ServiceError } from './errors.ts';
import type { EventHub } from './events.ts';

/** What only the running service knows of a contact: how it is connected, and whether it is being rejoined. */
export type ContactLive = {
  readonly connection: (peer: string) => ConnectionDto | null;
  readonly rejoining: (peer: string) => RejoiningDto | null;
};

/** Safety numbers kept at most (a bound, not a tuning: a few hundred bytes each). */
const SAFETY_NUMBER_CACHE = 4096;

/** See the module comment. */
export class ContactView {
  readonly #store: ServiceStore;
  readonly #live: ContactLive;
  readonly #hub: EventHub;
  readonly #safetyNumbers = new Map<string, string>();

  constructor(store: ServiceStore, live: ContactLive, hub: EventHub) {
    this.#store = store;
    this.#live = live;
    this.#hub = hub;
  }

  /** Whether a contact (a thread: not an archived key) exists. */
  has(peer: string): boolean {
    if (!isFingerprintHex(peer)) return false;
    const contact = this.#store.contacts.get(peer);
    return contact !== null && contact.thread === null;
  }

  /** Throws no-peer unless the contact exists. */
  require(peer: string): void {
    if (!this.has(peer)) throw new ServiceError('no-peer', `no contact with fingerprint ${String(peer).slice(0, 80)}`);
  }

  /** Every contact, most recent first. */
  list(): ContactDto[] {
    return this.#store.contacts.list().map((c) => this.#toDto(c));
  }

  /** The contact, or null. */
  get(peer: string): ContactDto | null {
    // One row, not the whole list: this runs for every contact-changed event (each message,
    // each connection), where listing every contact made 1,000 joins O(n²).
    if (!isFingerprintHex(peer)) return null;
    const summary = this.#store.contacts.summary(peer);
    return summary && summary.thread === null ? this.#toDto(summary) : null;
  }

  /** Emits contact-changed for the peer and returns its DTO (null if unknown). */
  changed(peer: string): ContactDto | null {
    const contact = this.get(peer);
    if (contact) this.#hub.emit({ type: 'contact-changed', contact });
    return contact;
  }

  /** The safety number of this node and the peer. */
  safetyNumber(peer: string): string {
    // Cached: it only depends on the two keys, and every contact-changed event (each message, on
    // both sides) needs it; a SHA-512 in JS each time was ~5 % of a message's path (issue 11 item 17).
    const key = `${this.#store.identity.fingerprint}:${peer}`;
    let value = this.#safetyNumbers.get(key);
    if (value === undefined) {
      if (this.#safetyNumbers.size >= SAFETY_NUMBER_CACHE) this.#safetyNumbers.clear();
      value = safetyNumberFromHex(this.#store.identity.fingerprint, peer);
      this.#safetyNumbers.set(key, value);
    }
    return value;
  }

  #toDto(c: ContactSummary): ContactDto {
    const connection = this.#live.connection(c.fingerprint);
    return toContactDto(this.#worded(c), {
      connection,
      // An idle schedule entry stays while connected: "Reconnecting…" is for an offline contact only.
      rejoining: connection === null ? this.#live.rejoining(c.fingerprint) : null,
      mark: this.#store.trust.get(c.fingerprint),
      safetyNumber: this.safetyNumber(c.fingerprint),
      previousKeys: this.#store.people.threadKeys(c.fingerprint).length - 1,
    });
  }

  // A reaction as the last message previews as a reaction to its message (issue 12), not a bare emoji.
  // Its target may sit on an archived key of the same person (one thread per person).
  #worded(c: ContactSummary): ContactSummary {
    const last = c.lastMessage;
    if (last === null || last.reactTo === null) return c;
    const target = last.reactTo;
    const found = this.#store.people.threadKeys(c.fingerprint).map((key) => this.#store.messages.byId(key, target)).find((m) => m !== null) ?? null;
    return { ...c, lastMessage: { ...last, text: reactionPreview(last.text, found?.text ?? null) } };
  }
}

/**
 * Contacts as adapters see them: the stored summary plus what only the running service knows
 * (online, the open trust warning, the safety number), and the contact-changed event.
 */
import { isFingerprintHex } from '../crypto/fingerprint.ts';
import { safetyNumberFromHex } from '../crypto/safety-number.ts';
import type { ContactSummary } from '../storage/contacts-repo.ts';
import type { ConnectionDto, ContactDto } from '../../shared/dto.ts';
import type { ServiceStore } from './service-store.ts';
import { toContactDto } from './dto.ts';
import { ServiceError } from './errors.ts';
import type { EventHub } from './events.ts';

/** Safety numbers kept at most (a bound, not a tuning: a few hundred bytes each). */
const SAFETY_NUMBER_CACHE = 4096;

/** See the module comment. */
export class ContactView {
  readonly #store: ServiceStore;
  readonly #connection: (peer: string) => ConnectionDto | null;
  readonly #hub: EventHub;
  readonly #safetyNumbers = new Map<string, string>();

  constructor(store: ServiceStore, connection: (peer: string) => ConnectionDto | null, hub: EventHub) {
    this.#store = store;
    this.#connection = connection;
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
    return toContactDto(c, {
      connection: this.#connection(c.fingerprint),
      mark: this.#store.trust.get(c.fingerprint),
      safetyNumber: this.safetyNumber(c.fingerprint),
      previousKeys: this.#store.people.threadKeys(c.fingerprint).length - 1,
    });
  }
}

/**
 * What the user decides about people (issue 12): accept a message request, block and unblock,
 * rename (a local nickname), delete with the history. A blocked key is refused at the handshake
 * (SessionLifecycle); blocking or deleting a connected contact ends its session now and stops
 * rejoining it.
 */
import type { ContactDto } from '../../shared/dto.ts';
import { isValidLocalName } from '../../shared/text.ts';
import type { ContactView } from './contact-view.ts';
import { ServiceError } from './errors.ts';
import type { EventHub } from './events.ts';
import type { Rejoining } from './rejoining.ts';
import type { ServiceStore } from './service-store.ts';
import type { SessionTable } from './session-table.ts';

/** See the module comment. */
export class People {
  readonly #store: ServiceStore;
  readonly #hub: EventHub;
  readonly #contacts: ContactView;
  readonly #sessions: SessionTable;
  readonly #rejoin: Rejoining;

  constructor(parts: { store: ServiceStore; hub: EventHub; contacts: ContactView; sessions: SessionTable; rejoin: Rejoining }) {
    this.#store = parts.store;
    this.#hub = parts.hub;
    this.#contacts = parts.contacts;
    this.#sessions = parts.sessions;
    this.#rejoin = parts.rejoin;
  }

  /** Accepts a message request: it becomes a contact (its held messages are ordinary history now). */
  accept(peer: string): ContactDto {
    this.#contacts.require(peer);
    if (this.#store.contacts.get(peer)?.status === 'blocked') throw new ServiceError('contact-blocked', 'unblock this contact first');
    this.#store.people.setStatus(peer, 'accepted');
    return this.#contacts.changed(peer) as ContactDto;
  }

  /**
   * Blocks the key: its session ends now, it is not rejoined, and every later handshake with it is
   * closed once the key is authenticated, before any message and without any event.
   */
  block(peer: string): ContactDto {
    this.#contacts.require(peer);
    this.#store.people.setStatus(peer, 'blocked');
    this.#drop(peer);
    return this.#contacts.changed(peer) as ContactDto;
  }

  /** Unblocks: the key is a contact again (not a request: the user knows who it is). */
  unblock(peer: string): ContactDto {
    this.#contacts.require(peer);
    if (this.#store.contacts.get(peer)?.status !== 'blocked') throw new ServiceError('bad-input', 'that contact is not blocked');
    this.#store.people.setStatus(peer, 'accepted');
    return this.#contacts.changed(peer) as ContactDto;
  }

  /**
   * Sets the local nickname (null or blank: none). Never sent. Name collisions compare new
   * identities with it too, since it is the name the user sees for this contact.
   */
  rename(peer: string, nickname: string | null): ContactDto {
    this.#contacts.require(peer);
    if (nickname !== null && !isValidLocalName(nickname)) throw new ServiceError('bad-input', 'a name is 0 to 64 characters without control characters');
    this.#store.people.setNickname(peer, nickname);
    return this.#contacts.changed(peer) as ContactDto;
  }

  /**
   * Deletes the contact with its whole thread's history (archived keys included), at once: the UI
   * asks for confirmation first. If the key connects again it is a new identity (a request).
   */
  remove(peer: string): void {
    this.#contacts.require(peer);
    this.#drop(peer);
    this.#store.people.remove(peer);
    this.#hub.emit({ type: 'contact-removed', peer, into: null });
  }

  #drop(peer: string): void {
    this.#rejoin.stop(peer);
    this.#sessions.get(peer)?.session.close('quit');
  }
}

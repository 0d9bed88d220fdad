/**
 * The trust side of a new session and the user's trust decisions (PROTOCOL.md sections 5–6):
 * the warning is decided and shown before any message is exchanged with a new key; an invite's
 * matching fingerprint verifies, unless the identity has an open warning.
 *
 * Issue 12: a new identity that joined us without a valid invite token is a message request
 * (unless the service accepts requests automatically); a valid token makes it a contact, and a
 * one-time token also verifies it (method 'invite', docs/SECURITY.md). Accepting or verifying the
 * new key of a key-changed contact archives the old key on it: one thread per person. An archived
 * key that comes back is taken out of the thread again, with a key-changed warning.
 */
import type { HandshakeResult } from '../protocol/perform-handshake.ts';
import type { ContactDto, VerificationMethod } from '../../shared/dto.ts';
import type { AuthContext } from './connector.ts';
import type { ContactView } from './contact-view.ts';
import { describeWarning } from './dto.ts';
import type { EventHub } from './events.ts';
import type { ServiceStore } from './service-store.ts';
import { assessIdentity, type TrustWarning } from './trust.ts';

/** What admitting an identity decided, for the session's events. */
export type Admitted = { readonly request: boolean };

/** See the module comment. */
export class TrustGate {
  readonly #store: ServiceStore;
  readonly #hub: EventHub;
  readonly #contacts: ContactView;
  readonly #acceptRequests: boolean;
  readonly #onMerged: (oldKey: string, newKey: string) => void;

  constructor(store: ServiceStore, hub: EventHub, contacts: ContactView, acceptRequests = false, onMerged: (oldKey: string, newKey: string) => void = () => undefined) {
    this.#store = store;
    this.#hub = hub;
    this.#contacts = contacts;
    this.#acceptRequests = acceptRequests;
    this.#onMerged = onMerged;
  }

  /** Records the authenticated identity and raises its warning, if any (before any message). */
  admit(result: HandshakeResult, ctx: AuthContext): Admitted {
    const peer = result.remoteFingerprint;
    const { contacts, trust, people, invites } = this.#store;
    const known = contacts.get(peer);
    const warning = known?.thread ? this.#returned(peer, known.thread) : assessIdentity(contacts, known, peer, result.remoteName, ctx.address);
    // A token counts only from a joiner (the responder's hello never carries one that we use).
    const redeemed = !ctx.initiator && result.remoteInvite !== null ? invites.redeem(result.remoteInvite) : null;
    // Joining is the user's own act, as is handing out an invite: both make a contact.
    const invited = ctx.initiator || redeemed !== null;
    const status = invited || this.#acceptRequests ? 'accepted' : 'request';
    contacts.upsertSeen({ publicKey: result.remoteStatic, name: result.remoteName, status, ...(ctx.address ? { address: ctx.address } : {}) });
    if (known?.status === 'request' && invited) people.setStatus(peer, 'accepted');
    if (warning) {
      trust.set(peer, { code: warning.code, replaces: warning.previous.fingerprint, blocking: warning.blocking });
      this.#hub.emit({ type: 'warning', code: warning.code, peer, previous: warning.previous.fingerprint, message: describeWarning(warning.code, result.remoteName, warning.previous.name) });
    }
    if (ctx.viaInvite && !contacts.get(peer)?.verified && trust.get(peer) === null) {
      // An invite carried this fingerprint and it matched: that is a verification (section 6) —
      // unless this identity has an open warning. An invite is only a link that anyone can send
      // (with any &name=): it must not turn a key-changed or name-collision warning, raised now or
      // before, into "verified" (section 6: after a warning the new identity is unverified).
      contacts.verify(peer, 'invite');
      trust.clear(peer);
      this.#hub.emit({ type: 'verified', peer, verified: true });
    } else if (redeemed?.reusable === false && !contacts.get(peer)?.verified && trust.get(peer) === null) {
      // A one-time token: the host's mirror of the rule above (docs/SECURITY.md "Message requests, invite tokens, blocking").
      // Only the first holder of the link gets in by it, so an interception leaves the invited
      // person outside as a request, where the user sees it; a reusable token proves less (anyone
      // the link reached) and only makes a contact.
      contacts.verify(peer, 'invite');
      this.#hub.emit({ type: 'verified', peer, verified: true });
    }
    return { request: known === null && status === 'request' };
  }

  // An archived key authenticated again: its person's thread moved on to another key, so this is a
  // key change the other way round. It leaves the thread (with its own messages) and is warned about.
  #returned(peer: string, thread: string): TrustWarning | null {
    this.#store.people.unarchive(peer);
    const current = this.#store.contacts.get(thread);
    this.#contacts.changed(thread);
    return current ? { code: 'key-changed', previous: current, blocking: current.verified } : null;
  }

  /** Marks the contact verified (the user compared fingerprints or safety numbers). */
  verify(peer: string, method: VerificationMethod): ContactDto {
    this.#contacts.require(peer);
    this.#mergeReplaced(peer);
    this.#store.contacts.verify(peer, method);
    this.#store.trust.clear(peer);
    this.#hub.emit({ type: 'verified', peer, verified: true });
    return this.#contacts.changed(peer) as ContactDto;
  }

  /** Removes the verification. */
  unverify(peer: string): ContactDto {
    this.#contacts.require(peer);
    this.#store.contacts.unverify(peer);
    this.#hub.emit({ type: 'verified', peer, verified: false });
    return this.#contacts.changed(peer) as ContactDto;
  }

  /** The user accepts a changed key without verifying it: sending is allowed, the contact stays unverified. */
  acceptKey(peer: string): ContactDto {
    this.#contacts.require(peer);
    this.#mergeReplaced(peer);
    this.#store.trust.clear(peer);
    return this.#contacts.changed(peer) as ContactDto;
  }

  // One thread per person: the user decided that this key is the person whose key changed, so the
  // old key is archived on it (its own verification kept) and its history joins this thread. A
  // name-collision is not merged: there the new key claims another person's name, not their key.
  #mergeReplaced(peer: string): void {
    const mark = this.#store.trust.get(peer);
    if (mark?.code !== 'key-changed') return;
    if (!this.#store.people.merge(mark.replaces, peer)) return;
    this.#onMerged(mark.replaces, peer);
    this.#hub.emit({ type: 'contact-removed', peer: mark.replaces, into: peer });
  }
}

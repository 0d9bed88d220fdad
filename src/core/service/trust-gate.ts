/**
 * The trust side of a new session and the user's trust decisions (PROTOCOL.md sections 5–6):
 * the warning is decided and shown before any message is exchanged with a new key; an invite's
 * matching fingerprint verifies, unless the identity has an open warning.
 */
import type { HandshakeResult } from '../protocol/perform-handshake.ts';
import type { ContactDto, VerificationMethod } from '../../shared/dto.ts';
import type { AuthContext } from './connector.ts';
import type { ContactView } from './contact-view.ts';
import { describeWarning } from './dto.ts';
import type { EventHub } from './events.ts';
import type { ServiceStore } from './service-store.ts';
import { assessIdentity } from './trust.ts';

/** See the module comment. */
export class TrustGate {
  readonly #store: ServiceStore;
  readonly #hub: EventHub;
  readonly #contacts: ContactView;

  constructor(store: ServiceStore, hub: EventHub, contacts: ContactView) {
    this.#store = store;
    this.#hub = hub;
    this.#contacts = contacts;
  }

  /** Records the authenticated identity and raises its warning, if any (before any message). */
  admit(result: HandshakeResult, ctx: AuthContext): void {
    const peer = result.remoteFingerprint;
    const { contacts, trust } = this.#store;
    const known = contacts.get(peer);
    const warning = assessIdentity(contacts, known, peer, result.remoteName, ctx.address);
    contacts.upsertSeen({ publicKey: result.remoteStatic, name: result.remoteName, ...(ctx.address ? { address: ctx.address } : {}) });
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
    }
  }

  /** Marks the contact verified (the user compared fingerprints or safety numbers). */
  verify(peer: string, method: VerificationMethod): ContactDto {
    this.#contacts.require(peer);
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
    this.#store.trust.clear(peer);
    return this.#contacts.changed(peer) as ContactDto;
  }
}

/**
 * Trust on first use (PROTOCOL.md section 6): what a newly authenticated identity means for the
 * user, decided before any message is exchanged with it.
 *
 * - key-changed: we joined an address saved for a known contact and another key answered;
 * - name-collision: a new identity (or a known one under a new name) presents the display name of
 *   another known contact.
 * The new identity is always a separate, unverified contact, so nothing queued for the old key can
 * reach it. Sending to it is held ("blocked") until the user decides when the old contact was
 * verified (key-changed) or for any name collision: these are the cases where a mistake would
 * send words to an impostor the user already trusts.
 */
import type { WarningCode } from '../../shared/errors.ts';
import type { Contact, ContactsRepo } from '../storage/contacts-repo.ts';

export type TrustWarning = {
  readonly code: WarningCode;
  /** The older contact the new identity may be impersonating or replacing. */
  readonly previous: Contact;
  readonly blocking: boolean;
};

/**
 * Decides the warning, if any, for an authenticated identity, before anything is exchanged with it.
 * `known` is its contact as stored before this connection (null for a new identity).
 *
 * Why known identities are checked too (security review): skipping them let a key that had talked
 * to us once, harmlessly, later answer at a verified contact's saved address or take a contact's
 * display name without any warning. Only what is new about a known identity counts — an address
 * it was not last joined at, a name it did not have — so its ordinary returns stay quiet.
 */
export function assessIdentity(contacts: ContactsRepo, known: Contact | null, fingerprint: string, name: string, joinedAddress: string | null): TrustWarning | null {
  if (joinedAddress !== null && known?.lastAddress !== joinedAddress) {
    const prior = contacts.findByAddress(joinedAddress).find((c) => c.fingerprint !== fingerprint);
    if (prior) return { code: 'key-changed', previous: prior, blocking: prior.verified };
  }
  // Names are compared as a person sees them (displayNameKey); an empty one is no claim to anybody's identity.
  if (name !== '' && known?.name !== name) {
    const same = contacts.findByNameKey(name).find((c) => c.fingerprint !== fingerprint);
    if (same) return { code: 'name-collision', previous: same, blocking: true };
  }
  return null;
}

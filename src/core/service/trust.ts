/**
 * Trust on first use (PROTOCOL.md section 6): what a newly authenticated identity means for the
 * user, decided before any message is exchanged with it.
 *
 * - key-changed: we joined an address saved for a known contact and another key answered;
 * - name-collision: a new identity presents the display name of a known contact.
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

/** Decides the warning, if any, for an identity we have never seen before. */
export function assessNewIdentity(contacts: ContactsRepo, fingerprint: string, name: string, joinedAddress: string | null): TrustWarning | null {
  if (joinedAddress !== null) {
    const prior = contacts.findByAddress(joinedAddress).find((c) => c.fingerprint !== fingerprint);
    if (prior) return { code: 'key-changed', previous: prior, blocking: prior.verified };
  }
  // An empty name is no claim to anybody's identity.
  if (name !== '') {
    const same = contacts.findByName(name).find((c) => c.fingerprint !== fingerprint);
    if (same) return { code: 'name-collision', previous: same, blocking: true };
  }
  return null;
}

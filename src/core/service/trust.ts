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
import type { SettingsRepo } from '../storage/settings-repo.ts';

export type TrustWarning = {
  readonly code: WarningCode;
  /** The older contact the new identity may be impersonating or replacing. */
  readonly previous: Contact;
  readonly blocking: boolean;
};

export type TrustMark = { readonly code: WarningCode; readonly replaces: string; readonly blocking: boolean };

// One settings value holds every open warning: there are few (each awaits a user decision).
const KEY = 'trust.warnings';

/** The persisted warning state of contacts (survives restarts until the user decides). */
export class TrustMarks {
  readonly #settings: SettingsRepo;
  // The last value read and its parse. get() runs for every contact DTO the service builds, so
  // re-parsing the whole JSON each time made a contact list O(contacts × warnings).
  #cache: { readonly raw: string | null; readonly marks: Readonly<Record<string, TrustMark>> } | null = null;

  constructor(settings: SettingsRepo) {
    this.#settings = settings;
  }

  /** The mark on a contact, if any. */
  get(fingerprint: string): TrustMark | null {
    return this.#all()[fingerprint] ?? null;
  }

  /** Records a warning on a new contact. */
  set(fingerprint: string, mark: TrustMark): void {
    this.#save({ ...this.#all(), [fingerprint]: mark });
  }

  /** The user decided (accepted the key or verified it): sending is allowed again. */
  clear(fingerprint: string): void {
    const all = this.#all();
    if (!(fingerprint in all)) return;
    const rest: Record<string, TrustMark> = Object.assign(Object.create(null), all);
    delete rest[fingerprint];
    this.#save(rest);
  }

  // Still read from the settings every time (another writer may have changed the value), but
  // parsed only when the text differs from the last one. The result is frozen: callers copy.
  #all(): Readonly<Record<string, TrustMark>> {
    const raw = this.#settings.get(KEY);
    if (this.#cache?.raw !== raw) this.#cache = { raw, marks: Object.freeze(parseMarks(raw)) };
    return this.#cache.marks;
  }

  #save(all: Record<string, TrustMark>): void {
    if (Object.keys(all).length === 0) this.#settings.delete(KEY);
    else this.#settings.set(KEY, JSON.stringify(all));
  }
}

function parseMarks(raw: string | null): Record<string, TrustMark> {
  const out: Record<string, TrustMark> = Object.create(null);
  if (raw === null) return out;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = null;
  }
  if (typeof parsed !== 'object' || parsed === null) return out;
  for (const [fp, v] of Object.entries(parsed as Record<string, Partial<TrustMark>>)) {
    if ((v.code === 'key-changed' || v.code === 'name-collision') && typeof v.replaces === 'string' && typeof v.blocking === 'boolean') {
      out[fp] = { code: v.code, replaces: v.replaces, blocking: v.blocking };
    }
  }
  return out;
}

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

/**
 * Data crossing from the core to the UI (and the CLI): plain, serialisable, no keys, no paths of secrets.
 * Fingerprints are 64 lowercase hex digits.
 */
import type { ErrorCode, WarningCode } from './errors.ts';
import type { HostReach } from './reach-settings.ts';

export type VerificationMethod = 'safety-number' | 'fingerprint' | 'invite';
export type DeliveryState = 'queued' | 'sent' | 'delivered';
export type Direction = 'in' | 'out';
export type DisconnectReason = 'closed' | 'timeout' | 'protocol-error' | 'replaced' | 'quit';
export type KeyProtection = 'keychain' | 'passphrase' | 'key-file' | 'unprotected';

export type IdentityDto = {
  readonly fingerprint: string;
  readonly publicKeyPem: string;
  readonly name: string;
  readonly keyProtection: KeyProtection;
};

/** How a connected peer is reached: over TCP or HyperDHT, on the same network or across the internet, direct or through a relay. */
export type ConnectionDto = { readonly path: 'tcp' | 'dht'; readonly sameNetwork: boolean; readonly relayed: boolean };

/** An offline contact being rejoined: `next` is when the next attempt starts (ms since the epoch), null while one is under way. */
export type RejoiningDto = { readonly next: number | null };

/** Whether people can reach this computer through the DHT now, and why (not), in plain words. */
export type ReachabilityDto = { readonly state: 'yes' | 'checking' | 'no'; readonly reason: string };

/**
 * A contact ('accepted'), a message request ('request': a new identity that did not come through one
 * of our invites; its messages are stored but held: not notified, no reply until accepted), or
 * 'blocked' (refused at the handshake, never notified). Not to be confused with ContactDto.blocked,
 * which says that sending is held after a trust warning.
 */
export type ContactStatus = 'accepted' | 'request' | 'blocked';

export type ContactDto = {
  readonly fingerprint: string;
  /** The display name the peer presents (its own choice, unauthenticated). */
  readonly name: string;
  /** The user's local name for it (never sent), or null. */
  readonly nickname: string | null;
  /** What to show: the nickname, else the peer's name. */
  readonly displayName: string;
  readonly status: ContactStatus;
  /** How many earlier keys of this person are archived on this thread (keyHistory lists them). */
  readonly previousKeys: number;
  readonly verified: boolean;
  readonly verifiedMethod: VerificationMethod | null;
  readonly verifiedAt: number | null;
  /** Set after key-changed / name-collision on a contact the user relied on: sending waits for a decision. */
  readonly blocked: WarningCode | null;
  /** The fingerprint of the older contact this one is suspected to replace, if any. */
  readonly replaces: string | null;
  readonly online: boolean;
  /** How it is connected while online, else null. */
  readonly connection: ConnectionDto | null;
  /** While offline: an automatic rejoin (or "Try now") is scheduled or under way, else null. */
  readonly rejoining: RejoiningDto | null;
  readonly unread: number;
  readonly lastAddress: string | null;
  readonly firstSeen: number;
  readonly lastSeen: number;
  readonly lastMessage: { readonly text: string; readonly at: number; readonly direction: Direction } | null;
  readonly safetyNumber: string;
};

export type MessageDto = {
  readonly peer: string;
  readonly id: string;
  /** Local, monotonic order; also the paging cursor. */
  readonly seq: number;
  readonly direction: Direction;
  /** The sender's clock (ms). */
  readonly ts: number;
  /** When this node stored it (ms). */
  readonly storedAt: number;
  /** For a file offer (kind 'file'), the offered name. */
  readonly text: string;
  readonly state: DeliveryState;
  /** 'text' for a chat message, 'file' for a file offer (PROTOCOL.md section 9). */
  readonly kind: MessageKind;
  /** The transfer of a file offer (kind 'file'); absent for a text. */
  readonly file?: FileDto;
  /**
   * The key this message was exchanged with. Equals `peer` except for the history of an earlier,
   * archived key of the same person (one thread per person: `peer` is the thread's current key).
   */
  readonly key: string;
  /** The id of the message this one replies to, or null. */
  readonly replyTo: string | null;
  /** The id of the message this one reacts to (its text is the reaction), or null. */
  readonly reactTo: string | null;
};

export type MessageKind = 'text' | 'file';

/**
 * Where a file offer stands: `offered` (incoming: waiting for the user's decision; outgoing: not
 * accepted yet), `waiting` (accepted, no byte moving: the peer is offline or the transfer is about
 * to start), `transferring` (`bytes` of `size`), `done` (received and checked, or the receiver
 * confirmed it), or ended: `declined`, `cancelled`, `failed`, with `reason`.
 */
export type FileState = 'offered' | 'waiting' | 'transferring' | 'done' | 'declined' | 'cancelled' | 'failed';

export type FileDto = {
  readonly name: string;
  readonly size: number;
  readonly sha256: string;
  readonly state: FileState;
  /** Held (incoming) or sent (outgoing) so far. */
  readonly bytes: number;
  /** Why it ended (a wire reason such as `declined`, `too-large`, `no-space`, `changed`, `corrupt`, `unsupported`), else null. */
  readonly reason: string | null;
  /** Which side ended it, else null. */
  readonly endedBy: 'local' | 'peer' | null;
  /** Where a received file was saved, once checked; else null. Always null in the app's renderer (main strips it: no paths cross the IPC). */
  readonly path: string | null;
};

/** File transfer events (the engine's, as the adapters see them). `direction` is ours: 'out' when we send. */
export type FileEventDto =
  | { readonly type: 'file-offer'; readonly peer: string; readonly id: string; readonly name: string; readonly size: number; readonly sha256: string }
  | { readonly type: 'file-accepted'; readonly peer: string; readonly id: string; readonly direction: Direction; readonly offset: number; readonly size: number }
  | { readonly type: 'file-progress'; readonly peer: string; readonly id: string; readonly direction: Direction; readonly bytes: number; readonly size: number }
  | { readonly type: 'file-received'; readonly peer: string; readonly id: string; readonly path: string; readonly size: number; readonly sha256: string }
  | { readonly type: 'file-sent'; readonly peer: string; readonly id: string }
  | { readonly type: 'file-cancelled'; readonly peer: string; readonly id: string; readonly direction: Direction; readonly reason: string; readonly by: 'local' | 'peer' }
  | { readonly type: 'file-error'; readonly peer: string; readonly id: string; readonly message: string };

/** What an outgoing message refers to: at most one of the two. */
export type SendOptions = { readonly replyTo?: string | null; readonly reactTo?: string | null };

/** A history page: the newest `limit`, the `limit` before or after a seq, or about `limit` around one (a search hit). */
export type HistoryPage = { readonly before: number | null; readonly limit: number; readonly after?: number; readonly around?: number };

/**
 * An earlier key of a person, archived on the thread when the user accepted or verified its
 * successor after key-changed: the inline "Carol's key changed on … — verify" event of the timeline.
 * It goes after the message with seq `afterSeq` (0: before every message).
 */
export type KeyChangeDto = {
  readonly oldKey: string;
  readonly newKey: string;
  readonly oldName: string;
  /** The old key's own verification, kept as it was. */
  readonly oldVerifiedMethod: VerificationMethod | null;
  readonly oldVerifiedAt: number | null;
  /** When the new key was first seen ("changed on …"), and when the user accepted or verified it. */
  readonly detectedAt: number;
  readonly mergedAt: number;
  readonly afterSeq: number;
};

/** One search hit: open the thread `peer` and load history({ around: seq }). */
export type SearchHitDto = {
  readonly peer: string;
  readonly key: string;
  readonly id: string;
  readonly seq: number;
  readonly ts: number;
  readonly direction: Direction;
  /** Up to ~120 characters of the text around the match, with … where it was cut. */
  readonly snippet: string;
  /** Where the match sits in `snippet` (UTF-16 units), for highlighting. */
  readonly matchStart: number;
  readonly matchLength: number;
};

/** A page of search results; `next` is the cursor for the following call, null when history is exhausted. */
export type SearchPageDto = { readonly hits: readonly SearchHitDto[]; readonly next: number | null; readonly scanned: number };

/** An invite made by createInvite. */
export type InviteDto = { readonly invite: string; readonly reusable: boolean };

export type HostingDto = {
  readonly host: string;
  readonly port: number;
  readonly invite: string;
  /** Addresses a joiner can use (for all-interfaces binds, every non-internal address). */
  readonly addresses: readonly string[];
  /** Our DHT public key while hosting on the DHT (the invite carries it), else null. */
  readonly dht: string | null;
  /** Reachability through the DHT while hosting on it, else null. */
  readonly reachability: ReachabilityDto | null;
  /** Whether this host advertises itself on the local network (DNS-SD, PROTOCOL.md section 8). */
  readonly discoverable: boolean;
};

/** A host found on the local network (DNS-SD): its claims only — never trust. */
export type NearbyDto = { readonly name: string; readonly fingerprint: string; readonly host: string; readonly port: number; readonly invite: string };

/** A join's progress: one step reached on one path (TCP or the DHT). */
export type JoinProgressDto = { readonly step: 'finding' | 'path' | 'securing'; readonly path: 'tcp' | 'dht' };

export type SettingsDto = {
  readonly name: string;
  readonly defaultPort: number;
  /** The last answer to "who can join" (the host screen starts from it). */
  readonly hostReach: HostReach;
  /** The last choice of "Let people on this network find me". */
  readonly hostAnnounce: boolean;
  /** "Host when Parley starts" (with the remembered who-can-join answer); turned on by the first host. */
  readonly hostAtStart: boolean;
  /** The DHT's bootstrap nodes (HOST:PORT); empty = HyperDHT's public ones. Applies at the next start. */
  readonly dhtBootstrap: readonly string[];
  /** A blind relay's public key (64 hex), or null. Applies at the next start. */
  readonly dhtRelay: string | null;
  readonly dataDir: string;
  readonly keyProtection: KeyProtection;
  /** False when the OS keychain is missing or only offers plain-text storage. */
  readonly keychainAvailable: boolean;
  /** Where received files are saved (shown to the user; chosen in main's folder dialog only). */
  readonly downloadDir: string;
  /** Larger incoming offers are declined by themselves (bytes). */
  readonly maxFileSize: number;
  /** Accept offers from verified contacts by themselves (off by default). */
  readonly autoAcceptVerified: boolean;
};

/** The bytes of a received, checked image for an inline preview (main recognises the type by its magic bytes). */
export type FilePreviewDto = { readonly type: 'image/png' | 'image/jpeg' | 'image/gif' | 'image/webp'; readonly bytes: Uint8Array };

/** Everything the core tells its adapters (IPC, CLI, test bridge). */
export type ParleyEvent =
  | { readonly type: 'listening'; readonly hosting: HostingDto }
  | { readonly type: 'stopped-hosting' }
  /** The hosting state changed while hosting (DHT reachability, a new DHT key). */
  | { readonly type: 'hosting-changed'; readonly hosting: HostingDto }
  | { readonly type: 'connected'; readonly peer: string; readonly name: string; readonly verified: boolean; readonly safetyNumber: string; readonly connection: ConnectionDto }
  | { readonly type: 'disconnected'; readonly peer: string; readonly reason: DisconnectReason }
  /** A message of a contact (notify). Messages of a request come as request-message instead. */
  | { readonly type: 'message'; readonly message: MessageDto }
  /** A new message request: a new identity that did not come through one of our invites. */
  | { readonly type: 'request'; readonly contact: ContactDto }
  /** A message from a request: stored and held; not for notifications. */
  | { readonly type: 'request-message'; readonly message: MessageDto }
  /** The contact left the list: deleted, or (with `into`) its key archived on that thread. */
  | { readonly type: 'contact-removed'; readonly peer: string; readonly into: string | null }
  | { readonly type: 'message-state'; readonly peer: string; readonly id: string; readonly state: DeliveryState }
  | { readonly type: 'warning'; readonly code: WarningCode; readonly message: string; readonly peer: string; readonly previous: string | null }
  | { readonly type: 'error'; readonly code: string; readonly message: string }
  | { readonly type: 'contact-changed'; readonly contact: ContactDto }
  | { readonly type: 'verified'; readonly peer: string; readonly verified: boolean }
  | FileEventDto
  /** From the desktop shell, not the core: how the join the user asked for is going. */
  | { readonly type: 'join-progress'; readonly progress: JoinProgressDto }
  /** From the desktop shell, not the core: a parley:// invite was opened; fill the join dialog with it (never join unasked). */
  | { readonly type: 'open-invite'; readonly invite: string }
  /** From the desktop shell, not the core: "Host when Parley starts" could not host on `port` (e.g. port-in-use). */
  | { readonly type: 'host-at-start-failed'; readonly code: ErrorCode; readonly message: string; readonly port: number };

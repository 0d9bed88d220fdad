/**
 * Argument schemas (valibot tuples) for every channel, and the type of each channel's result.
 * Main parses every call's arguments from `unknown` with these; nothing from the renderer is trusted.
 */
import * as v from 'valibot';
import type { Channel } from './channels.ts';
import type { ContactDto, FilePreviewDto, HostingDto, IdentityDto, InviteDto, KeyChangeDto, MessageDto, NearbyDto, SearchPageDto, SettingsDto } from '../dto.ts';
import { HOST_REACHES, MAX_BOOTSTRAP_NODES, isRelayKey, parseBootstrapText } from '../reach-settings.ts';
import { MAX_TEXT_CODE_POINTS, MAX_TARGET_LENGTH, countCodePoints, hasControlChars, isValidLocalName } from '../text.ts';

const fingerprint = v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/, 'a fingerprint is 64 lowercase hex digits'));
// Our own name (setup, Settings): no control character at all, C1 included (isValidLocalName).
const displayName = v.pipe(v.string(), v.check((s) => isValidLocalName(s), 'a name is 0 to 64 characters without control characters'));
const port = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(65535));
const messageText = v.pipe(
  v.string(),
  v.check((s) => s.length > 0 && countCodePoints(s) <= MAX_TEXT_CODE_POINTS, 'a message is 1 to 16,000 characters'),
  v.check((s) => !hasControlChars(s, true), 'a message holds no control characters other than tab and line feed'),
);
const bindAddress = v.pipe(v.string(), v.minLength(1), v.maxLength(255), v.regex(/^[0-9A-Za-z.:%-]+$/, 'not an address'));
const passphrase = v.pipe(v.string(), v.minLength(8, 'a passphrase has at least 8 characters'), v.maxLength(1024));
const protection = v.picklist(['keychain', 'passphrase', 'key-file']);
const seq = v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(Number.MAX_SAFE_INTEGER));
const messageId = v.pipe(v.string(), v.regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'a message id is a lowercase UUID'));
// A search query: what the service takes (1 to 200 characters, no control characters).
const query = v.pipe(
  v.string(),
  v.check((s) => s.trim() !== '' && countCodePoints(s) <= 200 && !hasControlChars(s, false), 'a search is 1 to 200 characters without control characters'),
);
// The bootstrap field as typed (HOST:PORT entries separated by commas, spaces or new lines; empty
// = HyperDHT's public nodes): a string, because IPC arguments hold no arrays (ipc-router.ts).
const bootstrapText = v.pipe(
  v.string(),
  v.maxLength(MAX_BOOTSTRAP_NODES * 300),
  v.check((s) => parseBootstrapText(s).ok, 'bootstrap nodes are HOST:PORT entries (at most 16)'),
);
const relayKey = v.pipe(v.string(), v.check(isRelayKey, 'a relay key is 64 lowercase hex digits'));
/** A pasted image is sent from memory: at most this many bytes (the renderer refuses larger ones first). */
export const MAX_PASTED_IMAGE_BYTES = 32 * 1024 * 1024;
/** The largest image main hands the renderer for an inline preview; larger ones show as a card only. */
export const MAX_PREVIEW_BYTES = 16 * 1024 * 1024;
/** The size cap a user can set for incoming files: 1 MiB to 1 TiB. */
export const MAX_FILE_SIZE_RANGE = { min: 1024 ** 2, max: 1024 ** 4 } as const;
// A dropped file's path as the preload took it from webUtils.getPathForFile (main checks it is a regular file).
const droppedPath = v.pipe(v.string(), v.minLength(1), v.maxLength(4096), v.check((s) => !s.includes('\0'), 'not a path'));
const pastedImage = v.strictObject({
  type: v.picklist(['image/png', 'image/jpeg', 'image/gif', 'image/webp']),
  bytes: v.pipe(v.instance(Uint8Array), v.check((b) => b.byteLength > 0 && b.byteLength <= MAX_PASTED_IMAGE_BYTES, 'a pasted image is 1 byte to 32 MiB')),
});

export const ARGS = {
  'app:status': v.strictTuple([]),
  'app:setup': v.strictTuple([v.strictObject({ name: displayName, protection, passphrase: v.nullable(passphrase) })]),
  'app:unlock': v.strictTuple([passphrase]),
  'app:change-protection': v.strictTuple([v.strictObject({ protection, passphrase: v.nullable(passphrase), currentPassphrase: v.nullable(passphrase) })]),
  'identity:set-name': v.strictTuple([displayName]),
  'identity:export-public-key': v.strictTuple([]),
  // dht: listen on HyperDHT too; announce: be found on the local network (DNS-SD) while hosting.
  'hosting:start': v.strictTuple([v.strictObject({ port, bind: bindAddress, dht: v.boolean(), announce: v.boolean() })]),
  'hosting:stop': v.strictTuple([]),
  'hosting:status': v.strictTuple([]),
  'hosting:new-dht-key': v.strictTuple([]),
  'discovery:browse': v.strictTuple([]),
  // nearby: the invite came from the local network's Nearby list, so joining never verifies (PROTOCOL.md section 8).
  'peers:join': v.strictTuple([v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_TARGET_LENGTH)), v.strictObject({ nearby: v.boolean() })]),
  'peers:disconnect': v.strictTuple([fingerprint]),
  // "Try now" for an offline contact: one rejoin attempt at once.
  'peers:rejoin-now': v.strictTuple([fingerprint]),
  // Cancel on the Join screen: stops the join in progress in the core (the window joins one target at a time).
  'peers:cancel-join': v.strictTuple([]),
  'contacts:list': v.strictTuple([]),
  'contacts:verify': v.strictTuple([fingerprint, v.picklist(['safety-number', 'fingerprint'])]),
  'contacts:unverify': v.strictTuple([fingerprint]),
  'contacts:accept-key': v.strictTuple([fingerprint]),
  'contacts:mark-read': v.strictTuple([fingerprint]),
  'contacts:accept-request': v.strictTuple([fingerprint]),
  'contacts:block': v.strictTuple([fingerprint]),
  'contacts:unblock': v.strictTuple([fingerprint]),
  // null clears the nickname; the service turns a blank one into null too.
  'contacts:rename': v.strictTuple([fingerprint, v.nullable(displayName)]),
  'contacts:delete': v.strictTuple([fingerprint]),
  'contacts:key-history': v.strictTuple([fingerprint]),
  'hosting:create-invite': v.strictTuple([v.strictObject({ reusable: v.boolean() })]),
  'hosting:revoke-invites': v.strictTuple([]),
  'messages:history': v.strictTuple([
    fingerprint,
    // before (null: the newest), or instead after / around a seq (a search hit).
    v.strictObject({
      before: v.nullable(seq),
      limit: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(500)),
      after: v.optional(seq),
      around: v.optional(seq),
    }),
  ]),
  'messages:send': v.strictTuple([fingerprint, messageText]),
  // A reply ({replyTo}) or a reaction ({reactTo}, the text being the reaction) to a message of the thread.
  'messages:reply': v.strictTuple([fingerprint, messageText, v.union([v.strictObject({ replyTo: messageId }), v.strictObject({ reactTo: messageId })])]),
  'messages:search': v.strictTuple([query, v.nullable(seq)]),
  'settings:get': v.strictTuple([]),
  'settings:set': v.strictTuple([
    v.strictObject({
      name: v.optional(displayName),
      defaultPort: v.optional(v.pipe(port, v.minValue(1))),
      hostReach: v.optional(v.picklist(HOST_REACHES)),
      hostAnnounce: v.optional(v.boolean()),
      hostAtStart: v.optional(v.boolean()),
      dhtBootstrap: v.optional(bootstrapText),
      dhtRelay: v.optional(v.nullable(relayKey)),
      maxFileSize: v.optional(v.pipe(v.number(), v.integer(), v.minValue(MAX_FILE_SIZE_RANGE.min), v.maxValue(MAX_FILE_SIZE_RANGE.max))),
      autoAcceptVerified: v.optional(v.boolean()),
    }),
  ]),
  'links:open': v.strictTuple([v.pipe(v.string(), v.maxLength(2048), v.regex(/^https?:\/\//i, 'only http(s) links open'))]),
  'files:pick-and-send': v.strictTuple([fingerprint]),
  'files:send-dropped': v.strictTuple([fingerprint, droppedPath]),
  'files:send-pasted': v.strictTuple([fingerprint, pastedImage]),
  'files:accept': v.strictTuple([messageId]),
  'files:cancel': v.strictTuple([messageId]),
  'files:open': v.strictTuple([fingerprint, messageId]),
  'files:show-in-folder': v.strictTuple([fingerprint, messageId]),
  'files:preview': v.strictTuple([fingerprint, messageId]),
  'settings:pick-download-dir': v.strictTuple([]),
} as const satisfies { readonly [C in Channel]: v.GenericSchema<unknown, readonly unknown[]> };

export type AppStatus = {
  readonly phase: 'setup' | 'locked' | 'ready' | 'error';
  readonly keychainAvailable: boolean;
  readonly identity: IdentityDto | null;
  /** A plain sentence when phase is 'error' (e.g. the data cannot be unsealed). */
  readonly problem: string | null;
};

/** What each channel answers with (inside a Result). */
export type Results = {
  'app:status': AppStatus;
  'app:setup': IdentityDto;
  'app:unlock': IdentityDto;
  'app:change-protection': SettingsDto;
  'identity:set-name': IdentityDto;
  'identity:export-public-key': string;
  'hosting:start': HostingDto;
  'hosting:stop': null;
  'hosting:status': HostingDto | null;
  /** The hosting state with the new DHT key (null when not hosting). */
  'hosting:new-dht-key': HostingDto | null;
  'discovery:browse': NearbyDto[];
  'peers:join': { readonly peer: string };
  'peers:disconnect': null;
  /** Whether the contact is connected after the attempt. */
  'peers:rejoin-now': boolean;
  /** Whether a join was in progress (false: it had already ended, with its own answer). */
  'peers:cancel-join': boolean;
  'contacts:list': ContactDto[];
  'contacts:verify': ContactDto;
  'contacts:unverify': ContactDto;
  'contacts:accept-key': ContactDto;
  'contacts:mark-read': null;
  'contacts:accept-request': ContactDto;
  'contacts:block': ContactDto;
  'contacts:unblock': ContactDto;
  'contacts:rename': ContactDto;
  'contacts:delete': null;
  'contacts:key-history': KeyChangeDto[];
  'hosting:create-invite': InviteDto;
  'hosting:revoke-invites': HostingDto | null;
  'messages:search': SearchPageDto;
  'messages:reply': MessageDto;
  'messages:history': MessageDto[];
  'messages:send': MessageDto;
  'settings:get': SettingsDto;
  'settings:set': SettingsDto;
  'links:open': boolean;
  /** The offer, or null when the user closed the dialog without choosing. */
  'files:pick-and-send': MessageDto | null;
  'files:send-dropped': MessageDto;
  'files:send-pasted': MessageDto;
  'files:accept': null;
  'files:cancel': null;
  /** False when the user said no to opening a file that can run code. */
  'files:open': boolean;
  'files:show-in-folder': null;
  /** Null when the file is not a previewable image (by its bytes) or too large to preview. */
  'files:preview': FilePreviewDto | null;
  'settings:pick-download-dir': SettingsDto;
};

export type Args<C extends Channel> = v.InferOutput<(typeof ARGS)[C]>;

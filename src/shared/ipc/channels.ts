/**
 * The one registry of IPC channels (`domain:verb`) and the API method each becomes.
 * The preload builds `window.parley` from it, the main process registers exactly these handlers,
 * and the renderer's types derive from it: no channel string is written anywhere else.
 * (Argument schemas live in schemas.ts so that the preload bundle stays free of the schema library.)
 */
export const CHANNELS = {
  'app:status': 'getStatus',
  'app:setup': 'setup',
  'app:unlock': 'unlock',
  'app:change-protection': 'changeProtection',
  'identity:set-name': 'setName',
  'identity:export-public-key': 'exportPublicKey',
  'hosting:start': 'startHosting',
  'hosting:stop': 'stopHosting',
  'hosting:status': 'getHosting',
  'hosting:new-dht-key': 'newDhtKey',
  'discovery:browse': 'browseNearby',
  'peers:join': 'join',
  'peers:disconnect': 'disconnect',
  'peers:rejoin-now': 'rejoinNow',
  'peers:cancel-join': 'cancelJoin',
  'contacts:list': 'listContacts',
  'contacts:verify': 'verify',
  'contacts:unverify': 'unverify',
  'contacts:accept-key': 'acceptKey',
  'contacts:mark-read': 'markRead',
  'contacts:accept-request': 'acceptRequest',
  'contacts:block': 'block',
  'contacts:unblock': 'unblock',
  'contacts:rename': 'rename',
  'contacts:delete': 'deleteContact',
  'contacts:key-history': 'keyHistory',
  'hosting:create-invite': 'createInvite',
  'hosting:revoke-invites': 'revokeInvites',
  'messages:search': 'search',
  'messages:reply': 'reply',
  'messages:history': 'history',
  'messages:send': 'send',
  'settings:get': 'getSettings',
  'settings:set': 'updateSettings',
  'links:open': 'openLink',
  'files:pick-and-send': 'pickAndSendFile',
  'files:send-dropped': 'sendDroppedFile',
  'files:send-pasted': 'sendPastedImage',
  'files:accept': 'acceptFile',
  'files:cancel': 'cancelFile',
  'files:open': 'openFile',
  'files:show-in-folder': 'showFileInFolder',
  'files:preview': 'previewFile',
  'settings:pick-download-dir': 'pickDownloadDir',
} as const;

export type Channel = keyof typeof CHANNELS;
export type MethodName = (typeof CHANNELS)[Channel];

/** The single main → renderer channel: every core event goes through it. */
export const EVENT_CHANNEL = 'parley:event';

/** All channel names, in registry order. */
export const CHANNEL_NAMES = Object.keys(CHANNELS) as Channel[];

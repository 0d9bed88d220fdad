/**
 * The handler table: one function per channel of the registry, already given parsed arguments.
 * It knows nothing of Electron: the app's phases come in as AppLike, the service as ServiceLike,
 * and the OS (dialogs, the system browser) as Platform, so tests run it under plain Node.
 */
import type { ParleyService } from '../core/service/parley-service.ts';
import { ServiceError } from '../core/service/errors.ts';
import type { Channel } from '../shared/ipc/channels.ts';
import type { AppStatus, Args, Results } from '../shared/ipc/schemas.ts';
import type { IdentityDto, ParleyEvent, SettingsDto } from '../shared/dto.ts';
import { noteHosted, readReachSettings, writeReachSettings } from './reach-settings.ts';
import type { SealerKind } from '../core/storage/sealer.ts';
import { join } from 'node:path';
import { createFileHandlers, type FilesPlatform } from './file-handlers.ts';
import { readFileSettings, toCoreSettings, writeFileSettings, type AppFileSettings } from './file-settings.ts';
import { PastedFiles } from './pasted-files.ts';
import { redactMessage } from './redact.ts';

/** The service methods the handlers call (ParleyService satisfies it). */
export type ServiceLike = Pick<
  ParleyService,
  | 'identity'
  | 'setName'
  | 'host'
  | 'stopHosting'
  | 'hosting'
  | 'newDhtKey'
  | 'browseNearby'
  | 'join'
  | 'disconnect'
  | 'rejoinNow'
  | 'contacts'
  | 'verify'
  | 'unverify'
  | 'acceptKey'
  | 'markRead'
  | 'history'
  | 'send'
  | 'dataDir'
  | 'settings'
  | 'acceptRequest'
  | 'block'
  | 'unblock'
  | 'rename'
  | 'deleteContact'
  | 'keyHistory'
  | 'createInvite'
  | 'revokeInvites'
  | 'search'
  | 'sendFile'
  | 'acceptFile'
  | 'cancelFile'
  | 'savedFile'
  | 'setFileSettings'
  | 'filesBeingSent'
>;

/** The app's phases (AppController satisfies it). */
export type AppLike = {
  status(): AppStatus;
  setup(choice: Args<'app:setup'>[0]): IdentityDto;
  unlock(passphrase: string): IdentityDto;
  changeProtection(choice: Args<'app:change-protection'>[0]): SealerKind;
  /** The running service; throws ServiceError before setup/unlock. */
  service(): ServiceLike;
  /** Sends an event to the window as the service's own are (join progress). */
  emit(event: ParleyEvent): void;
  readonly keychainAvailable: boolean;
  readonly protection: SealerKind | null;
  /** The app's data folder (pasted images are written under it before they are sent). */
  readonly dataDir: string;
  /** Where received files go until the user picks another folder: `Parley` in the user's Downloads. */
  readonly defaultDownloadDir: string;
};

/** The OS facilities a handler may use. */
export type Platform = FilesPlatform & {
  /** Main's choose-a-folder dialog, opened at `current`; null when the user closed it. */
  pickFolder(current: string): Promise<string | null>;
  /** Asks the user, showing the exact URL, whether to open it in the system browser. */
  confirmOpenLink(url: string, host: string): Promise<boolean>;
  /** Opens an http(s) URL in the system browser. */
  openExternal(url: string): Promise<void>;
};

/** How long the Nearby list listens for hosts on the local network. */
export const NEARBY_BROWSE_MS = 2_000;

/** Hooks for the lifecycle (the invite relay learns that the page listens) and the pasted files (pruned on events too). */
export type HandlerHooks = { readonly onStatus?: () => void; readonly pasted?: PastedFiles };

/** One handler per channel: parsed arguments in, the channel's result out (or a thrown ServiceError). */
export type HandlerTable = { readonly [C in Channel]: (...args: Args<C>) => Results[C] | Promise<Results[C]> };

/** Builds the table over the app, the platform and the hooks. */
export function createHandlers(app: AppLike, platform: Platform, hooks: HandlerHooks = {}): HandlerTable {
  const settings = (): SettingsDto => {
    const service = app.service();
    const files = readFileSettings(service.settings, app.defaultDownloadDir);
    return {
      name: service.identity().name,
      defaultPort: service.settings.getDefaultPort(),
      ...readReachSettings(service.settings),
      dataDir: service.dataDir,
      keyProtection: app.protection ?? 'unprotected',
      keychainAvailable: app.keychainAvailable,
      downloadDir: files.acceptDir,
      maxFileSize: files.maxFileSize,
      autoAcceptVerified: files.autoAcceptVerified,
    };
  };
  const changeFiles = (change: Partial<AppFileSettings>): void => {
    const service = app.service();
    service.setFileSettings(toCoreSettings(writeFileSettings(service.settings, app.defaultDownloadDir, change)));
  };
  // The window's join in progress, to cancel from the Join screen (one at a time: the screen waits for it).
  let joining: AbortController | null = null;
  const files = createFileHandlers(() => app.service(), platform, {
    pasted: hooks.pasted ?? new PastedFiles(join(app.dataDir, 'pasted'), () => app.service().filesBeingSent()),
    downloads: () => readFileSettings(app.service().settings, app.defaultDownloadDir).acceptDir,
  });
  return {
    'app:status': () => {
      const status = app.status();
      hooks.onStatus?.();
      return status;
    },
    'app:setup': (choice) => app.setup(choice),
    'app:unlock': (passphrase) => app.unlock(passphrase),
    'app:change-protection': (choice) => {
      app.changeProtection(choice);
      return settings();
    },
    'identity:set-name': (name) => app.service().setName(name),
    'identity:export-public-key': () => app.service().identity().publicKeyPem,
    'hosting:start': async (options) => {
      const service = app.service();
      const hosting = await service.host({ port: options.port, bind: options.bind, dht: options.dht, announce: options.announce });
      noteHosted(service.settings);
      return hosting;
    },
    'hosting:stop': async () => {
      await app.service().stopHosting();
      return null;
    },
    'hosting:status': () => app.service().hosting(),
    'hosting:new-dht-key': () => app.service().newDhtKey(),
    'discovery:browse': () => app.service().browseNearby(NEARBY_BROWSE_MS),
    'peers:join': async (target, options) => {
      joining?.abort(); // a newer join replaces an older one the window stopped waiting for
      const controller = new AbortController();
      joining = controller;
      try {
        return await app.service().join(target, {
          // A host found on the network is only a claim: its fingerprint is insisted on, never trusted as verification.
          verifyByInvite: !options.nearby,
          onProgress: (progress) => app.emit({ type: 'join-progress', progress }),
          signal: controller.signal,
        });
      } finally {
        if (joining === controller) joining = null;
      }
    },
    'peers:cancel-join': () => {
      const was = joining !== null;
      joining?.abort();
      joining = null;
      return was;
    },
    'peers:rejoin-now': (peer) => app.service().rejoinNow(peer),
    'peers:disconnect': (peer) => {
      app.service().disconnect(peer);
      return null;
    },
    'contacts:list': () => app.service().contacts(),
    'contacts:verify': (peer, method) => app.service().verify(peer, method),
    'contacts:unverify': (peer) => app.service().unverify(peer),
    'contacts:accept-key': (peer) => app.service().acceptKey(peer),
    'contacts:mark-read': (peer) => {
      app.service().markRead(peer);
      return null;
    },
    'contacts:accept-request': (peer) => app.service().acceptRequest(peer),
    'contacts:block': (peer) => app.service().block(peer),
    'contacts:unblock': (peer) => app.service().unblock(peer),
    'contacts:rename': (peer, nickname) => app.service().rename(peer, nickname),
    'contacts:delete': (peer) => {
      app.service().deleteContact(peer);
      return null;
    },
    'contacts:key-history': (peer) => app.service().keyHistory(peer),
    'hosting:create-invite': (options) => app.service().createInvite({ reusable: options.reusable }),
    'hosting:revoke-invites': () => app.service().revokeInvites(),
    'messages:history': (peer, page) =>
      app
        .service()
        .history(peer, { before: page.before, limit: page.limit, ...(page.after !== undefined ? { after: page.after } : {}), ...(page.around !== undefined ? { around: page.around } : {}) })
        .map(redactMessage),
    'messages:send': (peer, text) => redactMessage(app.service().send(peer, text)),
    'messages:reply': (peer, text, to) => redactMessage(app.service().send(peer, text, 'replyTo' in to ? { replyTo: to.replyTo } : { reactTo: to.reactTo })),
    'messages:search': (query, cursor) => app.service().search(query, cursor),
    'settings:get': () => settings(),
    'settings:set': (changes) => {
      const service = app.service();
      if (changes.name !== undefined) service.setName(changes.name);
      if (changes.defaultPort !== undefined) service.settings.setDefaultPort(changes.defaultPort);
      const { hostReach, hostAnnounce, hostAtStart, dhtBootstrap, dhtRelay } = changes;
      writeReachSettings(service.settings, { hostReach, hostAnnounce, hostAtStart, dhtBootstrap, dhtRelay });
      if (changes.maxFileSize !== undefined || changes.autoAcceptVerified !== undefined) {
        changeFiles({
          ...(changes.maxFileSize !== undefined ? { maxFileSize: changes.maxFileSize } : {}),
          ...(changes.autoAcceptVerified !== undefined ? { autoAcceptVerified: changes.autoAcceptVerified } : {}),
        });
      }
      return settings();
    },
    'settings:pick-download-dir': async () => {
      const chosen = await platform.pickFolder(settings().downloadDir);
      if (chosen !== null) changeFiles({ acceptDir: chosen });
      return settings();
    },
    ...files,
    'links:open': (url) => openLink(url, platform),
  };
}

/**
 * Opens an http(s) link after the user confirms. The dialog shows the URL exactly as it will be
 * opened (normalised by the URL parser: punycode host, escaped spaces), and its host on its own,
 * so `https://bank.example@evil.example/` cannot pass for the bank. Resolves true if opened.
 */
export async function openLink(raw: string, platform: Platform): Promise<boolean> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ServiceError('bad-input', 'that is not a link Parley can open');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ServiceError('bad-input', 'only http and https links open');
  if (url.hostname === '') throw new ServiceError('bad-input', 'that link has no host');
  const href = url.href;
  if (!(await platform.confirmOpenLink(href, url.host))) return false;
  await platform.openExternal(href);
  return true;
}

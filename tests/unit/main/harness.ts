/**
 * A real app behind the real router, for the IPC tests: an AppController over a temporary data
 * directory, a recorder that notes every call reaching the app or the service, and stand-ins for
 * Electron's dialog and shell (Platform). No Electron module is loaded at all.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppController } from '../../../src/main/app-controller.ts';
import type { Keychain } from '../../../src/main/protection-choice.ts';
import { createHandlers, type AppLike, type HandlerHooks, type HandlerTable, type Platform } from '../../../src/main/handlers.ts';
import { createIpcRouter, type IpcRouter } from '../../../src/main/ipc-router.ts';
import { resolvePage, type PageLocation } from '../../../src/main/page.ts';
import { PastedFiles } from '../../../src/main/pasted-files.ts';
import { appPaths, type AppPaths } from '../../../src/main/paths.ts';
import { createKeychainSealer } from '../../../src/main/sealer.ts';
import type { SenderInfo } from '../../../src/main/sender.ts';
import type { Discovery } from '../../../src/core/net/discovery.ts';
import type { ParleyEvent } from '../../../src/shared/dto.ts';
import { recorder, type Call } from './fakes.ts';

/** Discovery that advertises nowhere and finds nobody, and records what it was asked. */
export const discoveryCalls: string[] = [];
const NO_DISCOVERY: Discovery = {
  advertise: ({ name, port }) => {
    discoveryCalls.push(`advertise ${name} ${port}`);
    return { stop: () => (discoveryCalls.push(`stop ${port}`), Promise.resolve()) };
  },
  browse: () => (discoveryCalls.push('browse'), Promise.resolve([])),
};

/** Our page as a packaged build has it. */
export const PAGE: PageLocation = resolvePage({ isPackaged: true, devServerUrl: undefined, rendererDir: '/opt/Parley/resources/app.asar/out/renderer' });
/** Our window's WebContents id. */
export const WC_ID = 7;
/** The one sender the router trusts. */
export const GOOD_SENDER: SenderInfo = { webContentsId: WC_ID, frame: { isMainFrame: true, url: PAGE.url } };

/** Makes a temporary folder, removed by the returned function. */
export function tempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Everything a test needs around one router. */
export type Harness = {
  readonly router: IpcRouter;
  readonly controller: AppController;
  readonly paths: AppPaths;
  readonly calls: Call[];
  readonly logs: string[];
  readonly events: ParleyEvent[];
  readonly links: { confirmAnswer: boolean; asked: { url: string; host: string }[]; opened: string[] };
  /** Stand-ins for main's file and folder dialogs and the OS's opener: what they answer and what they were asked. */
  readonly files: FilesStub;
  /** Calls the router as our page does. */
  invoke(channel: string, ...args: unknown[]): ReturnType<IpcRouter>;
};

/** What the stand-in dialogs answer (set by a test) and what they saw. */
export type FilesStub = {
  pick: string | null;
  folder: string | null;
  folderAsked: string[];
  confirmAnswer: boolean;
  confirmAsked: string[];
  opened: string[];
  shown: string[];
};

/** A keychain whose key main has already unwrapped (sealer.test.ts covers the unwrapping through safeStorage). */
export function fakeKeychain(available = true): Keychain {
  const key = new Uint8Array(randomBytes(32));
  return { available, reason: available ? null : 'the system keychain is not available to Parley on this computer', createSealer: () => createKeychainSealer(key) };
}

/** Builds a harness over `userData`; the controller is started (phase from what is on disk). */
export function makeHarness(userData: string, options: { keychain?: Keychain; hooks?: HandlerHooks; override?: Partial<HandlerTable> } = {}): Harness {
  const calls: Call[] = [];
  const logs: string[] = [];
  const events: ParleyEvent[] = [];
  const paths = appPaths(userData);
  // As in index.ts: pasted pictures are pruned when an outgoing transfer ends.
  const pasted = new PastedFiles(join(paths.dataDir, 'pasted'), () => controller.service().filesBeingSent());
  const controller: AppController = new AppController({
    paths,
    keychain: options.keychain ?? fakeKeychain(),
    onEvent: (e) => {
      events.push(e);
      pasted.onEvent(e);
    },
    log: (l) => logs.push(l),
    scryptLogN: 15, // the cheapest cost the core allows: these tests are about IPC, not scrypt
    // The DHT without bootstrap nodes and a discovery stand-in: nothing here may reach the internet
    // or send multicast, whatever a fuzzed hosting:start asks for.
    service: { autoReconnect: false, dht: { bootstrap: [], host: '127.0.0.1' }, discovery: NO_DISCOVERY },
  });
  controller.start();
  const app: AppLike = {
    status: () => (calls.push({ name: 'app.status', args: [] }), controller.status()),
    setup: (choice) => (calls.push({ name: 'app.setup', args: [choice] }), controller.setup(choice)),
    unlock: (p) => (calls.push({ name: 'app.unlock', args: [p] }), controller.unlock(p)),
    changeProtection: (choice) => (calls.push({ name: 'app.changeProtection', args: [choice] }), controller.changeProtection(choice)),
    service: () => (calls.push({ name: 'app.service', args: [] }), recorder(controller.service(), calls, 'service.')),
    emit: (event) => controller.emit(event),
    get keychainAvailable() {
      return controller.keychainAvailable;
    },
    get protection() {
      return controller.protection;
    },
    get dataDir() {
      return controller.dataDir;
    },
    get defaultDownloadDir() {
      return controller.defaultDownloadDir;
    },
  };
  const links = { confirmAnswer: true, asked: [] as { url: string; host: string }[], opened: [] as string[] };
  const files: FilesStub = { pick: null, folder: null, folderAsked: [], confirmAnswer: false, confirmAsked: [], opened: [], shown: [] };
  const platform: Platform = {
    confirmOpenLink: async (url, host) => {
      links.asked.push({ url, host });
      return links.confirmAnswer;
    },
    openExternal: async (url) => {
      links.opened.push(url);
    },
    pickFile: async () => files.pick,
    pickFolder: async (current) => {
      files.folderAsked.push(current);
      return files.folder;
    },
    confirmOpenRunnable: async (name) => {
      files.confirmAsked.push(name);
      return files.confirmAnswer;
    },
    openPath: async (path) => {
      files.opened.push(path);
    },
    showInFolder: (path) => {
      files.shown.push(path);
    },
  };
  const handlers = { ...createHandlers(app, platform, { pasted, ...options.hooks }), ...options.override } as HandlerTable;
  const router = createIpcRouter({ handlers, trusted: () => ({ webContentsId: WC_ID, page: PAGE }), log: (l) => logs.push(l) });
  return { router, controller, paths, calls, logs, events, links, files, invoke: (channel, ...args) => router(channel, GOOD_SENDER, args) };
}

/**
 * The end-to-end bridge: each simulated person is the real main-process logic (AppController over a
 * real ParleyService, with its own temp data folder) in the test process, connected to a Chromium
 * page in place of the preload.
 *
 * - An init script builds `window.parley` from the channel registry exactly as src/preload/index.ts
 *   does: the same method names, each call `invoke(channel, ...args)`, a frozen object, and one
 *   `onEvent(listener)` that returns its unsubscribe function and hands listeners only the payload.
 * - Calls cross through one Playwright binding into the real IPC router (createIpcRouter) over the
 *   real handler table (createHandlers): the sender check, the arity check and the channel's valibot
 *   schema run on every call, exactly as in the app. The "window" the router trusts is this page's
 *   main frame showing the renderer's origin (a loopback http origin: PageLocation kind 'dev').
 * - The controller's events are pushed into the page in order (page.evaluate of a dispatch function
 *   the init script installed), and only while the page shows the renderer, like main's sendEvent.
 * - Nothing leaves this machine: the DHT has no bootstrap node unless a test passes a local testnet's
 *   (hyperdht/testnet.js on 127.0.0.1), and local network discovery is the in-memory FAKE_LAN below —
 *   never multicast on the machine's real interfaces (the real DNS-SD runs only in the NAT lab's
 *   namespaces).
 * - There is no OS keychain here: the controller is told the keychain is unavailable, so people choose
 *   the key file (or a passphrase) on first run, as on a Linux desktop without a secret service.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from '@playwright/test';
import { AppController, type AppControllerOptions } from '../../src/main/app-controller.ts';
import type { Keychain } from '../../src/main/protection-choice.ts';
import { createHandlers, type Platform } from '../../src/main/handlers.ts';
import { createIpcRouter, type IpcRouter } from '../../src/main/ipc-router.ts';
import { HeldEvents, resumeAtStart } from '../../src/main/startup.ts';
import type { ParleyService } from '../../src/core/service/parley-service.ts';
import { isOurPageUrl, type PageLocation } from '../../src/main/page.ts';
import { appPaths, type AppPaths } from '../../src/main/paths.ts';
import type { SenderInfo } from '../../src/main/sender.ts';
import { CHANNELS } from '../../src/shared/ipc/channels.ts';
import type { ParleyEvent } from '../../src/shared/dto.ts';
import type { Discovery, FoundHost } from '../../src/core/net/discovery.ts';
import { formatInvite } from '../../src/core/protocol/invite.ts';
import { FAST } from '../helpers/services.ts';

/** The binding the page's `window.parley` calls, and the function the bridge pushes events through. */
const BINDING = '__parleyInvoke';
const DISPATCH = '__parleyDispatch';
/** The bridge's stand-in for webUtils.getPathForFile: the page asks it for a dropped File's path. */
const PATH_FOR_FILE = '__parleyPathForFile';

/** The first screen size of the desktop window (src/main/window.ts). */
export const WINDOW_SIZE = { width: 1100, height: 760 } as const;

/** No keychain in the bridge: first run offers a passphrase or the key file, as the app does without one. */
const NO_KEYCHAIN: Keychain = {
  available: false,
  reason: 'the end-to-end test bridge has no system keychain',
  createSealer() {
    throw new Error('no keychain in the end-to-end bridge');
  },
};

/**
 * Local network discovery faked at the bridge: what a person's service advertises is what the others'
 * Nearby list finds (every person of the suite is on this one pretend network; adverts end with hosting).
 */
export const FAKE_LAN: Discovery & { readonly adverts: Set<FoundHost> } = {
  adverts: new Set<FoundHost>(),
  advertise({ name, port, fingerprint }) {
    // The record as the real browse reports it (discovery.ts parseService): an invite marked via=lan.
    const invite = formatInvite({ host: '127.0.0.1', port, fp: fingerprint, name: name === '' ? null : name, via: 'lan' });
    const host: FoundHost = { name, fingerprint, host: '127.0.0.1', port, invite };
    FAKE_LAN.adverts.add(host);
    return {
      stop: () => {
        FAKE_LAN.adverts.delete(host);
        return Promise.resolve();
      },
    };
  },
  browse: () => Promise.resolve([...FAKE_LAN.adverts]),
};

/** A DHT that reaches nobody (no bootstrap node): the default, so that no test touches the internet. */
export const OFFLINE_DHT = { bootstrap: [], host: '127.0.0.1' } as const;

/** Extra controller options for one person (tests shorten timers or turn auto-rejoin off). */
export type PersonOptions = {
  readonly service?: AppControllerOptions['service'];
  /** A low scrypt cost so that a passphrase seal takes milliseconds (never lower it outside tests). */
  readonly scryptLogN?: number;
  /**
   * Run main's start-up steps once the core is ready (src/main/startup.ts: rejoin, "Host when Parley
   * starts", its failure held until the page listens), as src/main/index.ts does. Off by default: the
   * other specs drive hosting and joining by hand.
   */
  readonly startup?: boolean;
};

/** Runs in the page before any of its scripts: the preload's `window.parley`, rebuilt from the registry. */
function installParley(registry: {
  readonly channels: readonly (readonly [string, string])[];
  readonly binding: string;
  readonly dispatch: string;
  readonly pathForFile: string;
}): void {
  type Listener = (event: unknown) => void;
  const g = globalThis as unknown as Record<string, unknown>;
  // Playwright's binding carries JSON-like values: byte arrays cross as { __bytes: number[] } both ways.
  const pack = (x: unknown): unknown =>
    x instanceof Uint8Array ? { __bytes: Array.from(x) } : x !== null && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).map(([k, v]) => [k, pack(v)])) : x;
  const unpack = (x: unknown): unknown => {
    if (x === null || typeof x !== 'object') return x;
    if (Array.isArray(x)) return x.map(unpack);
    const o = x as Record<string, unknown>;
    if (Array.isArray(o['__bytes'])) return new Uint8Array(o['__bytes'] as number[]);
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, unpack(v)]));
  };
  const invoke = async (channel: string, args: unknown[]): Promise<unknown> =>
    unpack(await (g[registry.binding] as (c: string, a: unknown[]) => Promise<unknown>)(channel, args.map(pack)));
  const handlers = new Set<Listener>();
  const api: Record<string, unknown> = {};
  // As the preload: a dropped File becomes an opaque token; only sendDroppedFile turns it into a path.
  const dropped = new Map<string, File>();
  for (const [channel, method] of registry.channels) {
    api[method] = (...args: unknown[]) => invoke(channel, args);
    if (method === 'sendDroppedFile') {
      api[method] = async (peer: unknown, token: unknown) => {
        const file = typeof token === 'string' ? dropped.get(token) : undefined;
        if (file === undefined) return { ok: false, error: { code: 'bad-input', message: 'that file was not dropped on Parley' } };
        dropped.delete(token as string);
        const path = await (g[registry.pathForFile] as (name: string) => Promise<string>)(file.name);
        return invoke(channel, [peer, path]);
      };
    }
  }
  api['registerDroppedFile'] = (file: unknown) => {
    if (!(file instanceof File)) return null;
    const token = crypto.randomUUID();
    dropped.set(token, file);
    return token;
  };
  api['onEvent'] = (listener: Listener) => {
    if (typeof listener !== 'function') throw new TypeError('onEvent: listener must be a function');
    const handler: Listener = (payload) => listener(payload);
    handlers.add(handler);
    return () => {
      handlers.delete(handler);
    };
  };
  Object.defineProperty(g, 'parley', { value: Object.freeze(api), enumerable: true, writable: false, configurable: false });
  Object.defineProperty(g, registry.dispatch, {
    enumerable: false,
    value: (event: unknown) => {
      // contextBridge copies what crosses it: each listener gets its own copy of the payload.
      for (const handler of [...handlers]) {
        try {
          handler(structuredClone(event));
        } catch (error) {
          queueMicrotask(() => {
            throw error;
          });
        }
      }
    },
  });
}

/** Node's side of the page's byte packing (installParley): { __bytes: number[] } ↔ Uint8Array. */
function unpackBytes(x: unknown): unknown {
  if (x === null || typeof x !== 'object' || Array.isArray(x)) return x;
  const o = x as Record<string, unknown>;
  if (Array.isArray(o['__bytes'])) return new Uint8Array(o['__bytes'] as number[]);
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, unpackBytes(v)]));
}

function packBytes(x: unknown): unknown {
  if (x instanceof Uint8Array) return { __bytes: Array.from(x) };
  if (x === null || typeof x !== 'object') return x;
  if (Array.isArray(x)) return x.map(packBytes);
  return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, packBytes(v)]));
}

let nextPageId = 1;

/** One simulated person: a browser context and page, a data folder, and the app's main-process logic. */
export class Person {
  readonly label: string;
  readonly userData: string;
  readonly paths: AppPaths;
  readonly context: BrowserContext;
  readonly page: Page;
  /** Every event the core emitted (across restarts), for diagnostics. */
  readonly events: ParleyEvent[] = [];
  /** The controller's diagnostic lines, for the report of a failed test. */
  readonly logs: string[] = [];
  /** Links the renderer asked to open (the bridge answers "Cancel", so nothing opens). */
  readonly openedLinks: string[] = [];
  /**
   * The OS side of files. The bridge never opens a file or a file manager for real (a test machine
   * has no desktop to open them on, and a test must not launch programs): it records what main
   * would have opened. pickFile answers the next path a test set; dropFiles maps a dropped File's
   * name to its path on disk, as webUtils.getPathForFile does in the preload.
   */
  readonly files = { pick: null as string | null, folder: null as string | null, confirmRunnable: false, confirmAsked: [] as string[], opened: [] as string[], shown: [] as string[], dropFiles: new Map<string, string>() };
  readonly #location: PageLocation;
  readonly #options: PersonOptions;
  readonly #pageId = nextPageId++;
  #controller: AppController | null = null;
  #router: IpcRouter | null = null;
  #queue: Promise<void> = Promise.resolve();

  private constructor(label: string, userData: string, context: BrowserContext, page: Page, origin: string, options: PersonOptions) {
    this.label = label;
    this.userData = userData;
    this.paths = appPaths(userData);
    this.context = context;
    this.page = page;
    this.#location = { kind: 'dev', url: `${origin}/` };
    this.#options = options;
  }

  /** A new person with an empty data folder and a page that has not loaded anything yet. */
  static async create(browser: Browser, origin: string, label: string, options: PersonOptions = {}, userData?: string): Promise<Person> {
    const folder = userData ?? (await mkdtemp(join(tmpdir(), `parley-e2e-${label.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-`)));
    const context = await browser.newContext({ viewport: WINDOW_SIZE, colorScheme: 'light', locale: 'en-GB', timezoneId: 'Europe/London' });
    const page = await context.newPage();
    const person = new Person(label, folder, context, page, origin, options);
    await page.exposeBinding(BINDING, (source, channel: unknown, args: unknown) => person.#invoke(source.frame, channel, args));
    await page.exposeBinding(PATH_FOR_FILE, (_source, name: unknown) => person.files.dropFiles.get(String(name)) ?? '');
    await page.addInitScript(installParley, { channels: Object.entries(CHANNELS), binding: BINDING, dispatch: DISPATCH, pathForFile: PATH_FOR_FILE });
    page.on('pageerror', (error) => person.logs.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') person.logs.push(`console ${message.type()}: ${message.text()}`);
    });
    return person;
  }

  /** The running controller (throws while the app is closed). */
  get controller(): AppController {
    if (this.#controller === null) throw new Error(`${this.label}: the app is not running`);
    return this.#controller;
  }

  /** The renderer's URL. */
  get url(): string {
    return this.#location.url;
  }

  /** Launches the app: a new controller over the data folder, then the window loads the renderer. */
  async launch(): Promise<void> {
    if (this.#controller !== null) throw new Error(`${this.label}: already running`);
    const held = new HeldEvents((event) => this.#push(event));
    const log = (line: string): void => void this.logs.push(line);
    const controller = new AppController({
      paths: this.paths,
      keychain: NO_KEYCHAIN,
      onEvent: (event) => this.#push(event),
      ...(this.#options.startup === true ? { onReady: (service: ParleyService) => void resumeAtStart(service, { emit: (event) => held.offer(event), log }) } : {}),
      log: (line) => this.logs.push(line),
      service: { ...FAST, dht: OFFLINE_DHT, discovery: FAKE_LAN, ...this.#options.service },
      ...(this.#options.scryptLogN === undefined ? {} : { scryptLogN: this.#options.scryptLogN }),
    });
    const platform: Platform = {
      confirmOpenLink: (url) => {
        this.openedLinks.push(url);
        return Promise.resolve(false);
      },
      openExternal: () => Promise.reject(new Error('the bridge never opens links')),
      pickFile: () => Promise.resolve(this.files.pick),
      pickFolder: () => Promise.resolve(this.files.folder),
      confirmOpenRunnable: (name) => {
        this.files.confirmAsked.push(name);
        return Promise.resolve(this.files.confirmRunnable);
      },
      openPath: (path) => {
        this.files.opened.push(path);
        return Promise.resolve();
      },
      showInFolder: (path) => {
        this.files.shown.push(path);
      },
    };
    this.#router = createIpcRouter({
      handlers: createHandlers(controller, platform, { onStatus: () => setImmediate(() => held.pageReady()) }),
      trusted: () => ({ webContentsId: this.#pageId, page: this.#location }),
      log: (line) => this.logs.push(line),
    });
    this.#controller = controller;
    controller.start();
    await this.page.goto(this.#location.url);
  }

  /** Quits the app: the window goes away, then the core closes its sessions and its database. */
  async quit(): Promise<void> {
    const controller = this.#controller;
    if (controller === null) return;
    await this.page.goto('about:blank');
    this.#controller = null;
    this.#router = null;
    await controller.close();
    await this.#queue;
  }

  /** Quits and launches again on the same data folder. */
  async restart(): Promise<void> {
    await this.quit();
    await this.launch();
  }

  /** Quits, closes the browser context, and removes the data folder unless `keepData`. */
  async dispose(keepData = false): Promise<void> {
    await this.quit().catch((error: unknown) => this.logs.push(`quit failed: ${String(error)}`));
    await this.context.close().catch(() => undefined);
    if (!keepData) await rm(this.userData, { recursive: true, force: true });
  }

  async #invoke(frame: { url(): string; parentFrame(): unknown }, channel: unknown, args: unknown): Promise<unknown> {
    const router = this.#router;
    // Like ipcRenderer.invoke with no handler registered: the call rejects.
    if (router === null) throw new Error(`No handler registered for '${String(channel)}'`);
    const sender: SenderInfo = { webContentsId: this.#pageId, frame: { isMainFrame: frame.parentFrame() === null, url: frame.url() } };
    // The router refuses anything but a registry channel and an array of plain arguments.
    const list = Array.isArray(args) ? args.map(unpackBytes) : args;
    return packBytes(await router(typeof channel === 'string' ? channel : String(channel), sender, list as readonly unknown[]));
  }

  #push(event: ParleyEvent): void {
    this.events.push(event);
    const page = this.page;
    // One event at a time, in emission order; dropped while the window does not show the renderer.
    this.#queue = this.#queue.then(async () => {
      if (page.isClosed() || !isOurPageUrl(page.url(), this.#location)) return;
      await page.evaluate(([fn, e]) => (globalThis as unknown as Record<string, ((x: unknown) => void) | undefined>)[fn as string]?.(e), [DISPATCH, event] as const).catch(() => undefined);
    });
  }
}

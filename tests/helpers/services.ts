/**
 * Several ParleyServices in one process for the integration tests: each with its own temp data
 * directory (fs.mkdtemp, key-file sealer), its own name, every event collected, and fast timers
 * injected through ServiceOptions so that keepalive and backoff run in about a second.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKeyFileSealer } from '../../src/core/identity/key-file-sealer.ts';
import { ParleyService, type ServiceOptions } from '../../src/core/service/parley-service.ts';
import { openDataDir } from '../../src/core/storage/data-dir.ts';
import type { HostingDto, ParleyEvent } from '../../src/shared/dto.ts';

/** An event of one type. */
export type EventOf<K extends ParleyEvent['type']> = Extract<ParleyEvent, { type: K }>;

/** Service options without the store (the helper opens it). */
export type NodeOptions = Partial<Omit<ServiceOptions, 'store' | 'keyProtection'>>;

/** Timers short enough for tests but long enough not to fire during a normal exchange on a busy CI machine. */
export const FAST: NodeOptions = {
  sessionTimers: { pingAfterMs: 10_000, idleTimeoutMs: 30_000 },
  handshakeTimeoutMs: 5_000,
  connectTimeoutMs: 2_000,
  backoff: { initialMs: 100, maxMs: 1_000, jitter: 0 },
};

/** How long a test waits for an event before it fails (well under Vitest's own timeout). */
export const EVENT_TIMEOUT_MS = 5_000;

/** One service under test, with its data directory and everything it emitted. */
export type TestNode = {
  readonly service: ParleyService;
  readonly dir: string;
  readonly name: string;
  readonly fingerprint: string;
  readonly events: ParleyEvent[];
  /** When each event was emitted (Date.now(), same index as events). */
  readonly times: number[];
  /** The service's diagnostic lines, with the time each was written. */
  readonly logs: { readonly at: number; readonly line: string }[];
  /** The number of events so far: pass it to waitFor to wait only for later ones. */
  mark(): number;
  /** The first event of `type` at index >= since that satisfies `pred`; rejects after timeoutMs. */
  waitFor<K extends ParleyEvent['type']>(type: K, pred?: (e: EventOf<K>) => boolean, options?: { since?: number; timeoutMs?: number }): Promise<EventOf<K>>;
  /** Every event of `type` so far. */
  all<K extends ParleyEvent['type']>(type: K): EventOf<K>[];
  /** host({ port, bind: 127.0.0.1 }). */
  host(port?: number): Promise<HostingDto>;
  /** Closes the service (idempotent). */
  close(): Promise<void>;
  /** Closes and opens a new service on the same data directory (a restart). */
  restart(options?: NodeOptions): Promise<TestNode>;
};

const dirs: string[] = [];
const open = new Set<TestNode>();

/** A fresh owner-only temp directory, removed by cleanupNodes. */
export async function tempDir(prefix = 'parley-it-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

/** Opens a service on `dir` (a new temp dir by default) named `name`. */
export async function startNode(name: string, options: NodeOptions = {}, dir?: string): Promise<TestNode> {
  const dataDir = dir ?? join(await tempDir(), 'data');
  const store = openDataDir(dataDir, { sealer: createKeyFileSealer(dataDir) });
  if (store.settings.getDisplayName() !== name) store.settings.setDisplayName(name);
  const events: ParleyEvent[] = [];
  const times: number[] = [];
  const logs: { at: number; line: string }[] = [];
  // acceptRequests: the suites written before message requests (issue 12) join by bare address and
  // expect a contact on the host; the request suites pass acceptRequests: false (the app's default).
  const service = new ParleyService({ store, keyProtection: 'key-file', acceptRequests: true, ...FAST, ...options, log: (line) => logs.push({ at: Date.now(), line }) });
  const waiters = new Set<() => void>();
  service.on((e) => {
    events.push(e);
    times.push(Date.now());
    for (const w of [...waiters]) w();
  });
  let closed = false;
  const node: TestNode = {
    service,
    dir: dataDir,
    name,
    fingerprint: store.identity.fingerprint,
    events,
    times,
    logs,
    mark: () => events.length,
    waitFor(type, pred = () => true, { since = 0, timeoutMs = EVENT_TIMEOUT_MS } = {}) {
      type E = EventOf<typeof type>;
      const find = (): E | undefined => events.slice(since).find((e): e is E => e.type === type && pred(e as E)) as E | undefined;
      const found = find();
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const e = find();
          if (!e) return;
          cleanup();
          resolve(e);
        };
        const timer = setTimeout(() => {
          cleanup();
          const seen = events.slice(since).map((e) => e.type).join(', ');
          reject(new Error(`${name}: no '${type}' event within ${timeoutMs} ms (saw: ${seen || 'nothing'}; log: ${logs.slice(-3).map((l) => l.line).join(' | ')})`));
        }, timeoutMs);
        const cleanup = (): void => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
      });
    },
    all: (type) => events.filter((e) => e.type === type) as never,
    host: (port = 0) => service.host({ port, bind: '127.0.0.1' }),
    async close() {
      if (closed) return;
      closed = true;
      open.delete(node);
      await service.close();
    },
    async restart(next = options) {
      await node.close();
      return startNode(name, next, dataDir);
    },
  };
  open.add(node);
  return node;
}

/** Starts n nodes named `${prefix}${i}`. */
export function startNodes(n: number, prefix: string, options: NodeOptions = {}): Promise<TestNode[]> {
  return Promise.all(Array.from({ length: n }, (_, i) => startNode(`${prefix}${i}`, options)));
}

/** A host node already listening on an ephemeral port of 127.0.0.1. */
export async function startHost(name = 'Host', options: NodeOptions = {}): Promise<{ node: TestNode; hosting: HostingDto }> {
  const node = await startNode(name, options);
  return { node, hosting: await node.host(0) };
}

/** Closes every node still open and removes every temp directory (call from afterEach). */
export async function cleanupNodes(): Promise<void> {
  for (const node of [...open]) await node.close().catch(() => undefined);
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
}

/** Polls `cond` every 5 ms; for states that have no event (prefer waitFor where one exists). */
export async function until(cond: () => boolean, what: string, timeoutMs = EVENT_TIMEOUT_MS): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** 127.0.0.1:port as the service writes addresses. */
export function addressOf(port: number): string {
  return `127.0.0.1:${port}`;
}

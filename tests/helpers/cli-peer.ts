/**
 * The headless peer as a child process, driven the way scripts drive it (CLI.md): spawn
 * `node --experimental-strip-types … src/cli/main.ts <args>` from the project root, read JSON
 * lines from stdout, write lines to stdin. Every stdout line is checked to be a JSON object with
 * a string `event`; anything else is recorded in `nonJson` for the test to assert on.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { expect } from 'vitest';

/** The project root (the CLI is run from there, as `npm run peer` does). */
export const ROOT = join(import.meta.dirname, '..', '..');

/** The node arguments of the `peer` npm script. */
export const PEER_ARGS = ['--experimental-strip-types', '--no-warnings=ExperimentalWarning', 'src/cli/main.ts'];

/** One JSON line the peer printed. */
export type CliEvent = { readonly event: string; readonly [member: string]: unknown };

/** How the process ended. */
export type Exit = { readonly code: number | null; readonly signal: NodeJS.Signals | null };

/** A running headless peer. */
export type CliPeer = {
  readonly proc: ChildProcess;
  /** Every JSON event printed so far, in order. */
  readonly events: CliEvent[];
  /** Stdout lines that were not a JSON object with a string `event`. */
  readonly nonJson: string[];
  /** Everything written to stderr so far. */
  stderr(): string;
  /** The first event named `event` (at index >= since) that satisfies `pred`. */
  waitFor(event: string, pred?: (e: CliEvent) => boolean, options?: { since?: number; timeoutMs?: number }): Promise<CliEvent>;
  /** Events named `event` so far. */
  all(event: string): CliEvent[];
  /** Writes `line` and LF to stdin. */
  send(line: string): void;
  /** Writes raw text to stdin. */
  write(text: string): void;
  /** Writes a JSON command line. */
  command(cmd: Record<string, unknown>): void;
  /** Closes stdin (end of input). */
  end(): void;
  /** Resolves once the process has exited and all its output has been read. */
  readonly exited: Promise<Exit>;
  kill(signal?: NodeJS.Signals): void;
};

const running = new Set<ChildProcess>();

/** Spawns the peer with `args` (e.g. ['host', '--port', '0', '--json']). */
export function spawnPeer(args: readonly string[], options: { env?: NodeJS.ProcessEnv; command?: readonly string[] } = {}): CliPeer {
  const [file, ...pre] = options.command ?? [process.execPath, ...PEER_ARGS];
  const proc = spawn(file as string, [...pre, ...args], { cwd: ROOT, env: options.env ?? { ...process.env, PARLEY_PASSPHRASE: '' }, stdio: ['pipe', 'pipe', 'pipe'] });
  running.add(proc);
  const events: CliEvent[] = [];
  const nonJson: string[] = [];
  let stderr = '';
  let buffer = '';
  const waiters = new Set<() => void>();
  let exitedFlag = false;
  // 'close', not 'exit': only then has all of stdout been read, so `events` is complete.
  const exited = new Promise<Exit>((resolve) => {
    proc.once('close', (code, signal) => {
      running.delete(proc);
      exitedFlag = true;
      if (buffer !== '') nonJson.push(`(no final LF) ${buffer}`);
      for (const w of [...waiters]) w();
      resolve({ code, signal });
    });
  });
  proc.stdout?.setEncoding('utf8');
  proc.stdout?.on('data', (chunk: string) => {
    buffer += chunk;
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        parsed = null;
      }
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) && typeof (parsed as { event?: unknown }).event === 'string') {
        events.push(parsed as CliEvent);
      } else nonJson.push(line);
    }
    for (const w of [...waiters]) w();
  });
  proc.stderr?.setEncoding('utf8');
  proc.stderr?.on('data', (chunk: string) => (stderr += chunk));
  proc.stdin?.on('error', () => undefined); // the peer may exit before reading everything
  const peer: CliPeer = {
    proc,
    events,
    nonJson,
    stderr: () => stderr,
    waitFor(event, pred = () => true, { since = 0, timeoutMs = 20_000 } = {}) {
      const find = (): CliEvent | undefined => events.slice(since).find((e) => e.event === event && pred(e));
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const e = find();
          if (e) {
            cleanup();
            resolve(e);
          } else if (exitedFlag) {
            cleanup();
            reject(new Error(`the peer exited without a '${event}' event; events: ${JSON.stringify(events)}; stderr: ${stderr.slice(-500)}`));
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`no '${event}' event within ${timeoutMs} ms; events: ${JSON.stringify(events).slice(-1500)}; stderr: ${stderr.slice(-500)}`));
        }, timeoutMs);
        const cleanup = (): void => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    all: (event) => events.filter((e) => e.event === event),
    send: (line) => void proc.stdin?.write(`${line}\n`),
    write: (text) => void proc.stdin?.write(text),
    command: (cmd) => void proc.stdin?.write(`${JSON.stringify(cmd)}\n`),
    end: () => void proc.stdin?.end(),
    exited,
    kill: (signal = 'SIGTERM') => void proc.kill(signal),
  };
  return peer;
}

/** Kills every peer still running (call from afterEach). */
export async function killPeers(): Promise<void> {
  const procs = [...running];
  for (const p of procs) p.kill('SIGKILL');
  await Promise.all(procs.map((p) => new Promise((r) => (p.exitCode !== null || p.signalCode !== null ? r(null) : p.once('close', r)))));
}

/** A host peer on 127.0.0.1 (an ephemeral port by default); resolves once it printed `listening`. */
export async function spawnHost(data: string, extra: readonly string[] = [], port = 0): Promise<{ peer: CliPeer; port: number; invite: string; fingerprint: string }> {
  const peer = spawnPeer(['host', '--port', String(port), '--data', data, '--json', ...extra]);
  const ready = await peer.waitFor('ready');
  const listening = await peer.waitFor('listening');
  return { peer, port: listening['port'] as number, invite: listening['invite'] as string, fingerprint: ready['fingerprint'] as string };
}

const FP = /^[0-9a-f]{64}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const isFp = (v: unknown): boolean => typeof v === 'string' && FP.test(v);
const isString = (v: unknown): boolean => typeof v === 'string';
const isId = (v: unknown): boolean => typeof v === 'string' && UUID.test(v);
const isSize = (v: unknown): boolean => Number.isSafeInteger(v) && (v as number) >= 0;
const isSha = (v: unknown): boolean => typeof v === 'string' && /^[0-9a-f]{64}$/.test(v);

/** The members CLI.md requires of each event, with their types (additions are allowed). */
export const EVENT_SHAPES: Readonly<Record<string, Readonly<Record<string, (v: unknown) => boolean>>>> = {
  identity: { fingerprint: isFp, publicKey: (v) => typeof v === 'string' && v.startsWith('-----BEGIN PUBLIC KEY-----\n') },
  ready: { fingerprint: isFp, name: isString },
  listening: { host: isString, port: (v) => Number.isInteger(v) && (v as number) > 0 && (v as number) < 65536, invite: (v) => typeof v === 'string' && v.startsWith('parley://') },
  connected: { peer: isFp, name: isString, verified: (v) => typeof v === 'boolean', safetyNumber: (v) => typeof v === 'string' && /^\d{5}( \d{5}){11}$/.test(v) },
  message: { peer: isFp, id: (v) => typeof v === 'string' && UUID.test(v), ts: (v) => Number.isSafeInteger(v) && (v as number) >= 0, text: isString },
  delivered: { peer: isFp, id: (v) => typeof v === 'string' && UUID.test(v) },
  verified: { peer: isFp },
  disconnected: { peer: isFp, reason: (v) => ['closed', 'timeout', 'protocol-error', 'replaced', 'quit'].includes(v as string) },
  warning: { code: isString, message: isString },
  error: { code: isString, message: isString },
  // Additions (CLI.md): files.
  'file-sending': { peer: isFp, id: isId, name: isString, size: isSize, sha256: isSha },
  'file-offer': { peer: isFp, id: isId, name: isString, size: isSize, sha256: isSha },
  'file-progress': { peer: isFp, id: isId, bytes: isSize, size: isSize },
  'file-received': { peer: isFp, id: isId, path: isString, size: isSize, sha256: isSha },
  'file-sent': { peer: isFp, id: isId },
  'file-cancelled': { peer: isFp, id: isId, reason: isString },
  // Addition (issue 12, with --hold-requests): a new identity that did not come through our invite.
  request: { peer: isFp, name: isString },
};

/** Asserts that everything the peer printed on stdout follows CLI.md: JSON lines only, known events, required members. */
export function expectContract(peer: CliPeer): void {
  expect(peer.nonJson, 'stdout holds only JSON lines').toEqual([]);
  for (const e of peer.events) {
    const shape = EVENT_SHAPES[e.event];
    expect(shape, `a CLI.md event: ${e.event}`).toBeDefined();
    for (const [member, ok] of Object.entries(shape ?? {})) expect(ok(e[member]), `${e.event}.${member} = ${JSON.stringify(e[member])}`).toBe(true);
    // For key-changed and name-collision, `peer` is the new key.
    if (e.event === 'warning' && (e['code'] === 'key-changed' || e['code'] === 'name-collision')) expect(isFp(e['peer'])).toBe(true);
  }
}

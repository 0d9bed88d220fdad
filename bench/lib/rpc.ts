/**
 * The bench's peers run in child processes (the two sides of a connection would be apart in real
 * use). A tiny request/response protocol over the IPC channel of child_process.fork.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The same flags as the npm scripts: run TypeScript by type stripping. */
export const NODE_FLAGS = ['--experimental-strip-types', '--no-warnings=ExperimentalWarning'] as const;

type Request = { readonly id: number; readonly cmd: string; readonly args: unknown };
type Response = { readonly id: number; readonly ok: boolean; readonly result?: unknown; readonly error?: string };

const live = new Set<ChildProcess>();

/** A peer process and its calls. */
export type Peer = {
  readonly pid: number;
  /** Calls a command in the child and resolves with its result (rejects with its error). */
  call<T>(cmd: string, args?: unknown): Promise<T>;
  /** Ends the child (SIGKILL after 2 s if it does not exit, 30 s when profiling). */
  stop(): Promise<void>;
};

/**
 * Starts `bench/peers/<name>.ts` in its own Node process; with `netns`, inside that network
 * namespace (P9's NAT lab): `ip netns exec NS node …` execs node in place, so the IPC channel's
 * file descriptor and the pid carry over.
 */
export async function startPeer(name: string, extraExecArgv: readonly string[] = [], options: { netns?: string } = {}): Promise<Peer> {
  const script = fileURLToPath(new URL(`../peers/${name}.ts`, import.meta.url));
  // BENCH_CPU_PROF=DIR profiles every peer process too (the bench itself: node --cpu-prof).
  const prof = process.env['BENCH_CPU_PROF'] ? ['--cpu-prof', `--cpu-prof-dir=${process.env['BENCH_CPU_PROF']}`] : [];
  const execArgv = [...NODE_FLAGS, ...prof, ...extraExecArgv];
  const inNs = options.netns ? { execPath: 'ip', execArgv: ['netns', 'exec', options.netns, process.execPath, ...execArgv] } : { execArgv };
  const child = fork(script, [], { ...inNs, stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' });
  live.add(child);
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  child.on('message', (m: Response) => {
    const w = waiting.get(m.id);
    if (!w) return;
    waiting.delete(m.id);
    if (m.ok) w.resolve(m.result);
    else w.reject(new Error(`${name}: ${m.error}`));
  });
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      live.delete(child);
      for (const w of waiting.values()) w.reject(new Error(`${name} exited (${code ?? signal})`));
      waiting.clear();
      resolve();
    }),
  );
  const peer: Peer = {
    pid: child.pid ?? -1,
    call<T>(cmd: string, args: unknown = null): Promise<T> {
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
        child.send({ id, cmd, args } satisfies Request);
      });
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), prof.length > 0 ? 30_000 : 2000); // a profile takes a while to write
      await exited;
      clearTimeout(timer);
    },
  };
  await peer.call('ping');
  return peer;
}

/** Kills every peer this process started that is still alive (used when a part runs out of time). */
export function killAllPeers(): void {
  for (const child of live) child.kill('SIGKILL');
}

/** In a peer process: answers calls with the given handlers. */
export function serve(handlers: Record<string, (args: never) => unknown>): void {
  const all: Record<string, (args: never) => unknown> = { ping: () => 'pong', ...handlers };
  process.on('message', (m: Request) => {
    const h = all[m.cmd];
    Promise.resolve()
      .then(() => {
        if (!h) throw new Error(`unknown command ${m.cmd}`);
        return h(m.args as never);
      })
      .then(
        (result) => process.send?.({ id: m.id, ok: true, result } satisfies Response),
        (err: unknown) => process.send?.({ id: m.id, ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) } satisfies Response),
      );
  });
  process.on('SIGTERM', () => process.exit(0));
  process.on('disconnect', () => process.exit(0));
}

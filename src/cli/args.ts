/** The headless peer's command line (CLI.md), parsed from unknown strings into a checked shape. */

export type CliArgs =
  | { readonly command: 'host'; readonly port: number; readonly bind: string; readonly announce: boolean; readonly common: Common; readonly reach: Reach; readonly files: Files }
  | { readonly command: 'join'; readonly target: string; readonly common: Common; readonly reach: Reach; readonly files: Files }
  | { readonly command: 'id'; readonly common: Common }
  | { readonly command: 'discover'; readonly timeoutMs: number; readonly common: Common };

/** holdRequests: new identities are message requests (held) instead of contacts (the default here, CLI.md). */
type Common = { readonly data: string | null; readonly name: string | null; readonly json: boolean; readonly holdRequests: boolean };

/** A HyperDHT node address (bootstrap), as given on the command line. */
export type HostPort = { readonly host: string; readonly port: number };

/** HyperDHT use (CLI.md "Additions"): off unless --dht, --dht-bootstrap or --dht-relay is given. */
export type Reach = {
  readonly dht: boolean;
  /** Replaces HyperDHT's public bootstrap nodes; null keeps them. */
  readonly bootstrap: readonly HostPort[] | null;
  /** A blind relay's public key (64 hex) to connect through when hole punching fails; null for none. */
  readonly relay: string | null;
};

/** Incoming files: accepted into `acceptDir` (null: they wait for an accept-file command) up to `maxFileSize`. */
export type Files = { readonly acceptDir: string | null; readonly maxFileSize: number };

/** The default --max-file-size: 4 GiB. */
export const DEFAULT_MAX_FILE_SIZE = 4 * 1024 ** 3;

/** A command line that does not follow CLI.md. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export const USAGE = `usage:
  npm run --silent peer -- host [--port N] [--bind ADDR] [--data DIR] [--name NAME] [--json]
                                [--dht] [--dht-bootstrap HOST:PORT[,HOST:PORT...]] [--dht-relay KEY] [--announce]
                                [--accept-files DIR] [--max-file-size BYTES] [--hold-requests]
  npm run --silent peer -- join INVITE_OR_HOST:PORT      [--data DIR] [--name NAME] [--json]
                                [--dht] [--dht-bootstrap ...] [--dht-relay KEY] [--accept-files DIR] [--max-file-size BYTES]
  npm run --silent peer -- id   [--data DIR] [--json]
  npm run --silent peer -- discover [--timeout SECONDS] [--json]
input: one line per message, or a JSON command. A plain line goes to the joined peer (join) or,
  for host, to the first verified peer (already verified, or by {"cmd":"verify","peer":"<fp>"});
  never to whoever connected last. Any other peer: {"cmd":"send","peer":"<fp>","text":"…"} (with
  "reply":"<message id>" to reply). New identities are contacts unless --hold-requests; then
  {"cmd":"accept","peer":"<fp>"} accepts a request.`;

const REACH_FLAGS = ['--dht', '--dht-bootstrap', '--dht-relay', '--accept-files', '--max-file-size', '--hold-requests'];
const FLAGS: Record<string, readonly string[]> = {
  host: ['--port', '--bind', '--data', '--name', '--json', '--announce', ...REACH_FLAGS],
  join: ['--data', '--name', '--json', ...REACH_FLAGS],
  id: ['--data', '--json'],
  discover: ['--timeout', '--json'],
};
// Flags that take no value.
const SWITCHES = new Set(['--json', '--dht', '--announce', '--hold-requests']);
const COMMANDS = 'use host, join, id or discover';

/** Parses argv (without node and the script). Throws UsageError with a plain sentence. */
export function parseArgs(argv: readonly string[]): CliArgs {
  const [command, ...rest] = argv;
  if (command === undefined) throw new UsageError(`no command given: ${COMMANDS}`);
  const allowed = Object.hasOwn(FLAGS, command) ? FLAGS[command] : undefined;
  if (!allowed) throw new UsageError(`unknown command ${JSON.stringify(command)}: ${COMMANDS}`);
  const values = new Map<string, string>();
  const switches = new Set<string>();
  const positional: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] as string;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const flag = eq > 0 ? arg.slice(0, eq) : arg;
      if (!allowed.includes(flag)) throw new UsageError(`${command} does not take ${flag}`);
      if (SWITCHES.has(flag)) {
        if (eq > 0) throw new UsageError(`${flag} takes no value`);
        switches.add(flag);
        continue;
      }
      if (values.has(flag)) throw new UsageError(`${flag} is given twice`);
      const value = eq > 0 ? arg.slice(eq + 1) : rest[++i];
      if (value === undefined) throw new UsageError(`${flag} needs a value`);
      values.set(flag, value);
    } else positional.push(arg);
  }
  const data = values.get('--data') ?? null;
  if (data === '') throw new UsageError('--data needs a directory');
  const common: Common = { data, name: values.get('--name') ?? null, json: switches.has('--json'), holdRequests: switches.has('--hold-requests') };
  if (command === 'join') {
    if (positional.length !== 1) throw new UsageError('join takes exactly one INVITE_OR_HOST:PORT');
    return { command, target: positional[0] as string, common, reach: parseReach(values, switches), files: parseFiles(values) };
  }
  if (positional.length > 0) throw new UsageError(`${command} takes no argument ${JSON.stringify(positional[0])}`);
  if (command === 'id') return { command, common };
  if (command === 'discover') {
    const t = values.get('--timeout') ?? '3';
    // Seconds, decimals allowed, up to an hour.
    if (!/^(0|[1-9][0-9]{0,3})(\.[0-9]{1,3})?$/.test(t) || Number(t) <= 0 || Number(t) > 3600) {
      throw new UsageError(`--timeout must be a number of seconds above 0 and at most 3600, not ${JSON.stringify(t)}`);
    }
    return { command, timeoutMs: Math.round(Number(t) * 1000), common };
  }
  const portText = values.get('--port') ?? '47800';
  if (!/^(0|[1-9][0-9]{0,4})$/.test(portText) || Number(portText) > 65535) throw new UsageError(`--port must be 0 to 65535, not ${JSON.stringify(portText)}`);
  const bind = values.get('--bind') ?? '127.0.0.1';
  if (bind === '') throw new UsageError('--bind needs an address');
  return { command: 'host', port: Number(portText), bind, announce: switches.has('--announce'), common, reach: parseReach(values, switches), files: parseFiles(values) };
}

function parseReach(values: Map<string, string>, switches: Set<string>): Reach {
  const list = values.get('--dht-bootstrap');
  let bootstrap: HostPort[] | null = null;
  if (list !== undefined) {
    bootstrap = list.split(',').map((item) => {
      // HOST:PORT, or [IPv6]:PORT.
      const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):([1-9][0-9]{0,4})$/.exec(item);
      const port = Number(m?.[3]);
      if (!m || port > 65535) throw new UsageError(`--dht-bootstrap takes HOST:PORT[,HOST:PORT...], not ${JSON.stringify(item)}`);
      return { host: (m[1] ?? m[2]) as string, port };
    });
  }
  const relay = values.get('--dht-relay') ?? null;
  if (relay !== null && !/^[0-9a-f]{64}$/.test(relay)) throw new UsageError('--dht-relay takes the relay\'s public key: 64 lowercase hex digits');
  // --dht-bootstrap and --dht-relay imply --dht (CLI.md).
  return { dht: switches.has('--dht') || bootstrap !== null || relay !== null, bootstrap, relay };
}

function parseFiles(values: Map<string, string>): Files {
  const acceptDir = values.get('--accept-files') ?? null;
  if (acceptDir === '') throw new UsageError('--accept-files needs a directory');
  const max = values.get('--max-file-size');
  if (max !== undefined && (!/^(0|[1-9][0-9]{0,15})$/.test(max) || !Number.isSafeInteger(Number(max)))) {
    throw new UsageError(`--max-file-size must be a whole number of bytes, not ${JSON.stringify(max)}`);
  }
  return { acceptDir, maxFileSize: max === undefined ? DEFAULT_MAX_FILE_SIZE : Number(max) };
}

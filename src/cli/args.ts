/** The headless peer's command line (CLI.md), parsed from unknown strings into a checked shape. */

export type CliArgs =
  | { readonly command: 'host'; readonly port: number; readonly bind: string; readonly common: Common }
  | { readonly command: 'join'; readonly target: string; readonly common: Common }
  | { readonly command: 'id'; readonly common: Common };

type Common = { readonly data: string | null; readonly name: string | null; readonly json: boolean };

/** A command line that does not follow CLI.md. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export const USAGE = `usage:
  npm run --silent peer -- host [--port N] [--bind ADDR] [--data DIR] [--name NAME] [--json]
  npm run --silent peer -- join INVITE_OR_HOST:PORT      [--data DIR] [--name NAME] [--json]
  npm run --silent peer -- id   [--data DIR] [--json]`;

const FLAGS: Record<string, readonly string[]> = {
  host: ['--port', '--bind', '--data', '--name', '--json'],
  join: ['--data', '--name', '--json'],
  id: ['--data', '--json'],
};

/** Parses argv (without node and the script). Throws UsageError with a plain sentence. */
export function parseArgs(argv: readonly string[]): CliArgs {
  const [command, ...rest] = argv;
  if (command === undefined) throw new UsageError('no command given: use host, join or id');
  const allowed = FLAGS[command];
  if (!allowed) throw new UsageError(`unknown command ${JSON.stringify(command)}: use host, join or id`);
  const values = new Map<string, string>();
  let json = false;
  const positional: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] as string;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const flag = eq > 0 ? arg.slice(0, eq) : arg;
      if (!allowed.includes(flag)) throw new UsageError(`${command} does not take ${flag}`);
      if (flag === '--json') {
        if (eq > 0) throw new UsageError('--json takes no value');
        json = true;
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
  const common: Common = { data, name: values.get('--name') ?? null, json };
  if (command === 'join') {
    if (positional.length !== 1) throw new UsageError('join takes exactly one INVITE_OR_HOST:PORT');
    return { command, target: positional[0] as string, common };
  }
  if (positional.length > 0) throw new UsageError(`${command} takes no argument ${JSON.stringify(positional[0])}`);
  if (command === 'id') return { command, common };
  const portText = values.get('--port') ?? '47800';
  if (!/^(0|[1-9][0-9]{0,4})$/.test(portText) || Number(portText) > 65535) throw new UsageError(`--port must be 0 to 65535, not ${JSON.stringify(portText)}`);
  const bind = values.get('--bind') ?? '127.0.0.1';
  if (bind === '') throw new UsageError('--bind needs an address');
  return { command: 'host', port: Number(portText), bind, common };
}

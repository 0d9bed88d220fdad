/**
 * The one path of every IPC call, without Electron: check the sender, refuse a wrong number of
 * arguments, parse them from `unknown` with the channel's schema, run the handler, and answer with
 * a Result. A ServiceError keeps its code and sentence; anything else is logged and answered with
 * a generic 'internal' error, so no stack or path leaks to the page.
 */
import * as v from 'valibot';
import { ServiceError } from '../core/service/errors.ts';
import { CHANNELS, type Channel } from '../shared/ipc/channels.ts';
import { ARGS } from '../shared/ipc/schemas.ts';
import { err, ok, type Result } from '../shared/result.ts';
import type { HandlerTable } from './handlers.ts';
import { checkSender, type SenderInfo, type TrustedSender } from './sender.ts';

/** Answers one call: the channel, who sent it, and its raw arguments. Never throws. */
export type IpcRouter = (channel: string, sender: SenderInfo, args: readonly unknown[]) => Promise<Result<unknown>>;

/** What the router needs. */
export type RouterOptions = {
  readonly handlers: HandlerTable;
  /** Who may call, read at each call (the window can be re-created on macOS). */
  readonly trusted: () => TrustedSender;
  readonly log: (line: string) => void;
};

/** The message of a refused sender: the same whatever the reason, which only the log records. */
export const SENDER_REFUSED = 'refused: this request did not come from Parley’s own window';

const GENERIC_INTERNAL = 'Something went wrong inside Parley; the details are in its log.';

/** Builds the router. */
export function createIpcRouter(options: RouterOptions): IpcRouter {
  return async (channel, sender, args) => {
    if (!Object.hasOwn(CHANNELS, channel)) return err('bad-input', 'unknown request');
    const c = channel as Channel;
    const refused = checkSender(sender, options.trusted());
    if (refused !== null) {
      options.log(`refused ${c} from webContents ${sender.webContentsId}: ${refused}`);
      return err('bad-input', SENDER_REFUSED);
    }
    if (!Array.isArray(args)) return err('bad-input', `${c}: bad arguments`);
    const schema = ARGS[c];
    // valibot's tuple drops extra items silently; a caller that sends more is not our preload.
    if (args.length > schema.items.length) return err('bad-input', `${c} takes ${schema.items.length} argument(s), got ${args.length}`);
    // No channel takes an array, a Date, a Map or any class instance but a byte array, while
    // valibot's object schemas accept them as `{}` (e.g. settings:set([]) would pass): refuse them first.
    if (!args.every((a) => isPlainArgument(a, 0))) return err('bad-input', `${c}: arguments must be plain values and objects`);
    const parsed = v.safeParse(schema, args);
    if (!parsed.success) return err('bad-input', `${c}: ${describeIssue(parsed.issues[0])}`);
    try {
      const handler = options.handlers[c] as (...a: readonly unknown[]) => unknown;
      return ok(await handler(...parsed.output));
    } catch (error) {
      if (error instanceof ServiceError) return err(error.code, error.message);
      options.log(`${c} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      return err('internal', GENERIC_INTERNAL);
    }
  };
}

const MAX_ARGUMENT_DEPTH = 4;

/** Strings, numbers, booleans, null, undefined, byte arrays (a pasted image), and ordinary objects of those, a few levels deep. */
export function isPlainArgument(x: unknown, depth: number): boolean {
  if (x === null || x === undefined) return true;
  const t = typeof x;
  if (t === 'string' || t === 'number' || t === 'boolean') return true;
  if (x instanceof Uint8Array && Object.getPrototypeOf(x) === Uint8Array.prototype) return true;
  if (t !== 'object' || Array.isArray(x) || depth >= MAX_ARGUMENT_DEPTH) return false;
  const proto: unknown = Object.getPrototypeOf(x);
  if (proto !== Object.prototype && proto !== null) return false;
  return Object.values(x as object).every((value) => isPlainArgument(value, depth + 1));
}

/** A plain, bounded message for the first schema issue (never echoes the input itself). */
function describeIssue(issue: v.BaseIssue<unknown> | undefined): string {
  if (issue === undefined) return 'bad arguments';
  const path = issue.path?.map((p) => String(p.key)).join('.') ?? '';
  const where = path === '' ? '' : `argument ${path}: `;
  // valibot's default messages quote the received value; keep only our own sentences and the expectation.
  const message = /received/i.test(issue.message) ? `expected ${issue.expected ?? 'something else'}` : issue.message;
  return `${where}${message}`.slice(0, 200);
}

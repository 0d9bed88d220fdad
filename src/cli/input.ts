/**
 * Standard input for the headless peer (CLI.md "Input"): LF-terminated lines (a CR right before
 * the LF belongs to the line end; a lone CR does not end a line), each either a JSON command or a
 * plain message. Everything is parsed from unknown; nothing here throws on bad input.
 */
import * as v from 'valibot';

/** A line longer than this is refused whole (a 16,000-code-point text escaped in JSON fits easily). */
export const MAX_LINE_BYTES = 1024 * 1024;

export type InputLine =
  | { readonly kind: 'send'; readonly peer: string; readonly text: string; readonly reply: string | null }
  | { readonly kind: 'accept'; readonly peer: string }
  | { readonly kind: 'verify'; readonly peer: string }
  | { readonly kind: 'quit' }
  | { readonly kind: 'send-file'; readonly peer: string; readonly path: string }
  | { readonly kind: 'accept-file'; readonly id: string; readonly dir: string | null }
  | { readonly kind: 'cancel-file'; readonly id: string }
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'bad'; readonly message: string };

// reply: the id of the message this one replies to (checked by the service: a message of that conversation).
const Send = v.object({ cmd: v.literal('send'), peer: v.string(), text: v.string(), reply: v.optional(v.string()) });
const Accept = v.object({ cmd: v.literal('accept'), peer: v.string() });
const Verify = v.object({ cmd: v.literal('verify'), peer: v.string() });
const Quit = v.object({ cmd: v.literal('quit') });
const nonEmpty = v.pipe(v.string(), v.minLength(1));
const SendFile = v.object({ cmd: v.literal('send-file'), peer: v.string(), path: nonEmpty });
// `dir` may be left out when the peer runs with --accept-files (that folder is used).
const AcceptFile = v.object({ cmd: v.literal('accept-file'), id: v.string(), dir: v.optional(nonEmpty) });
const CancelFile = v.object({ cmd: v.literal('cancel-file'), id: v.string() });

/** Classifies one line (without its line end). */
export function parseInputLine(line: string): InputLine {
  if (line === '') return { kind: 'bad', message: 'empty line' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return { kind: 'text', text: line };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { kind: 'text', text: line };
  const cmd = (parsed as Record<string, unknown>)['cmd'];
  if (cmd === 'send') {
    const r = v.safeParse(Send, parsed);
    return r.success
      ? { kind: 'send', peer: r.output.peer, text: r.output.text, reply: r.output.reply ?? null }
      : { kind: 'bad', message: 'send needs string members peer and text (and reply, when given, a string)' };
  }
  if (cmd === 'accept') {
    const r = v.safeParse(Accept, parsed);
    return r.success ? { kind: 'accept', peer: r.output.peer } : { kind: 'bad', message: 'accept needs a string member peer' };
  }
  if (cmd === 'verify') {
    const r = v.safeParse(Verify, parsed);
    return r.success ? { kind: 'verify', peer: r.output.peer } : { kind: 'bad', message: 'verify needs a string member peer' };
  }
  if (cmd === 'quit' && v.safeParse(Quit, parsed).success) return { kind: 'quit' };
  if (cmd === 'send-file') {
    const r = v.safeParse(SendFile, parsed);
    return r.success ? { kind: 'send-file', peer: r.output.peer, path: r.output.path } : { kind: 'bad', message: 'send-file needs string members peer and path' };
  }
  if (cmd === 'accept-file') {
    const r = v.safeParse(AcceptFile, parsed);
    return r.success ? { kind: 'accept-file', id: r.output.id, dir: r.output.dir ?? null } : { kind: 'bad', message: 'accept-file needs a string member id (and dir, a directory)' };
  }
  if (cmd === 'cancel-file') {
    const r = v.safeParse(CancelFile, parsed);
    return r.success ? { kind: 'cancel-file', id: r.output.id } : { kind: 'bad', message: 'cancel-file needs a string member id' };
  }
  return { kind: 'bad', message: typeof cmd === 'string' ? `unknown command ${JSON.stringify(cmd)}` : 'a command object needs a string member cmd' };
}

/** Splits a byte stream into lines as CLI.md says; over-long lines are reported, not buffered. */
export class LineSplitter {
  #buffer = '';
  #overflow = false;
  readonly #onLine: (line: InputLine) => void;

  constructor(onLine: (line: InputLine) => void) {
    this.#onLine = onLine;
  }

  /** Feeds decoded text. */
  push(text: string): void {
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      const piece = text.slice(start, nl);
      start = nl + 1;
      if (this.#overflow) {
        this.#overflow = false;
        this.#buffer = '';
        continue;
      }
      this.#emit(this.#buffer + piece);
      this.#buffer = '';
    }
    if (this.#overflow) return;
    this.#buffer += text.slice(start);
    if (this.#buffer.length > MAX_LINE_BYTES) {
      this.#buffer = '';
      this.#overflow = true;
      this.#onLine({ kind: 'bad', message: `line longer than ${MAX_LINE_BYTES} bytes` });
    }
  }

  /** End of input: a last line without LF still counts. */
  end(): void {
    if (!this.#overflow && this.#buffer !== '') this.#emit(this.#buffer);
    this.#buffer = '';
  }

  #emit(raw: string): void {
    this.#onLine(parseInputLine(raw.endsWith('\r') ? raw.slice(0, -1) : raw));
  }
}

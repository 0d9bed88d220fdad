/**
 * The headless peer (CLI.md): `host`, `join` and `id` over the same core as the desktop app.
 * An adapter only: parsing, printing and stdin; everything else is ParleyService. Loaded by
 * main.ts (the entry point) once Node's compile cache is on; it runs the command when loaded.
 */
import { StringDecoder } from 'node:string_decoder';
import { spkiPem } from '../core/crypto/fingerprint.ts';
import { createKeyFileSealer } from '../core/identity/key-file-sealer.ts';
import { createPassphraseSealer } from '../core/identity/passphrase-sealer.ts';
import type { Sealer } from '../core/storage/sealer.ts';
import { ServiceError } from '../core/service/errors.ts';
import { ParleyService } from '../core/service/parley-service.ts';
import { openDataDir, type Store } from '../core/storage/data-dir.ts';
import { StorageError } from '../core/storage/storage-error.ts';
import type { ParleyEvent } from '../shared/dto.ts';
import { isValidLocalName } from '../shared/text.ts';
import { USAGE, UsageError, parseArgs, type CliArgs } from './args.ts';
import { defaultDataDir } from './data-dir.ts';
import { runDiscover } from './discover.ts';
import { advertise, type Advertisement } from '../core/net/discovery.ts';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { CliFiles } from './files.ts';
import { LineSplitter, type InputLine } from './input.ts';
import { Output } from './output.ts';

/** How long `quit` waits for acks of messages already sent before it closes. */
const QUIT_GRACE_MS = 3000;

async function main(argv: readonly string[]): Promise<number> {
  let args: CliArgs;
  try {
    args = parseArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    new Output(argv.includes('--json')).emit({ event: 'error', code: 'bad-input', message: err.message });
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const out = new Output(args.common.json);
  if (args.command === 'discover') return runDiscover(args.timeoutMs, out);
  if (args.common.name !== null && !isValidLocalName(args.common.name)) {
    out.emit({ event: 'error', code: 'bad-input', message: '--name must be 0 to 64 characters without control characters' });
    return 2;
  }
  const dir = args.common.data ?? defaultDataDir();
  const passphrase = process.env['PARLEY_PASSPHRASE'];
  let store: Store;
  try {
    const sealer: Sealer = passphrase ? createPassphraseSealer(passphrase) : createKeyFileSealer(dir);
    store = openDataDir(dir, { sealer });
  } catch (err) {
    const message = err instanceof StorageError || err instanceof Error ? err.message : String(err);
    out.emit({ event: 'error', code: 'data-dir', message: `cannot use the data directory ${dir}: ${message}` });
    return 1;
  }
  if (args.common.name !== null) store.settings.setDisplayName(args.common.name);
  if (args.command === 'id') {
    out.emit({ event: 'identity', fingerprint: store.identity.fingerprint, publicKey: spkiPem(store.identity.publicKey) });
    store.close();
    return 0;
  }
  return runPeer(args, store, out, passphrase ? 'passphrase' : 'key-file');
}

async function runPeer(args: Extract<CliArgs, { command: 'host' | 'join' }>, store: Store, out: Output, keyProtection: 'passphrase' | 'key-file'): Promise<number> {
  // Without --dht the CLI is one connection's worth of automation: no rejoining. With --dht it keeps
  // the conversation (CLI.md: the DHT key "lets reconnection use DHT keys"): either side rejoins
  // with backoff, and a join lasts until quit or the end of input rather than the first drop.
  // CLI.md says a key-changed or name-collision connection goes on (unverified), so sending is
  // not held here.
  const { reach } = args;
  const acceptDir = args.files.acceptDir === null ? null : resolve(args.files.acceptDir);
  if (acceptDir !== null) {
    try {
      mkdirSync(acceptDir, { recursive: true });
    } catch (err) {
      out.emit({ event: 'error', code: 'file-error', message: `cannot use --accept-files ${acceptDir}: ${err instanceof Error ? err.message : String(err)}` });
      store.close();
      return 1;
    }
  }
  const service = new ParleyService({
    store,
    keyProtection,
    autoReconnect: reach.dht,
    blockOnKeyChange: false,
    // No request UI here: new identities are contacts, as before requests existed (CLI.md), unless
    // --hold-requests; then they print `request` and their messages carry "request": true.
    acceptRequests: !args.common.holdRequests,
    ...(reach.dht ? { dht: { bootstrap: reach.bootstrap, relay: reach.relay } } : {}),
    files: { acceptDir, maxFileSize: args.files.maxFileSize },
    log: (l) => out.log(l),
  });
  let advert: Advertisement | null = null;
  let joinedPeer: string | null = null;
  // Where plain lines go (issue 11): the peer that was joined, or for a host the first peer whose
  // contact is verified (already, or by the verify command). Never the most recent connection:
  // that let any stranger who connected to a scripted host receive what was meant for the invited
  // peer. It never changes by itself; another peer needs an explicit send.
  let plainTarget: string | null = null;
  let finish!: (code: number) => void;
  const done = new Promise<number>((resolve) => (finish = resolve));
  const awaitingAck = new Set<string>();
  const files = new CliFiles(service, out, (id) => awaitingAck.add(id));

  service.on((e: ParleyEvent) => {
    switch (e.type) {
      case 'listening':
        return out.emit({ event: 'listening', host: e.hosting.host, port: e.hosting.port, invite: e.hosting.invite, ...(e.hosting.dht ? { dht: e.hosting.dht } : {}) });
      case 'hosting-changed':
        if (e.hosting.reachability) out.log(`DHT: ${e.hosting.reachability.state}: ${e.hosting.reachability.reason}`);
        return;
      case 'connected':
        if (args.command === 'host' && plainTarget === null && e.verified) plainTarget = e.peer;
        return out.emit({ event: 'connected', peer: e.peer, name: e.name, verified: e.verified, safetyNumber: e.safetyNumber, ...(reach.dht ? { path: e.connection.path } : {}) });
      case 'disconnected':
        out.emit({ event: 'disconnected', peer: e.peer, reason: e.reason });
        if (e.peer === joinedPeer && e.reason !== 'replaced' && !reach.dht && !service.connectedPeers().includes(e.peer)) finish(0);
        return;
      case 'message':
      case 'request-message': {
        const m = e.message;
        // A file offer is a message too, printed as file-offer.
        if (m.direction !== 'in' || m.kind !== 'text') return;
        const extra = { ...(m.replyTo !== null ? { reply: m.replyTo } : {}), ...(m.reactTo !== null ? { react: m.reactTo } : {}), ...(e.type === 'request-message' ? { request: true as const } : {}) };
        return out.emit({ event: 'message', peer: m.peer, id: m.id, ts: m.ts, text: m.text, ...extra });
      }
      case 'request':
        return out.emit({ event: 'request', peer: e.contact.fingerprint, name: e.contact.name });
      case 'message-state':
        if (e.state === 'delivered') {
          awaitingAck.delete(e.id);
          out.emit({ event: 'delivered', peer: e.peer, id: e.id });
        }
        return;
      case 'warning':
        return out.emit({ event: 'warning', code: e.code, message: e.message, peer: e.peer });
      case 'error':
        return out.emit({ event: 'error', code: e.code, message: e.message });
      case 'file-offer':
      case 'file-accepted':
      case 'file-progress':
      case 'file-received':
      case 'file-sent':
      case 'file-cancelled':
      case 'file-error':
        return files.onEvent(e);
      default:
        return; // contact-changed, verified (printed by the verify command), stopped-hosting
    }
  });

  out.emit({ event: 'ready', fingerprint: store.identity.fingerprint, name: store.settings.getDisplayName() });

  let quitting = false;
  const quit = async (): Promise<void> => {
    if (quitting) return;
    quitting = true;
    // Transfers in flight end first (files.ts says how long that may take); then messages already
    // on the wire get a moment to be acknowledged, so `echo hi | peer join` delivers.
    await files.settle();
    const deadline = Date.now() + QUIT_GRACE_MS;
    while (awaitingAck.size > 0 && service.connectedPeers().length > 0 && Date.now() < deadline) await sleep(20);
    await advert?.stop();
    await service.close();
    finish(0);
  };

  const handleLine = (line: InputLine): void => {
    if (quitting) return;
    try {
      switch (line.kind) {
        case 'bad':
          return out.emit({ event: 'error', code: 'bad-input', message: line.message });
        case 'quit':
          void quit();
          return;
        case 'verify':
          if (!service.hasContact(line.peer)) return out.emit({ event: 'error', code: 'no-peer', message: `no contact with fingerprint ${line.peer}` });
          service.verify(line.peer, 'fingerprint');
          if (args.command === 'host' && plainTarget === null) plainTarget = line.peer;
          return out.emit({ event: 'verified', peer: line.peer });
        case 'send':
          return sendText(line.peer, line.text, line.reply);
        case 'accept':
          if (!service.hasContact(line.peer)) return out.emit({ event: 'error', code: 'no-peer', message: `no contact with fingerprint ${line.peer}` });
          service.acceptRequest(line.peer);
          return;
        case 'send-file':
        case 'accept-file':
        case 'cancel-file':
          return files.command(line);
        case 'text': {
          const to = plainLineTarget(plainTarget, service.connectedPeers());
          if (typeof to !== 'string') return out.emit({ event: 'error', code: 'no-peer', message: to.problem });
          return sendText(to, line.text);
        }
      }
    } catch (err) {
      if (err instanceof ServiceError) out.emit({ event: 'error', code: err.code, message: err.message });
      else throw err;
    }
  };
  const sendText = (peer: string, text: string, reply: string | null = null): void => {
    const m = service.send(peer, text, reply === null ? {} : { replyTo: reply });
    if (m.state !== 'delivered') awaitingAck.add(m.id);
  };

  // While a join is connecting, input waits: quit and end of input take effect once it is decided.
  let held: InputLine[] | null = args.command === 'join' ? [] : null;
  let inputEnded = false;
  const splitter = new LineSplitter((line) => (held ? held.push(line) : handleLine(line)));
  const decoder = new StringDecoder('utf8');
  process.stdin.on('data', (chunk: Buffer) => splitter.push(decoder.write(chunk)));
  process.stdin.on('end', () => {
    splitter.push(decoder.end());
    splitter.end();
    inputEnded = true;
    if (!held) void quit();
  });
  process.stdin.on('error', () => undefined);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void quit());

  if (args.command === 'host') {
    try {
      const hosting = await service.host({ port: args.port, bind: args.bind, dht: reach.dht });
      if (args.announce) advert = advertise({ name: store.settings.getDisplayName(), port: hosting.port, fingerprint: store.identity.fingerprint, log: (l) => out.log(l) });
    } catch (err) {
      if (!(err instanceof ServiceError)) throw err;
      out.emit({ event: 'error', code: err.code === 'port-in-use' ? 'port-in-use' : err.code === 'bad-input' ? 'bad-input' : err.code, message: err.message });
      await service.close();
      return 1;
    }
  } else {
    try {
      joinedPeer = (await service.join(args.target)).peer;
      plainTarget = joinedPeer;
    } catch (err) {
      if (!(err instanceof ServiceError)) throw err;
      out.emit({ event: 'error', code: cliCode(err.code), message: err.message });
      await service.close();
      return 1;
    }
    const lines = held ?? [];
    held = null;
    for (const line of lines) handleLine(line);
    if (inputEnded) void quit();
  }
  const code = await done;
  process.stdin.destroy();
  return code;
}

/** CLI.md's join errors: every way a connection can fail is connect-failed; every handshake failure handshake-failed. */
function cliCode(code: string): string {
  if (code.startsWith('connect-')) return 'connect-failed';
  if (code === 'handshake-timeout') return 'handshake-failed';
  return code;
}

const ADDRESSED = 'address a peer with {"cmd":"send","peer":"<fingerprint>","text":"…"}';

/** The peer a plain line goes to now, or why there is none (a no-peer error). */
function plainLineTarget(target: string | null, connected: readonly string[]): string | { readonly problem: string } {
  if (target === null) {
    return { problem: `plain lines go to the first verified peer and none is verified yet: verify one with {"cmd":"verify","peer":"<fingerprint>"}, or ${ADDRESSED}` };
  }
  if (!connected.includes(target)) return { problem: `plain lines go to ${target}, which is not connected; ${ADDRESSED} (kept for it until it connects)` };
  return target;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // Sockets and stdin are closed; leave promptly even if a timer lingers.
    setImmediate(() => process.exit(code));
  },
  (err: unknown) => {
    process.stderr.write(`parley: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    if (process.argv.includes('--json')) {
      process.stdout.write(`${JSON.stringify({ event: 'error', code: 'internal', message: err instanceof Error ? err.message : String(err) })}\n`);
    }
    process.exit(70);
  },
);

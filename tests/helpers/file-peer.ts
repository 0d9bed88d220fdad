/**
 * Two TransferEngines over a real TCP connection with a real Noise handshake, each with its own
 * real store. SecureSession closes on any non-JSON plaintext until the integrator's extension
 * dispatch lands, so this helper plays the session's part with the handshake's own CipherStates:
 * decrypt each frame, route chunks and file* messages to the engine, act on its verdicts (ack,
 * close), record chat messages. Everything else (crypto, framing, TCP, disk, SQLite) is real.
 */
import { join } from 'node:path';
import { decodeChunk, decodeFileMessage, encodeFileMessage, isChunkPlaintext, isFileMessageType, type FileMessage } from '../../src/core/protocol/file-messages.ts';
import { parseJsonText, isPlainObject } from '../../src/core/protocol/json-text.ts';
import { encodeTransport, type TransportMessage } from '../../src/core/protocol/messages.ts';
import type { FileEvent, FileLink, FileVerdict } from '../../src/core/files/file-link.ts';
import type { TransferEngineOptions } from '../../src/core/files/file-link.ts';
import { TransferEngine } from '../../src/core/files/transfer-engine.ts';
import type { Store } from '../../src/core/storage/data-dir.ts';
import { generateKeyPair, type KeyPair } from '../../src/core/crypto/p256.ts';
import { join as joinPeer, startResponder, type Side } from './pair.ts';
import { openTestStore, tempDir } from '../unit/storage/helpers.ts';

const EMPTY = new Uint8Array(0);

/** One side's view of the wire, with counters for the interleaving test. */
export class FileSession {
  readonly side: Side;
  readonly peer: string;
  readonly engine: TransferEngine;
  chunksSent = 0;
  chunksReceived = 0;
  readonly chats: { text: string; chunksReceivedBefore: number }[] = [];
  readonly acks: string[] = [];
  closedReason: string | null = null;
  /** Called after each chunk this side sends (the interleaving test sends a chat from here). */
  onChunkSent: ((n: number) => void) | null = null;
  /** May alter a received chunk's data before the engine sees it (the corruption test). */
  mutateChunk: ((data: Uint8Array, n: number) => void) | null = null;
  /**
   * When it returns true for an outgoing file message, the message is lost with the connection: it
   * is not written and the connection closes right after (the lost-final test).
   */
  loseWith: ((m: FileMessage) => boolean) | null = null;
  readonly link: FileLink;
  /** Answers to this side's pings, in order (as SecureSession keeps them). */
  readonly #probes: (() => void)[] = [];

  constructor(side: Side, engine: TransferEngine) {
    this.side = side;
    this.peer = side.result.remoteFingerprint;
    this.engine = engine;
    const { conn } = side;
    this.link = {
      sendJson: (m) => {
        if (!this.loseWith?.(m)) return this.#write(encodeFileMessage(m));
        setImmediate(() => conn.close('local')); // written into a socket that dies before it is read
        return true;
      },
      sendChunk: (plaintext) => {
        this.chunksSent++;
        const ok = this.#write(plaintext);
        this.onChunkSent?.(this.chunksSent);
        return ok;
      },
      probe: (onAnswer) => {
        if (!this.#write(encodeTransport({ type: 'ping' }))) return false;
        this.#probes.push(onAnswer);
        return true;
      },
      get pendingWriteBytes() {
        return conn.socket.writableLength;
      },
      onceDrained: (cb) => {
        if (conn.closed) return;
        conn.socket.once('drain', () => !conn.closed && cb());
      },
      setReadPaused: (paused) => (paused ? conn.socket.pause() : conn.socket.resume()),
    };
    conn.setFrameHandler((frame) => this.#onFrame(frame));
    conn.onClose(() => engine.disconnect(this.peer));
  }

  /** Sends a chat message straight to the connection, as the service does. */
  sendChat(text: string): void {
    this.#write(encodeTransport({ type: 'msg', id: crypto.randomUUID(), ts: Date.now(), text }));
  }

  /** Sends a raw chunk plaintext (the adversarial tests). */
  sendRawChunk(plaintext: Uint8Array): void {
    this.#write(plaintext);
  }

  /** Sends a file message (the offer, as the outbox would). */
  sendFile(m: FileMessage): void {
    this.#write(encodeFileMessage(m));
  }

  get closed(): boolean {
    return this.side.conn.closed;
  }

  #write(plaintext: Uint8Array): boolean {
    if (this.side.conn.closed) return false;
    return this.side.conn.writeFrame(this.side.result.send.encryptWithAd(EMPTY, plaintext));
  }

  #onFrame(frame: Uint8Array): void {
    let plaintext: Uint8Array;
    try {
      plaintext = this.side.result.receive.decryptWithAd(EMPTY, frame);
    } catch {
      return this.#close('decrypt');
    }
    let verdict: FileVerdict = { verdict: 'ok' };
    if (isChunkPlaintext(plaintext)) {
      this.chunksReceived++;
      const c = decodeChunk(plaintext);
      if (c.verdict === 'deliver') this.mutateChunk?.(c.chunk.data, this.chunksReceived);
      verdict = c.verdict === 'close' ? c : this.engine.onChunk(this.peer, c.chunk);
    } else {
      const json = parseJsonText(plaintext);
      if (!json.ok || !isPlainObject(json.value)) return this.#close('not JSON');
      const obj = json.value;
      if (obj['type'] === 'msg') this.chats.push({ text: String(obj['text']), chunksReceivedBefore: this.chunksReceived });
      else if (obj['type'] === 'ack') this.acks.push(String(obj['id']));
      else if (obj['type'] === 'ping') this.#write(encodeTransport({ type: 'pong' }));
      else if (obj['type'] === 'pong') this.#probes.shift()?.();
      else if (isFileMessageType(obj['type'])) {
        const d = decodeFileMessage(obj);
        verdict = d.verdict === 'close' ? d : this.engine.onMessage(this.peer, d.message);
      }
    }
    plaintext.fill(0); // as SecureSession does: the engine must have copied what it keeps
    if (verdict.verdict === 'close') this.#close(verdict.reason);
    else if (verdict.verdict === 'ack') this.#write(encodeTransport({ type: 'ack', id: verdict.id } satisfies TransportMessage));
  }

  #close(reason: string): void {
    this.closedReason = reason;
    this.side.conn.close('protocol-error');
  }
}

/** A node: a store, an engine, its events, a downloads folder. */
export type FileNode = { store: Store; engine: TransferEngine; events: FileEvent[]; downloads: string; dataDir: string; key: KeyPair };

/** `autoAccept`: offers are accepted into the node's downloads folder (the CLI's --accept-files). */
export function fileNode(
  options: Partial<Omit<TransferEngineOptions, 'repo' | 'emit' | 'autoAcceptDir'>> & { autoAccept?: boolean } = {},
  dataDir = join(tempDir(), 'data'),
  key: KeyPair = generateKeyPair(),
  downloads = tempDir(),
): FileNode {
  const store = openTestStore(dataDir);
  const events: FileEvent[] = [];
  const { autoAccept, ...rest } = options;
  const engine = new TransferEngine({ repo: store.transfers, emit: (e) => events.push(e), autoAcceptDir: autoAccept ? downloads : null, ...rest });
  return { store, engine, events, downloads, dataDir, key };
}

/** Connects two nodes over TCP, stores each as the other's contact, and tells both engines. */
export async function connectNodes(a: FileNode, b: FileNode, files = { a: true, b: true }): Promise<{ a: FileSession; b: FileSession; close(): Promise<void> }> {
  const responder = await startResponder(b.key);
  const sideA = await joinPeer(responder.port, { key: a.key });
  const sideB = await responder.accepted;
  for (const [node, side] of [[a, sideA], [b, sideB]] as const) {
    node.store.contacts.upsertSeen({ publicKey: side.result.remoteStatic, name: side.result.remoteName });
  }
  const sa = new FileSession(sideA, a.engine);
  const sb = new FileSession(sideB, b.engine);
  const both = files.a && files.b;
  a.engine.connect(sa.peer, both ? sa.link : null);
  b.engine.connect(sb.peer, both ? sb.link : null);
  return { a: sa, b: sb, close: () => { sideA.conn.close('local'); sideB.conn.close('local'); return responder.close(); } };
}

/** Waits until `events` holds one matching `pred` (polling: the engine's work is asynchronous). */
export async function waitForEvent<T extends FileEvent['type']>(events: FileEvent[], type: T, pred: (e: Extract<FileEvent, { type: T }>) => boolean = () => true, timeoutMs = 10_000): Promise<Extract<FileEvent, { type: T }>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = events.find((e): e is Extract<FileEvent, { type: T }> => e.type === type && pred(e as Extract<FileEvent, { type: T }>));
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no ${type} event within ${timeoutMs} ms; got ${JSON.stringify(events.map((e) => e.type))}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Waits until `cond` holds. */
export async function until(cond: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

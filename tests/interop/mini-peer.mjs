// A second, independent implementation of Parley's file transfer, written from docs/PROTOCOL.md
// (and /work/shared/PROTOCOL.md where the former was unclear) only, with node: built-ins only, so
// that the interop test can show the document is enough. Every guess is listed in README.md.
//
//   node tests/interop/mini-peer.mjs send HOST PORT FILE... [--key KEYFILE] [--say TEXT] [--wrong-sha256]
//   node tests/interop/mini-peer.mjs receive HOST PORT OUTDIR [--key KEYFILE] [--stop-after BYTES] [--say TEXT]
//
// It joins HOST:PORT (the initiator, §1), runs Noise XX over P-256 (§2), sends a hello with the
// `files` feature (§7) and then sends or receives files (§9). It prints one JSON object per line
// on stdout, each with a string `event`; it exits 0 when every file has reached a final state.
import { createCipheriv, createDecipheriv, createECDH, createHash, createHmac, ECDH, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const EMPTY = Buffer.alloc(0);
const CHUNK_DATA = 65_494; // §9 Chunks: at most 65,494 bytes of data per chunk
const MAX_SAFE = Number.MAX_SAFE_INTEGER; // 2^53 − 1, the bound of `ts`, `size`, `offset`
const HEX64 = /^[0-9a-f]{64}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** §0: control characters are U+0000–U+001F and U+007F (C1 is allowed). */
const hasControl = (s) => [...s].some((c) => c.codePointAt(0) < 0x20 || c.codePointAt(0) === 0x7f);
const emit = (event, fields = {}) => process.stdout.write(`${JSON.stringify({ event, ...fields })}\n`);

// ---- §2 Noise_XX_P256_AESGCM_SHA256 ------------------------------------------------------------

const sha256 = (...parts) => parts.reduce((h, p) => h.update(p), createHash('sha256')).digest();
const hmac = (key, ...parts) => parts.reduce((h, p) => h.update(p), createHmac('sha256', key)).digest();
/** Noise spec §4.3 HKDF with two outputs. */
function hkdf2(ck, ikm) {
  const temp = hmac(ck, ikm);
  const out1 = hmac(temp, Buffer.from([1]));
  return [out1, hmac(temp, out1, Buffer.from([2]))];
}

/** Noise CipherState with AESGCM: nonce = 4 zero bytes || u64be(n), 16-byte tag. */
export class CipherState {
  constructor(k) { this.k = k; this.n = 0n; }
  #iv() {
    // §4: nonce 2^64 − 1 is never used
    if (this.n >= 0xffffffffffffffffn) throw new Error('nonce exhausted');
    const iv = Buffer.alloc(12);
    iv.writeBigUInt64BE(this.n, 4);
    return iv;
  }
  encrypt(ad, plaintext) {
    const c = createCipheriv('aes-256-gcm', this.k, this.#iv()).setAAD(ad);
    const out = Buffer.concat([c.update(plaintext), c.final(), c.getAuthTag()]);
    this.n++;
    return out;
  }
  decrypt(ad, ciphertext) {
    if (ciphertext.length < 16) throw new Error('ciphertext shorter than its tag');
    const d = createDecipheriv('aes-256-gcm', this.k, this.#iv()).setAAD(ad);
    d.setAuthTag(ciphertext.subarray(ciphertext.length - 16));
    const out = Buffer.concat([d.update(ciphertext.subarray(0, ciphertext.length - 16)), d.final()]);
    this.n++;
    return out;
  }
}

/** Noise SymmetricState, initialised with the protocol name (27 bytes, zero-padded to 32) and the prologue. */
class SymmetricState {
  constructor() {
    this.h = Buffer.concat([Buffer.from('Noise_XX_P256_AESGCM_SHA256'), Buffer.alloc(5)]);
    this.ck = this.h;
    this.cs = null;
    this.mixHash(Buffer.from('parley/1'));
  }
  mixHash(data) { this.h = sha256(this.h, data); }
  mixKey(ikm) { const [ck, k] = hkdf2(this.ck, ikm); this.ck = ck; this.cs = new CipherState(k); }
  encryptAndHash(pt) { const ct = this.cs ? this.cs.encrypt(this.h, pt) : pt; this.mixHash(ct); return ct; }
  decryptAndHash(ct) { const pt = this.cs ? this.cs.decrypt(this.h, ct) : ct; this.mixHash(ct); return pt; }
  split() { const [k1, k2] = hkdf2(this.ck, EMPTY); return [new CipherState(k1), new CipherState(k2)]; }
}

/** §2 "P256 DH functions": a key pair from a 32-byte scalar, or a fresh one; public keys are 33-byte compressed points. */
export function keyPair(priv) {
  const ecdh = createECDH('prime256v1');
  if (priv) ecdh.setPrivateKey(priv); else ecdh.generateKeys();
  return { ecdh, priv: Buffer.concat([Buffer.alloc(32), ecdh.getPrivateKey()]).subarray(-32), pub: ecdh.getPublicKey(null, 'compressed') };
}
/** DH = the 32-byte x-coordinate of priv × pub; OpenSSL refuses points off the curve. */
function dh(kp, pub) {
  if (pub.length !== 33 || (pub[0] !== 2 && pub[0] !== 3)) throw new Error('public key is not 33-byte compressed');
  return kp.ecdh.computeSecret(pub);
}

/** §3: SHA-256 of the 91-byte DER SubjectPublicKeyInfo with the uncompressed point. */
export function fingerprint(pubCompressed) {
  const spkiPrefix = Buffer.from('3059301306072a8648ce3d020106082a8648ce3d030107034200', 'hex');
  return sha256(spkiPrefix, ECDH.convertKey(pubCompressed, 'prime256v1', undefined, undefined, 'uncompressed')).toString('hex');
}

/** The initiator's side of XX, on whole messages (framing is the caller's): -> e; <- e, ee, s, es; -> s, se. */
export function initiatorHandshake(s, e) {
  const ss = new SymmetricState();
  let re = null;
  return {
    writeMessage1() { ss.mixHash(e.pub); ss.encryptAndHash(EMPTY); return e.pub; },
    readMessage2(msg) {
      if (msg.length < 33 + 49 + 16) throw new Error(`message 2 too short (${msg.length} bytes)`);
      re = msg.subarray(0, 33);
      ss.mixHash(re);
      ss.mixKey(dh(e, re));
      const rs = ss.decryptAndHash(msg.subarray(33, 82));
      ss.mixKey(dh(e, rs));
      return { rs, payload: ss.decryptAndHash(msg.subarray(82)) };
    },
    writeMessage3(payload) {
      const encS = ss.encryptAndHash(s.pub);
      ss.mixKey(dh(s, re));
      const message = Buffer.concat([encS, ss.encryptAndHash(payload)]);
      const [send, recv] = ss.split(); // §2: the initiator sends with the first CipherState
      return { message, send, recv, handshakeHash: ss.h };
    },
  };
}

// ---- §0 JSON and the hello (§2, §7) ---------------------------------------------------------------

/** A JSON object from UTF-8 bytes (no BOM, valid UTF-8), or an Error naming what is wrong. */
function parseObject(bytes) {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) throw new Error('JSON text starts with a BOM');
  const value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not a JSON object');
  return value;
}
const codePoints = (s) => [...s].length;
const isInt = (v, max = MAX_SAFE) => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max;
const isText = (v, min, max) => typeof v === 'string' && codePoints(v) >= min && codePoints(v) <= max && !hasControl(v);

function parseHello(bytes) {
  const h = parseObject(bytes);
  if (h.v !== 1 || !isText(h.name, 0, 64)) throw new Error('bad hello: v or name');
  if (h.features !== undefined) {
    const ok = Array.isArray(h.features) && h.features.length <= 16 && new Set(h.features).size === h.features.length
      && h.features.every((f) => typeof f === 'string' && /^[a-z0-9-]{1,32}$/.test(f));
    if (!ok) throw new Error('bad hello: features');
  }
  if (h.dht !== undefined && !(typeof h.dht === 'string' && HEX64.test(h.dht))) throw new Error('bad hello: dht');
  return { name: h.name, features: h.features ?? [] };
}

/** §9 Messages: checks the members of a known file* message; throws (the caller closes) when wrong. */
function checkFileMessage(m) {
  if (!(typeof m.id === 'string' && UUID.test(m.id))) throw new Error(`${m.type}: bad id`);
  const bad = {
    file: () => !isInt(m.ts) || !isText(m.name, 1, 255) || /[/\\]/.test(m.name) || !isInt(m.size) || !(typeof m.sha256 === 'string' && HEX64.test(m.sha256)),
    'file-accept': () => !isInt(m.offset),
    'file-cancel': () => m.reason !== undefined && !isText(m.reason, 1, 64),
    'file-done': () => false,
  }[m.type]();
  if (bad) throw new Error(`${m.type}: a member is missing or out of bounds`);
}

// ---- §1 framing, §2 handshake over TCP, §4 transport ---------------------------------------------

/** Connects, runs the handshake as initiator and resolves with a session once message 3 is sent. */
function connect(host, port, identity, hello) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    const hs = initiatorHandshake(identity, keyPair());
    let buffered = EMPTY;
    let onFrame = null;
    let session = null;
    const writeFrame = (body) => {
      const head = Buffer.alloc(2);
      head.writeUInt16BE(body.length);
      return socket.write(Buffer.concat([head, body]));
    };
    const fail = (err) => { emit('error', { message: err.message }); socket.destroy(); reject(err); };
    // §2: the whole handshake within 10 s of the connection being opened
    const deadline = setTimeout(() => fail(new Error('handshake deadline')), 10_000);
    socket.on('connect', () => writeFrame(hs.writeMessage1()));
    onFrame = (msg2) => {
      const { rs, payload } = hs.readMessage2(msg2);
      const peer = { fingerprint: fingerprint(rs), ...parseHello(payload) };
      const { message, send, recv } = hs.writeMessage3(Buffer.from(JSON.stringify(hello)));
      writeFrame(message);
      clearTimeout(deadline);
      session = {
        peer,
        socket,
        closed: false,
        pings: 0, // pings answered, reported so that a test can see the keepalive path was used
        onMessage: () => {},
        onChunk: () => {},
        /** Encrypts and writes one plaintext; resolves once the socket can take more (back-pressure). */
        write(plaintext) {
          if (plaintext.length > 65_519) throw new Error('plaintext over 65,519 bytes');
          // After our own end (close()), frames still being read may ask for an answer (a ping): drop it.
          if (socket.writableEnded || socket.destroyed) return Promise.resolve();
          if (writeFrame(send.encrypt(EMPTY, plaintext)) || this.closed) return Promise.resolve();
          return new Promise((r) => { socket.once('drain', r); socket.once('close', r); });
        },
        send(obj) { return this.write(Buffer.from(JSON.stringify(obj))); },
        close() { socket.end(); },
      };
      onFrame = (body) => {
        const pt = recv.decrypt(EMPTY, body); // §4: a frame that fails to decrypt closes the connection
        if (pt[0] === 0x00) return session.onChunk(pt);
        const m = parseObject(pt);
        if (typeof m.type !== 'string') throw new Error('transport object without a string type');
        session.onMessage(m);
      };
      resolve(session);
    };
    socket.on('data', (data) => {
      buffered = buffered.length ? Buffer.concat([buffered, data]) : data;
      try {
        while (buffered.length >= 2) {
          const len = buffered.readUInt16BE(0);
          if (len === 0) throw new Error('frame of length 0'); // §1
          if (buffered.length < 2 + len) break;
          const body = buffered.subarray(2, 2 + len);
          buffered = buffered.subarray(2 + len);
          onFrame(body);
        }
      } catch (err) {
        fail(err);
      }
    });
    socket.on('error', (err) => fail(err));
    socket.on('close', () => {
      clearTimeout(deadline);
      if (session) { session.closed = true; emit('closed'); } else reject(new Error('closed during the handshake'));
    });
  });
}

/** The answers every peer owes (§4): pong for ping, ack for a stored msg. Returns true when handled. */
function answerBasics(session, m) {
  if (m.type === 'ping') { session.pings++; void session.send({ type: 'pong' }); return true; }
  if (m.type === 'pong') return true;
  if (m.type === 'msg') {
    // text: 1 to 16,000 code points, no control character but TAB and LF
    const textOk = typeof m.text === 'string' && isText(m.text.replace(/[\t\n]/g, ' '), 1, 16_000);
    if (!(typeof m.id === 'string' && UUID.test(m.id)) || !isInt(m.ts) || !textOk) throw new Error('msg: a member is missing or out of bounds');
    emit('message', { id: m.id, text: m.text });
    void session.send({ type: 'ack', id: m.id }); // the mini peer "stores" by printing
    return true;
  }
  return false;
}

// ---- §9 chunks ------------------------------------------------------------------------------------

const idBytes = (id) => Buffer.from(id.replaceAll('-', ''), 'hex');
const idText = (b) => b.toString('hex').replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');
export function chunk(id, offset, data) {
  const head = Buffer.alloc(25);
  idBytes(id).copy(head, 1);
  head.writeBigUInt64BE(BigInt(offset), 17);
  return Buffer.concat([head, data]);
}
export function parseChunk(pt) {
  if (pt.length < 26) throw new Error('chunk without data');
  return { id: idText(pt.subarray(1, 17)), offset: Number(pt.readBigUInt64BE(17)), data: pt.subarray(25) };
}

function sha256OfFile(file) {
  const h = createHash('sha256');
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.alloc(1 << 20);
  for (let n; (n = fs.readSync(fd, buf)) > 0;) h.update(buf.subarray(0, n));
  fs.closeSync(fd);
  return h.digest('hex');
}

// ---- send mode ------------------------------------------------------------------------------------

async function sendFiles(session, files, say, lie) {
  const offers = new Map();
  const unacked = new Set(); // §4: a sender keeps each message until its ack (offers are messages, §9)
  for (const file of files) {
    const { size } = fs.statSync(file);
    // --wrong-sha256 (tests only): offer a hash that is not the file's, to see the receiver's check
    const sha256 = lie ? createHash('sha256').update('not this file').digest('hex') : sha256OfFile(file);
    const offer = { type: 'file', id: randomUUID(), ts: Date.now(), name: path.basename(file), size, sha256 };
    offers.set(offer.id, { ...offer, file, final: false, run: 0 });
    unacked.add(offer.id);
    await session.send(offer);
    emit('offer-sent', { id: offer.id, name: offer.name, size, sha256: offer.sha256 });
  }
  // --say: a chat message sent after the first chunk, so that it sits between chunks (§9)
  const chat = say === undefined ? undefined : { type: 'msg', id: randomUUID(), ts: Date.now(), text: say };
  if (chat) unacked.add(chat.id);
  let queue = Promise.resolve();
  return new Promise((resolve, reject) => {
    const check = () => {
      if ([...offers.values()].every((x) => x.final) && unacked.size === 0) { session.close(); resolve(); }
    };
    const finish = (o, event, fields) => { o.final = true; emit(event, { id: o.id, ...fields }); check(); };
    const afterFirstChunk = () => {
      if (!chat || chat.sent) return;
      chat.sent = true;
      void session.send(chat);
      emit('said', { id: chat.id });
    };
    session.socket.on('close', () => reject(new Error('connection closed before every file was final')));
    session.onChunk = () => { throw new Error('chunk received by a peer that accepted nothing'); };
    session.onMessage = (m) => {
      if (answerBasics(session, m)) return;
      if (m.type === 'ack') { unacked.delete(m.id); emit('acked', { id: m.id }); return check(); }
      if (!m.type.startsWith('file')) return; // unknown types are ignored (§4)
      checkFileMessage(m);
      // an offer from the other side is a message too: acked (this mode receives nothing)
      if (m.type === 'file') { emit('offer', { id: m.id, name: m.name, size: m.size }); return void session.send({ type: 'ack', id: m.id }); }
      const o = offers.get(m.id);
      if (!o || o.final) return; // §9 readings: ids we have no (open) transfer for are ignored
      if (m.type === 'file-done') return finish(o, 'file-done');
      if (m.type === 'file-cancel') return finish(o, 'file-cancelled', { reason: m.reason ?? 'cancelled' });
      if (m.type === 'file-accept') {
        if (m.offset > o.size) throw new Error('file-accept beyond size');
        emit('accepted', { id: o.id, offset: m.offset });
        const run = ++o.run; // a second file-accept restarts the sending at its offset (§9 readings)
        queue = queue.then(async () => {
          if (await stream(session, o, m.offset, run, afterFirstChunk, lie) !== 'changed') return;
          void session.send({ type: 'file-cancel', id: o.id, reason: 'changed' });
          finish(o, 'file-cancelled', { reason: 'changed' });
        }).catch(reject);
      }
    };
  });
}

/** §9 Chunks: in order, contiguous, from the accepted offset; hashes while reading (re-hashing the first `offset` bytes). */
async function stream(session, o, offset, run, afterChunk, lie) {
  const fd = fs.openSync(o.file, 'r');
  const hash = createHash('sha256');
  const buf = Buffer.alloc(CHUNK_DATA);
  try {
    if (fs.fstatSync(fd).size !== o.size) return 'changed';
    for (let pos = 0; pos < o.size;) {
      if (run !== o.run || o.final || session.closed) return 'stopped';
      const n = fs.readSync(fd, buf, 0, Math.min(CHUNK_DATA, o.size - pos), pos);
      if (n <= 0) return 'changed';
      const data = buf.subarray(0, n);
      hash.update(data);
      // before the last chunk, check the whole file hashed to the offer; if not, the last chunk is not sent
      if (pos + n === o.size && hash.digest('hex') !== o.sha256 && !lie) return 'changed';
      if (pos + n > offset) {
        const from = Math.max(pos, offset);
        await session.write(chunk(o.id, from, data.subarray(from - pos)));
        afterChunk();
      }
      pos += n;
    }
    return 'sent';
  } finally {
    fs.closeSync(fd);
  }
}

// ---- receive mode ---------------------------------------------------------------------------------

/** A safe name in `dir` that does not exist yet (§9 "Receiving safely", simplified to a whitelist). */
function safeTarget(dir, offered, taken) {
  const clean = offered.replace(/[^A-Za-z0-9._ ()-]/g, '_').replace(/^[. ]+|[. ]+$/g, '') || 'file';
  const ext = path.extname(clean);
  for (let i = 0; ; i++) {
    const name = i === 0 ? clean : `${clean.slice(0, clean.length - ext.length)} (${i})${ext}`;
    const full = path.join(dir, name);
    if (!taken.has(full) && !fs.existsSync(full) && !fs.existsSync(`${full}.part`)) return full;
  }
}

/** Receives one file (the first offer, or the one resumed from OUTDIR's state), then closes. */
async function receiveFile(session, outDir, stopAfter, say) {
  // §9 Resuming: what the receiver holds survives the process, in OUTDIR
  const stateFile = path.join(outDir, '.mini-peer-state.json');
  const state = fs.existsSync(stateFile) ? JSON.parse(fs.readFileSync(stateFile, 'utf8')) : {};
  const save = () => fs.writeFileSync(stateFile, JSON.stringify(state));
  const active = new Map(); // id -> { t, fd, next }
  const cancelled = new Set();
  let onAck = () => {};
  return new Promise((resolve, reject) => {
    session.socket.on('close', () => reject(new Error('connection closed before the file was final')));
    const end = (t, event, fields) => { t.final = true; save(); emit(event, { id: t.id, ...fields }); session.close(); resolve(); };
    const accept = (t) => {
      const offset = fs.existsSync(t.part) ? fs.statSync(t.part).size : 0;
      active.set(t.id, { t, fd: fs.openSync(t.part, fs.existsSync(t.part) ? 'r+' : 'w'), next: offset });
      void session.send({ type: 'file-accept', id: t.id, offset });
      emit('accepting', { id: t.id, offset, size: t.size });
      if (offset === t.size) complete(active.get(t.id)); // a 0-byte file needs no chunk
    };
    const complete = (a) => {
      fs.fsyncSync(a.fd);
      fs.closeSync(a.fd);
      active.delete(a.t.id);
      const got = sha256OfFile(a.t.part);
      if (got !== a.t.sha256) {
        fs.unlinkSync(a.t.part); // §9: on a mismatch the receiver deletes what it holds
        void session.send({ type: 'file-cancel', id: a.t.id, reason: 'corrupt' });
        return end(a.t, 'file-cancelled', { reason: 'corrupt' });
      }
      fs.renameSync(a.t.part, a.t.path); // renamed only after the hash matched
      void session.send({ type: 'file-done', id: a.t.id });
      end(a.t, 'received', { path: a.t.path, size: a.t.size, sha256: got, pingsAnswered: session.pings });
    };
    session.onChunk = (pt) => {
      const { id, offset, data } = parseChunk(pt);
      const a = active.get(id);
      if (!a) { if (cancelled.has(id)) return; throw new Error(`chunk for ${id}, which was not accepted`); }
      if (offset !== a.next) throw new Error(`chunk at ${offset}, expected ${a.next}`);
      if (offset + data.length > a.t.size) throw new Error('chunk beyond size');
      fs.writeSync(a.fd, data, 0, data.length, offset);
      a.next += data.length;
      if (stopAfter !== undefined && a.next >= stopAfter && a.next < a.t.size) {
        // the interruption the test asks for: keep what we hold (fsync), close the connection
        fs.fsyncSync(a.fd);
        fs.closeSync(a.fd);
        active.delete(id);
        emit('stopped', { id, bytes: a.next, size: a.t.size });
        session.socket.destroy();
        return resolve();
      }
      if (a.next === a.t.size) complete(a);
    };
    session.onMessage = (m) => {
      if (answerBasics(session, m)) return;
      if (m.type === 'ack') { emit('acked', { id: m.id }); return onAck(m.id); }
      if (!m.type.startsWith('file')) return;
      checkFileMessage(m);
      if (m.type === 'file') {
        void session.send({ type: 'ack', id: m.id }); // stored (in memory), then acked, also when already known
        emit('offer', { id: m.id, name: m.name, size: m.size, sha256: m.sha256 });
        if (state[m.id] || Object.values(state).some((t) => !t.final)) return;
        const target = safeTarget(outDir, m.name, new Set(Object.values(state).map((t) => t.path)));
        state[m.id] = { id: m.id, name: m.name, size: m.size, sha256: m.sha256, path: target, part: `${target}.part`, final: false };
        save();
        return accept(state[m.id]);
      }
      const t = state[m.id];
      if (m.type === 'file-cancel' && t && !t.final) {
        const a = active.get(m.id);
        if (a) { fs.closeSync(a.fd); active.delete(m.id); cancelled.add(m.id); }
        end(t, 'file-cancelled', { reason: m.reason ?? 'cancelled' });
      }
    };
    // §9 Resuming: on every new connection, file-accept again for each accepted, unfinished file.
    // With --say, a msg goes first and the accepts wait for its ack: a sender that resumed without
    // a new file-accept would have sent chunks before that ack, and they close the connection.
    const resume = () => { for (const t of Object.values(state)) if (!t.final) accept(t); };
    if (say === undefined) return resume();
    const chat = { type: 'msg', id: randomUUID(), ts: Date.now(), text: say };
    void session.send(chat);
    emit('said', { id: chat.id });
    onAck = (id) => { if (id === chat.id) resume(); };
  });
}

// ---- CLI ------------------------------------------------------------------------------------------

function loadIdentity(keyFile) {
  if (keyFile && fs.existsSync(keyFile)) return keyPair(Buffer.from(fs.readFileSync(keyFile, 'utf8').trim(), 'hex'));
  const kp = keyPair();
  if (keyFile) fs.writeFileSync(keyFile, kp.priv.toString('hex'), { mode: 0o600 });
  return kp;
}

async function main(argv) {
  const flag = (name) => { const i = argv.indexOf(name); return i < 0 ? undefined : argv.splice(i, 2)[1]; };
  const keyFile = flag('--key');
  const stopAfter = flag('--stop-after');
  const say = flag('--say');
  const lie = argv.includes('--wrong-sha256') && argv.splice(argv.indexOf('--wrong-sha256'), 1).length > 0;
  const [mode, host, port, ...rest] = argv;
  if (!['send', 'receive'].includes(mode) || !host || !/^\d+$/.test(port ?? '') || rest.length === 0 || (mode === 'receive' && rest.length !== 1)) {
    throw new Error('usage: mini-peer.mjs send HOST PORT FILE... | receive HOST PORT OUTDIR [--stop-after BYTES], both [--say TEXT] [--key FILE]');
  }
  const identity = loadIdentity(keyFile);
  emit('ready', { fingerprint: fingerprint(identity.pub) });
  const session = await connect(host, Number(port), identity, { v: 1, name: 'mini-peer', features: ['files'] });
  emit('connected', { peer: session.peer.fingerprint, name: session.peer.name, features: session.peer.features });
  // §9 Negotiation: files only when both hellos list it
  if (!session.peer.features.includes('files')) throw new Error('the peer does not list the files feature');
  if (mode === 'send') await sendFiles(session, rest, say, lie);
  else await receiveFile(session, rest[0], stopAfter === undefined ? undefined : Number(stopAfter), say);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).then(
    () => emit('exit', { code: 0 }),
    (err) => { emit('error', { message: err.message }); process.exitCode = 1; },
  );
}

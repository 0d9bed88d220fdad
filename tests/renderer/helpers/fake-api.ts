/**
 * A small in-memory implementation of ParleyApi (the type of `window.parley`) for the renderer's unit tests.
 * Why not the real core: these tests exercise the components' and stores' logic under happy-dom; the real core
 * (real crypto, real sockets) drives the same renderer in the end-to-end suite. To keep this stand-in honest,
 * every call's arguments are parsed with the contract's own schemas (src/shared/ipc/schemas.ts), exactly as the
 * main process does, and any call the main process would refuse is recorded in `violations`.
 */
import * as v from 'valibot';
import type { ParleyApi } from '../../../src/shared/api.ts';
import { CHANNELS, type Channel } from '../../../src/shared/ipc/channels.ts';
import { ARGS, type AppStatus } from '../../../src/shared/ipc/schemas.ts';
import type { ContactDto, HostingDto, IdentityDto, KeyChangeDto, MessageDto, NearbyDto, ParleyEvent, SearchHitDto, SettingsDto } from '../../../src/shared/dto.ts';
import type { ErrorCode } from '../../../src/shared/errors.ts';
import type { Result } from '../../../src/shared/result.ts';

/** Deterministic 64-hex fingerprints for tests: fp('a') = "aaaa…", fp(1) = "0101…". */
export function fp(seed: string | number): string {
  const unit = typeof seed === 'number' ? seed.toString(16).padStart(2, '0') : seed;
  return unit.repeat(64).slice(0, 64);
}

export const ME = fp('a1');
/** Our DHT key while hosting for anyone (a public locator, never a secret). */
export const DHT_KEY = fp('d1');
export const NOW = Date.UTC(2026, 10, 25, 14, 0, 0);

/** A contact with sensible defaults. */
export function contact(over: Partial<ContactDto> & { fingerprint: string; name: string }): ContactDto {
  return {
    nickname: null,
    displayName: over.nickname ?? over.name,
    status: 'accepted',
    previousKeys: 0,
    verified: false,
    verifiedMethod: null,
    verifiedAt: null,
    blocked: null,
    replaces: null,
    online: true,
    connection: { path: 'tcp', sameNetwork: true, relayed: false },
    rejoining: null,
    unread: 0,
    lastAddress: '127.0.0.1:47800',
    firstSeen: NOW - 86_400_000,
    lastSeen: NOW,
    lastMessage: null,
    safetyNumber: '12345 67890 11111 22222 33333 44444 55555 66666 77777 88888 99999 00000',
    ...over,
  };
}

/** The message with sequence number seq of a generated history (odd seqs incoming). */
export function generatedMessage(peer: string, seq: number): MessageDto {
  return {
    peer,
    id: `m-${seq}`,
    seq,
    direction: seq % 2 === 1 ? 'in' : 'out',
    ts: NOW - (1_000_000 - seq) * 60_000,
    storedAt: NOW - (1_000_000 - seq) * 60_000,
    text: `Message number ${seq}`,
    state: 'delivered',
    kind: 'text',
    key: peer,
    replyTo: null,
    reactTo: null,
  };
}

type Call = { readonly method: string; readonly args: readonly unknown[] };
type Handler = (...args: never[]) => Promise<Result<unknown>> | Result<unknown>;

/** The fake's state; tests change it directly. */
export type FakeState = {
  status: AppStatus;
  identity: IdentityDto;
  contacts: Map<string, ContactDto>;
  /** Explicit histories; for peers in `generated`, messages 1..N are made on demand. */
  messages: Map<string, MessageDto[]>;
  generated: Map<string, number>;
  hosting: HostingDto | null;
  /** What discovery:browse finds. */
  nearby: NearbyDto[];
  settings: SettingsDto;
  nextSeq: number;
  /** What contacts:key-history answers, per thread. */
  keyHistory: Map<string, KeyChangeDto[]>;
};

/** The fake API plus what tests need to drive and inspect it. */
export type FakeApi = ParleyApi & {
  readonly state: FakeState;
  readonly calls: Call[];
  readonly violations: string[];
  /** Replaces one method's behaviour (e.g. to fail, or to stay pending). */
  override(method: keyof ParleyApi, impl: Handler): void;
  /** Delivers an event to every subscriber, as main does. */
  emit(event: ParleyEvent): void;
  callsOf(method: keyof ParleyApi): readonly (readonly unknown[])[];
};

/** Makes a fake API; `phase` chooses the starting status. */
export function createFakeApi(opts: { phase?: AppStatus['phase']; keychainAvailable?: boolean; problem?: string } = {}): FakeApi {
  const identity: IdentityDto = {
    fingerprint: ME,
    publicKeyPem: '-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----\n',
    name: 'Alice',
    keyProtection: 'keychain',
  };
  const phase = opts.phase ?? 'ready';
  const state: FakeState = {
    status: { phase, keychainAvailable: opts.keychainAvailable ?? true, identity: phase === 'ready' ? identity : null, problem: opts.problem ?? null },
    identity,
    contacts: new Map(),
    messages: new Map(),
    generated: new Map(),
    hosting: null,
    nearby: [],
    settings: {
      name: 'Alice',
      defaultPort: 47800,
      hostReach: 'anyone',
      hostAnnounce: false,
      hostAtStart: false,
      dhtBootstrap: [],
      dhtRelay: null,
      dataDir: '/home/alice/.config/Parley',
      keyProtection: 'keychain',
      keychainAvailable: opts.keychainAvailable ?? true,
      downloadDir: '/home/alice/Downloads/Parley',
      maxFileSize: 4 * 1024 ** 3,
      autoAcceptVerified: false,
    },
    nextSeq: 1_000_001,
    keyHistory: new Map(),
  };
  const calls: Call[] = [];
  const violations: string[] = [];
  const listeners = new Set<(e: ParleyEvent) => void>();
  const overrides = new Map<string, Handler>();
  let tokens = 0;
  const ok = <T>(value: T): Result<T> => ({ ok: true, value });
  const fail = (code: ErrorCode, message: string): Result<never> => ({ ok: false, error: { code, message } });

  const droppedNames = new Map<string, string>();
  let nextFile = 1;
  // A new outgoing offer, as main answers a files:* send (no path in it).
  function fileOffer(peer: string, name: string, size: number): MessageDto {
    const seq = state.nextSeq++;
    const id = `00000000-0000-4000-8000-${String(nextFile++).padStart(12, '0')}`;
    const m: MessageDto = {
      peer, key: peer, replyTo: null, reactTo: null, id, seq, direction: 'out', ts: NOW, storedAt: NOW, text: name, state: 'queued', kind: 'file',
      file: { name, size, sha256: '0'.repeat(64), state: 'offered', bytes: 0, reason: null, endedBy: null, path: null },
    };
    state.messages.set(peer, [...(state.messages.get(peer) ?? []), m]);
    return m;
  }

  function history(peer: string, before: number | null, limit: number): MessageDto[] {
    const n = state.generated.get(peer);
    if (n !== undefined) {
      const end = before === null ? n + 1 : Math.min(before, n + 1);
      const out: MessageDto[] = [];
      for (let seq = Math.max(1, end - limit); seq < end; seq++) out.push(generatedMessage(peer, seq));
      return out;
    }
    const all = state.messages.get(peer) ?? [];
    const older = all.filter((m) => before === null || m.seq < before);
    return older.slice(Math.max(0, older.length - limit));
  }

  function setContact(peer: string, changes: Partial<ContactDto>): Result<ContactDto> {
    const c = state.contacts.get(peer);
    if (c === undefined) return fail('no-peer', 'no such contact');
    const next = { ...c, ...changes };
    state.contacts.set(peer, next);
    return ok(next);
  }

  const impl: Record<string, Handler> = {
    getStatus: () => ok(state.status),
    setup: ((arg: { name: string; protection: IdentityDto['keyProtection'] }) => {
      state.identity = { ...state.identity, name: arg.name, keyProtection: arg.protection };
      state.status = { ...state.status, phase: 'ready', identity: state.identity };
      return ok(state.identity);
    }) as Handler,
    unlock: ((pass: string) => (pass === 'correct horse' ? ok(state.identity) : fail('unseal-failed', 'wrong passphrase'))) as Handler,
    setName: ((name: string) => {
      state.identity = { ...state.identity, name };
      return ok(state.identity);
    }) as Handler,
    exportPublicKey: () => ok(state.identity.publicKeyPem),
    startHosting: ((arg: { port: number; bind: string; dht: boolean; announce: boolean }) => {
      const port = arg.port === 0 ? 51234 : arg.port;
      const host = arg.bind === '0.0.0.0' || arg.bind === '::' ? '192.168.1.20' : arg.bind;
      const dht = arg.dht ? DHT_KEY : null;
      state.hosting = {
        host: arg.bind,
        port,
        invite: `parley://${host}:${port}?fp=${ME}${dht ? `&dht=${dht}` : ''}&name=Alice`,
        addresses: arg.bind === '127.0.0.1' ? ['127.0.0.1'] : ['192.168.1.20', 'fe80::1'],
        dht,
        reachability: dht ? { state: 'checking', reason: 'Looking for other DHT nodes…' } : null,
        discoverable: arg.announce,
      };
      return ok(state.hosting);
    }) as Handler,
    newDhtKey: () => {
      if (state.hosting === null) return ok(null);
      const dht = 'd2'.repeat(32);
      state.hosting = { ...state.hosting, dht, invite: state.hosting.invite.replace(/dht=[0-9a-f]{64}/, `dht=${dht}`) };
      return ok(state.hosting);
    },
    browseNearby: () => ok(state.nearby),
    stopHosting: () => {
      if (state.hosting === null) return fail('not-hosting', 'not hosting');
      state.hosting = null;
      return ok(null);
    },
    getHosting: () => ok(state.hosting),
    // As the core: an invite of its own with a fresh token; revoking gives the hosting invite a new one.
    createInvite: ((o: { reusable: boolean }) => {
      if (state.hosting === null) return fail('not-hosting', 'not hosting');
      const tok = (++tokens).toString(16).padStart(32, '0');
      return ok({ invite: state.hosting.invite.replace(/(&tok=[0-9a-f]{32})?&name=/, `&tok=${tok}&name=`), reusable: o.reusable });
    }) as Handler,
    revokeInvites: () => {
      if (state.hosting === null) return ok(null);
      const tok = (++tokens).toString(16).padStart(32, '0');
      state.hosting = { ...state.hosting, invite: state.hosting.invite.replace(/(&tok=[0-9a-f]{32})?&name=/, `&tok=${tok}&name=`) };
      return ok(state.hosting);
    },
    join: () => fail('connect-refused', 'ECONNREFUSED 127.0.0.1:47800'),
    disconnect: () => ok(null),
    rejoinNow: () => ok(false),
    cancelJoin: () => ok(false),
    listContacts: () => ok([...state.contacts.values()]),
    verify: ((peer: string, method: 'safety-number' | 'fingerprint') => {
      const c = state.contacts.get(peer);
      if (c === undefined) return fail('no-peer', 'no such contact');
      const next = { ...c, verified: true, verifiedMethod: method, verifiedAt: NOW, blocked: null };
      state.contacts.set(peer, next);
      return ok(next);
    }) as Handler,
    unverify: ((peer: string) => {
      const c = state.contacts.get(peer);
      if (c === undefined) return fail('no-peer', 'no such contact');
      const next = { ...c, verified: false, verifiedMethod: null, verifiedAt: null };
      state.contacts.set(peer, next);
      return ok(next);
    }) as Handler,
    acceptKey: ((peer: string) => {
      const c = state.contacts.get(peer);
      if (c === undefined) return fail('no-peer', 'no such contact');
      const next = { ...c, blocked: null };
      state.contacts.set(peer, next);
      return ok(next);
    }) as Handler,
    markRead: ((peer: string) => {
      const c = state.contacts.get(peer);
      if (c !== undefined) state.contacts.set(peer, { ...c, unread: 0 });
      return ok(null);
    }) as Handler,
    history: ((peer: string, page: { before: number | null; limit: number; after?: number; around?: number }) => {
      // As the service: `after` answers the `limit` after a seq, `around` about half before and half after.
      if (page.after !== undefined || page.around !== undefined) {
        const all = state.generated.has(peer) ? history(peer, null, Number.MAX_SAFE_INTEGER) : (state.messages.get(peer) ?? []);
        if (page.after !== undefined) return ok(all.filter((m) => m.seq > (page.after as number)).slice(0, page.limit));
        const at = page.around as number;
        const half = Math.floor(page.limit / 2);
        const older = all.filter((m) => m.seq < at).slice(-half);
        return ok([...older, ...all.filter((m) => m.seq >= at).slice(0, page.limit - older.length)]);
      }
      return ok(history(peer, page.before, page.limit));
    }) as Handler,
    send: ((peer: string, text: string) => {
      const c = state.contacts.get(peer);
      if (c === undefined) return fail('no-peer', 'no such contact');
      if (c.blocked !== null) return fail('send-blocked', 'blocked');
      const seq = state.nextSeq++;
      const m: MessageDto = { peer, id: `out-${seq}`, seq, direction: 'out', ts: NOW, storedAt: NOW, text, state: c.online ? 'sent' : 'queued', key: peer, replyTo: null, reactTo: null, kind: 'text' };
      state.messages.set(peer, [...(state.messages.get(peer) ?? []), m]);
      return ok(m);
    }) as Handler,
    acceptRequest: ((peer: string) => setContact(peer, { status: 'accepted' })) as Handler,
    block: ((peer: string) => setContact(peer, { status: 'blocked', online: false, connection: null })) as Handler,
    unblock: ((peer: string) => setContact(peer, { status: 'accepted' })) as Handler,
    rename: ((peer: string, nickname: string | null) => {
      const c = state.contacts.get(peer);
      const n = nickname === null || nickname.trim() === '' ? null : nickname.trim();
      return setContact(peer, { nickname: n, displayName: n ?? c?.name ?? '' });
    }) as Handler,
    deleteContact: ((peer: string) => {
      if (!state.contacts.delete(peer)) return fail('no-peer', 'no such contact');
      state.messages.delete(peer);
      return ok(null);
    }) as Handler,
    keyHistory: ((peer: string) => ok(state.keyHistory.get(peer) ?? [])) as Handler,
    search: ((query: string) => {
      const q = query.toLowerCase();
      const hits: SearchHitDto[] = [];
      for (const msgs of state.messages.values()) {
        for (const m of msgs) {
          const at = m.text.toLowerCase().indexOf(q);
          if (at >= 0) hits.push({ peer: m.peer, key: m.key, id: m.id, seq: m.seq, ts: m.ts, direction: m.direction, snippet: m.text, matchStart: at, matchLength: q.length });
        }
      }
      return ok({ hits: hits.sort((a, b) => b.seq - a.seq), next: null, scanned: hits.length });
    }) as Handler,
    reply: ((peer: string, text: string, ref: { replyTo?: string; reactTo?: string }) => {
      const seq = state.nextSeq++;
      const m: MessageDto = { peer, id: `out-${seq}`, seq, direction: 'out', ts: NOW, storedAt: NOW, text, state: 'sent', key: peer, replyTo: ref.replyTo ?? null, reactTo: ref.reactTo ?? null, kind: 'text' };
      state.messages.set(peer, [...(state.messages.get(peer) ?? []), m]);
      return ok(m);
    }) as Handler,
    getSettings: () => ok(state.settings),
    updateSettings: ((patch: { name?: string; defaultPort?: number; dhtBootstrap?: string }) => {
      const { dhtBootstrap, ...rest } = patch;
      const nodes = dhtBootstrap === undefined ? state.settings.dhtBootstrap : dhtBootstrap.split(/[\s,]+/).filter((e) => e !== '');
      state.settings = { ...state.settings, ...rest, dhtBootstrap: nodes };
      return ok(state.settings);
    }) as Handler,
    openLink: () => ok(true),
    pickAndSendFile: ((peer: string) => ok(fileOffer(peer, 'report.pdf', 120_000))) as Handler,
    sendDroppedFile: ((peer: string, token: string) => ok(fileOffer(peer, droppedNames.get(token) ?? 'dropped', 3))) as Handler,
    sendPastedImage: ((peer: string, image: { bytes: Uint8Array }) => ok(fileOffer(peer, 'Pasted image 2026-11-25 14-00-00.png', image.bytes.byteLength))) as Handler,
    acceptFile: () => ok(null),
    cancelFile: () => ok(null),
    openFile: () => ok(true),
    showFileInFolder: () => ok(null),
    previewFile: () => ok({ type: 'image/png', bytes: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]) }),
    pickDownloadDir: () => {
      state.settings = { ...state.settings, downloadDir: '/media/usb/Incoming' };
      return ok(state.settings);
    },
    // As main: leaving a passphrase needs it ('correct horse' here), and the settings report the new protection.
    changeProtection: ((choice: { protection: IdentityDto['keyProtection']; passphrase: string | null; currentPassphrase: string | null }) => {
      if (state.settings.keyProtection === 'passphrase' && choice.currentPassphrase !== 'correct horse') return fail('unseal-failed', 'That is not your current passphrase. Nothing was changed.');
      state.settings = { ...state.settings, keyProtection: choice.protection };
      return ok(state.settings);
    }) as Handler,
  };

  const api: Record<string, unknown> = {};
  for (const [channel, method] of Object.entries(CHANNELS) as [Channel, string][]) {
    api[method] = async (...args: unknown[]) => {
      calls.push({ method, args });
      const parsed = v.safeParse(ARGS[channel], args);
      if (!parsed.success) {
        violations.push(`${method}(${JSON.stringify(args)}): ${parsed.issues[0]?.message ?? 'invalid'}`);
        return fail('bad-input', parsed.issues[0]?.message ?? 'invalid');
      }
      const handler = overrides.get(method) ?? impl[method];
      if (handler === undefined) throw new Error(`fake api: no ${method}`);
      return (handler as (...a: unknown[]) => Promise<Result<unknown>> | Result<unknown>)(...parsed.output);
    };
  }
  // As the preload: a File becomes a token, and the page never sees a path.
  api.registerDroppedFile = (file: unknown) => {
    if (!(file instanceof File)) return null;
    const token = `token-${droppedNames.size + 1}`;
    droppedNames.set(token, file.name);
    return token;
  };
  api.onEvent = (listener: (e: ParleyEvent) => void) => {
    listeners.add(listener);
    return () => listeners.delete(listener);
  };

  return Object.assign(api as ParleyApi, {
    state,
    calls,
    violations,
    override(method: keyof ParleyApi, h: Handler) {
      overrides.set(method, h);
    },
    emit(event: ParleyEvent) {
      for (const l of listeners) l(event);
    },
    callsOf(method: keyof ParleyApi) {
      return calls.filter((c) => c.method === method).map((c) => c.args);
    },
  });
}

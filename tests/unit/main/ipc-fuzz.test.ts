/**
 * For EVERY channel of the registry: a wrong sender and wrongly typed arguments are refused with
 * 'bad-input' before anything reaches the app or its service.
 *
 * Electron is not loaded here (its runtime cannot be downloaded on these machines): the router,
 * handler table and app controller are electron-free; the OS keychain, dialog and shell are
 * stand-ins for Electron's modules, and nothing else is replaced. The app behind the router is
 * real and READY (a real service over a real data directory), so an argument that slipped through
 * would show up in the recorded calls.
 */
import fc from 'fast-check';
import * as v from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SENDER_REFUSED } from '../../../src/main/ipc-router.ts';
import type { SenderInfo } from '../../../src/main/sender.ts';
import { CHANNEL_NAMES, type Channel } from '../../../src/shared/ipc/channels.ts';
import { ARGS } from '../../../src/shared/ipc/schemas.ts';
import { GOOD_SENDER, makeHarness, PAGE, tempDir, WC_ID, type Harness } from './harness.ts';

const FP = 'ab'.repeat(32);
const HUGE = 'x'.repeat(100_000);
const polluter = (): object => JSON.parse('{"__proto__": {"polluted": true}}') as object;

/** Values that are wrong wherever a string is expected (every string schema has a length bound below 100,000). */
const WRONG_FOR_STRING: readonly unknown[] = [
  undefined, null, 0, -1, 1.5, Number.NaN, Infinity, -Infinity, 2 ** 53, true, false, 10n,
  {}, [], ['x'], { length: 1, 0: 'x' }, { toString: 'x' }, new Date(0), new Uint8Array(4), new Map([['a', 1]]), new Set(['x']),
  polluter(), HUGE,
];
/** Values that are wrong wherever an object is expected. */
const WRONG_FOR_OBJECT: readonly unknown[] = [
  undefined, null, 0, 1.5, Number.NaN, true, 10n, '', 'x', HUGE, [], [{}], new Date(0), new Map(), new Set(), new Uint8Array(2),
];

type Position = {
  readonly valid: unknown;
  readonly wrong: readonly unknown[];
  readonly kind: 'string' | 'object';
  /** Random wrong values where the kind's default would generate valid ones (null for a nullable name, integers for a cursor). */
  readonly arbitrary?: fc.Arbitrary<unknown>;
};

const str = (valid: string, extra: readonly unknown[] = []): Position => ({ valid, kind: 'string', wrong: [...WRONG_FOR_STRING, ...extra] });

/** An object position: whole-value wrongs, prototype-pollution variants, an extra key, a missing key, and per-field wrongs. */
function obj(valid: Record<string, unknown>, fields: Record<string, readonly unknown[]>, required: readonly string[]): Position {
  const body = JSON.stringify(valid).slice(1, -1);
  const wrong: unknown[] = [
    ...WRONG_FOR_OBJECT,
    JSON.parse(`{"__proto__": {"polluted": true}${body ? `, ${body}` : ''}}`),
    JSON.parse(`{"constructor": {"prototype": {"polluted": true}}${body ? `, ${body}` : ''}}`),
    { ...valid, prototype: { polluted: true } },
    { ...valid, extra: 1 },
    polluter(),
  ];
  for (const key of required) {
    const { [key]: _dropped, ...rest } = valid;
    wrong.push(rest);
  }
  for (const [key, values] of Object.entries(fields)) for (const w of values) wrong.push({ ...valid, [key]: w });
  return { valid, kind: 'object', wrong };
}

const ID = '0f8fad5b-d9cb-469f-a165-70867728950e';
const ID_EXTRA = ['', ID.toUpperCase(), ID.slice(1), `${ID}0`, ID.replace(/-/g, ''), `../${ID}`, '/etc/passwd'];
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
const NAME_WRONG = [null, 1, {}, [], 'x'.repeat(65), 'nul\u0000', 'line\nbreak', '\u007f', 'Bob\u0085', HUGE];
const FP_EXTRA = ['', FP.toUpperCase(), FP.slice(1), `${FP}a`, 'g'.repeat(64), ` ${FP.slice(1)}`];

/** Valid arguments and wrong values for each position, per channel. */
const SPEC: { readonly [C in Channel]: readonly Position[] } = {
  'app:status': [],
  'app:setup': [
    obj(
      { name: 'Ada', protection: 'key-file', passphrase: null },
      {
        name: [undefined, ...NAME_WRONG],
        protection: [undefined, 'unprotected', 'KEYCHAIN', '', null, 1, {}],
        passphrase: [undefined, 'short', 'x'.repeat(1025), 1, {}, [], true],
      },
      ['name', 'protection', 'passphrase'],
    ),
  ],
  'app:unlock': [str('correct horse', ['short', 'x'.repeat(1025)])],
  'app:change-protection': [
    obj(
      { protection: 'key-file', passphrase: null, currentPassphrase: null },
      {
        protection: [undefined, 'unprotected', 'none', 'KEYCHAIN', '', null, 1, {}],
        passphrase: [undefined, 'short', 'x'.repeat(1025), 1, {}, [], true],
        currentPassphrase: [undefined, 'short', 'x'.repeat(1025), 1, {}, [], true],
      },
      ['protection', 'passphrase', 'currentPassphrase'],
    ),
  ],
  'identity:set-name': [str('Ada', ['x'.repeat(65), 'tab\there', '\u007f', 'a\u0000', 'Bob\u0085', 'Bo\u009bb'])],
  'identity:export-public-key': [],
  'hosting:start': [
    obj(
      { port: 0, bind: '127.0.0.1', dht: false, announce: false },
      {
        port: [undefined, null, '47800', -1, 65536, 1.5, Number.NaN, Infinity, true, {}, []],
        bind: [undefined, null, '', 'a b', 'x'.repeat(256), '10.0.0.0/8', '127.0.0.1\n', 1, {}, [], HUGE],
        dht: [undefined, null, 'true', 1, 0, {}, []],
        announce: [undefined, null, 'false', 1, 0, {}, []],
      },
      ['port', 'bind', 'dht', 'announce'],
    ),
  ],
  'hosting:stop': [],
  'hosting:status': [],
  'hosting:new-dht-key': [],
  'discovery:browse': [],
  'peers:join': [str('127.0.0.1:9', ['', 'x'.repeat(2049)]), obj({ nearby: false }, { nearby: [undefined, null, 'true', 1, 0, {}, []] }, ['nearby'])],
  'peers:disconnect': [str(FP, FP_EXTRA)],
  'peers:rejoin-now': [str(FP, FP_EXTRA)],
  'peers:cancel-join': [],
  'contacts:list': [],
  'contacts:verify': [str(FP, FP_EXTRA), str('fingerprint', ['invite', 'Fingerprint', '', 'safety number'])],
  'contacts:unverify': [str(FP, FP_EXTRA)],
  'contacts:accept-key': [str(FP, FP_EXTRA)],
  'contacts:mark-read': [str(FP, FP_EXTRA)],
  'contacts:accept-request': [str(FP, FP_EXTRA)],
  'contacts:block': [str(FP, FP_EXTRA)],
  'contacts:unblock': [str(FP, FP_EXTRA)],
  // null is valid here (it clears the nickname): every other wrong value stays wrong.
  'contacts:rename': [
    str(FP, FP_EXTRA),
    {
      valid: 'Mom',
      kind: 'string',
      wrong: [...WRONG_FOR_STRING.filter((w) => w !== null), ...NAME_WRONG.filter((w) => w !== null)],
      arbitrary: fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(undefined), fc.bigInt(), fc.date(), fc.array(fc.anything(), { maxLength: 3 })),
    },
  ],
  'contacts:delete': [str(FP, FP_EXTRA)],
  'contacts:key-history': [str(FP, FP_EXTRA)],
  'hosting:revoke-invites': [],
  'hosting:create-invite': [obj({ reusable: false }, { reusable: [undefined, null, 'true', 1, 0, {}, []] }, ['reusable'])],
  'messages:search': [
    str('blue', ['', '   ', 'x'.repeat(201), 'a\u0000', 'line\nbreak']),
    {
      valid: null,
      kind: 'string',
      wrong: [undefined, '1', 0, -1, 1.5, Number.NaN, Infinity, true, {}, [], HUGE],
      arbitrary: fc.oneof(fc.integer({ max: 0 }), fc.double().filter((d) => !Number.isInteger(d)), fc.boolean(), fc.constant(undefined), fc.string(), fc.array(fc.anything(), { maxLength: 3 })),
    },
  ],
  'messages:reply': [
    str(FP, FP_EXTRA),
    str('yes', ['', 'x'.repeat(16_001), 'bell\u0007']),
    obj(
      { replyTo: '00000000-0000-4000-8000-000000000000' },
      { replyTo: [undefined, null, '', 'nope', '00000000-0000-4000-8000-00000000000G', 1, {}, []] },
      ['replyTo'],
    ),
  ],
  'messages:history': [
    str(FP, FP_EXTRA),
    obj(
      { before: null, limit: 50 },
      {
        before: [undefined, '1', -1, 1.5, Number.NaN, Infinity, true, {}, []],
        limit: [undefined, null, 0, 501, 1.5, '50', Number.NaN, {}, []],
        after: [null, '1', 0, -1, 1.5, Number.NaN, {}, []],
        around: [null, '1', 0, -1, 1.5, Infinity, {}, []],
      },
      ['before', 'limit'],
    ),
  ],
  'messages:send': [str(FP, FP_EXTRA), str('hello', ['', 'x'.repeat(16_001), 'bell\u0007', '\u0000', 'cr\r'])],
  'settings:get': [],
  'settings:set': [
    obj(
      { name: 'Ada' },
      {
        name: [...NAME_WRONG],
        defaultPort: [null, 0, -1, 65536, 1.5, '47800', Number.NaN, {}, []],
        hostReach: [null, '', 'everyone', 'ANYONE', 1, {}, []],
        hostAnnounce: [null, 'true', 1, {}, []],
        hostAtStart: [null, 'true', 1, {}, []],
        dhtBootstrap: [null, ['1.2.3.4:49737'], '1.2.3.4', '1.2.3.4:0', '1.2.3.4:65536', 'a_b:1', '-x.org:1', '[::1]:1', 'a.org:1;b.org:2', 1, {}, Array.from({ length: 17 }, (_, i) => `n${i}.org:1`).join(','), HUGE],
        dhtRelay: ['', 'AB'.repeat(32), 'ab'.repeat(31), `${'ab'.repeat(32)}0`, 'g'.repeat(64), 1, {}, [], HUGE],
        maxFileSize: [null, 0, -1, 1024 ** 2 - 1, 1024 ** 4 + 1, 1.5, '4294967296', Number.NaN, Infinity, {}, []],
        autoAcceptVerified: [null, 0, 1, 'true', {}, []],
      },
      [],
    ),
  ],
  'links:open': [
    str('https://example.org/', ['javascript:alert(1)', 'file:///etc/passwd', 'parley://x', 'ftp://example.org/', ' https://example.org/', `https://${'x'.repeat(2048)}`]),
  ],
  'files:pick-and-send': [str(FP, FP_EXTRA)],
  // The valid path names nothing: the fuzz checks the schema, file-ipc.test.ts what main does with a path.
  'files:send-dropped': [str(FP, FP_EXTRA), str('/nonexistent/parley-fuzz.txt', ['', 'a\u0000b', 'x'.repeat(4097)])],
  'files:send-pasted': [
    str(FP, FP_EXTRA),
    obj(
      { type: 'image/png', bytes: PNG },
      {
        type: [undefined, null, 'image/svg+xml', 'text/html', 'IMAGE/PNG', '', 1, {}],
        bytes: [undefined, null, new Uint8Array(0), new Uint8Array(32 * 1024 * 1024 + 1), [1, 2, 3], 'iVBORw0KGgo=', new Uint16Array(4), new DataView(new ArrayBuffer(4)), {}, 1],
      },
      ['type', 'bytes'],
    ),
  ],
  'files:accept': [str(ID, ID_EXTRA)],
  'files:cancel': [str(ID, ID_EXTRA)],
  'files:open': [str(FP, FP_EXTRA), str(ID, ID_EXTRA)],
  'files:show-in-folder': [str(FP, FP_EXTRA), str(ID, ID_EXTRA)],
  'files:preview': [str(FP, FP_EXTRA), str(ID, ID_EXTRA)],
  'settings:pick-download-dir': [],
};

/** Every wrong argument list for a channel: each position replaced by each wrong value, too few, too many. */
function wrongArgLists(channel: Channel): unknown[][] {
  const positions = SPEC[channel];
  const valid = positions.map((p) => p.valid);
  const lists: unknown[][] = [];
  positions.forEach((p, i) => {
    for (const w of p.wrong) lists.push(valid.map((x, j) => (j === i ? w : x)));
  });
  for (let n = 0; n < valid.length; n++) lists.push(valid.slice(0, n));
  for (const extra of [undefined, null, 0, 'x', {}, [], HUGE]) lists.push([...valid, extra]);
  lists.push([...valid, 'x', 'y', 'z']);
  return lists;
}

const BAD_SENDERS: readonly [string, SenderInfo][] = [
  ['another WebContents', { webContentsId: WC_ID + 1, frame: { isMainFrame: true, url: PAGE.url } }],
  ['a frame that has gone', { webContentsId: WC_ID, frame: null }],
  ['a subframe showing our page', { webContentsId: WC_ID, frame: { isMainFrame: false, url: PAGE.url } }],
  ['a subframe on a web page', { webContentsId: WC_ID, frame: { isMainFrame: false, url: 'https://evil.example/' } }],
  ['the main frame on a web page', { webContentsId: WC_ID, frame: { isMainFrame: true, url: 'https://evil.example/' } }],
  ['the main frame on another local file', { webContentsId: WC_ID, frame: { isMainFrame: true, url: 'file:///etc/passwd' } }],
  ['a sibling file of our page', { webContentsId: WC_ID, frame: { isMainFrame: true, url: PAGE.url.replace('index.html', 'other.html') } }],
  ['our page with a query', { webContentsId: WC_ID, frame: { isMainFrame: true, url: `${PAGE.url}?x=1` } }],
  ['our path on another host', { webContentsId: WC_ID, frame: { isMainFrame: true, url: PAGE.url.replace('app://parley', 'app://evil.example') } }],
  ['the built page as a file:// URL', { webContentsId: WC_ID, frame: { isMainFrame: true, url: 'file:///opt/Parley/resources/app.asar/out/renderer/index.html' } }],
  ['the dev server in a packaged build', { webContentsId: WC_ID, frame: { isMainFrame: true, url: 'http://localhost:5173/' } }],
  ['about:blank', { webContentsId: WC_ID, frame: { isMainFrame: true, url: 'about:blank' } }],
  ['a data: URL', { webContentsId: WC_ID, frame: { isMainFrame: true, url: 'data:text/html,<script>1</script>' } }],
  ['DevTools', { webContentsId: WC_ID, frame: { isMainFrame: true, url: 'devtools://devtools/bundled/devtools_app.html' } }],
  ['an empty URL', { webContentsId: WC_ID, frame: { isMainFrame: true, url: '' } }],
];

let home: { dir: string; remove: () => void };
let h: Harness;

beforeAll(() => {
  home = tempDir('parley-ipc-fuzz-');
  h = makeHarness(home.dir);
  h.controller.setup({ name: 'Ada', protection: 'key-file', passphrase: null });
  expect(h.controller.status().phase).toBe('ready');
});

afterAll(async () => {
  await h.controller.close();
  home.remove();
  expect((Object.prototype as Record<string, unknown>)['polluted']).toBeUndefined();
});

function expectRefused(r: Awaited<ReturnType<Harness['invoke']>>): void {
  expect(r.ok).toBe(false);
  if (!r.ok) {
    expect(r.error.code).toBe('bad-input');
    expect(r.error.message.length).toBeLessThan(300); // never echoes a huge input back
  }
}

describe.each(CHANNEL_NAMES.map((c) => [c] as const))('%s', (channel) => {
  const valid = SPEC[channel].map((p) => p.valid);

  it('refuses every wrong sender before anything runs', async () => {
    for (const [what, sender] of BAD_SENDERS) {
      h.calls.length = 0;
      const r = await h.router(channel, sender, valid);
      expect(r, what).toEqual({ ok: false, error: { code: 'bad-input', message: SENDER_REFUSED } });
      expect(h.calls, what).toEqual([]);
    }
  });

  it("answers 'bad-input' to wrongly typed arguments, which never reach the app", async () => {
    const lists = wrongArgLists(channel);
    expect(lists.length).toBeGreaterThanOrEqual(8);
    for (const args of lists) {
      h.calls.length = 0;
      expectRefused(await h.router(channel, GOOD_SENDER, args));
      expect(h.calls).toEqual([]);
    }
    expect((Object.prototype as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('refuses random wrong types and extra arguments (fast-check, seed 42)', async () => {
    const positions = SPEC[channel];
    const notString = fc.oneof(
      fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constant(undefined), fc.bigInt(), fc.date(),
      fc.array(fc.anything(), { maxLength: 3 }), fc.uint8Array({ maxLength: 8 }),
    );
    const wrongFor = (p: Position) => p.arbitrary ?? (p.kind === 'string' ? notString : fc.oneof(notString, fc.string()));
    const replaced =
      positions.length === 0
        ? fc.constant(null)
        : fc.integer({ min: 0, max: positions.length - 1 }).chain((i) => wrongFor(positions[i] as Position).map((w) => valid.map((x, j) => (j === i ? w : x))));
    const tooMany = fc.array(fc.anything(), { minLength: valid.length + 1, maxLength: valid.length + 4 });
    await fc.assert(
      fc.asyncProperty(fc.oneof(replaced, tooMany), async (args) => {
        if (args === null) return; // a channel without arguments: only tooMany applies
        h.calls.length = 0;
        const r = await h.router(channel, GOOD_SENDER, args);
        expectRefused(r);
        expect(h.calls).toEqual([]);
      }),
      { seed: 42, numRuns: 150 },
    );
  });

  it('starts from arguments the schema accepts, so each refusal is caused by the one wrong value', () => {
    expect(ARGS[channel].items.length).toBe(valid.length);
    expect(v.safeParse(ARGS[channel], valid).success).toBe(true);
  });
});

it('refuses a channel that is not in the registry', async () => {
  h.calls.length = 0;
  for (const name of ['app:quit', '__proto__', 'constructor', 'toString', '', 'parley:event']) {
    expect(await h.router(name, GOOD_SENDER, [])).toEqual({ ok: false, error: { code: 'bad-input', message: 'unknown request' } });
  }
  expect(h.calls).toEqual([]);
});

it('never echoes a refused argument back in the message', async () => {
  const secret = 'my secret passphrase';
  for (const [channel, args] of [
    ['app:setup', [{ name: 'Ada', protection: secret, passphrase: null }]],
    ['app:setup', [{ name: 'Ada', protection: 'passphrase', passphrase: [secret] }]],
    ['contacts:verify', [FP, secret]],
    ['app:unlock', [{ secret }]],
  ] as const) {
    const r = await h.router(channel, GOOD_SENDER, [...args]);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).not.toContain('secret');
  }
});

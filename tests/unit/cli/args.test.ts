/** The headless peer's additions (CLI.md "Additions"): reach, discovery and file flags, parsed strictly. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_FILE_SIZE, parseArgs, UsageError } from '../../../src/cli/args.ts';
import { parseInputLine } from '../../../src/cli/input.ts';

const KEY = 'ab'.repeat(32);

describe('parseArgs: additions', () => {
  it('keeps the v1 defaults: no DHT, no announce, files wait for a command, 4 GiB cap', () => {
    const a = parseArgs(['host']);
    expect(a).toMatchObject({ command: 'host', port: 47800, bind: '127.0.0.1', announce: false, reach: { dht: false, bootstrap: null, relay: null }, files: { acceptDir: null, maxFileSize: DEFAULT_MAX_FILE_SIZE } });
    expect(DEFAULT_MAX_FILE_SIZE).toBe(4 * 1024 ** 3);
  });

  it('--dht-bootstrap and --dht-relay imply --dht; a list of HOST:PORT and [IPv6]:PORT', () => {
    const a = parseArgs(['host', '--dht-bootstrap', '10.0.0.1:49737,[::1]:5,node.example:65535']);
    expect(a).toMatchObject({ reach: { dht: true, bootstrap: [{ host: '10.0.0.1', port: 49737 }, { host: '::1', port: 5 }, { host: 'node.example', port: 65535 }] } });
    expect(parseArgs(['join', 'h:1', `--dht-relay=${KEY}`])).toMatchObject({ reach: { dht: true, relay: KEY } });
    expect(parseArgs(['join', 'h:1', '--dht'])).toMatchObject({ reach: { dht: true, bootstrap: null } });
  });

  it('files: --accept-files DIR and --max-file-size BYTES', () => {
    expect(parseArgs(['join', 'h:1', '--accept-files', '/tmp/in', '--max-file-size', '0'])).toMatchObject({ files: { acceptDir: '/tmp/in', maxFileSize: 0 } });
    expect(parseArgs(['host', '--announce', '--max-file-size=9007199254740991'])).toMatchObject({ announce: true, files: { maxFileSize: Number.MAX_SAFE_INTEGER } });
  });

  it('discover takes --timeout in seconds (default 3) and --json only', () => {
    expect(parseArgs(['discover'])).toEqual({ command: 'discover', timeoutMs: 3000, common: { data: null, name: null, json: false, holdRequests: false } });
    expect(parseArgs(['discover', '--timeout', '0.5', '--json'])).toMatchObject({ timeoutMs: 500, common: { json: true } });
  });

  it('refuses malformed values with a sentence', () => {
    const bad: string[][] = [
      ['host', '--dht-bootstrap', ''],
      ['host', '--dht-bootstrap', 'h:0'],
      ['host', '--dht-bootstrap', 'h:65536'],
      ['host', '--dht-bootstrap', 'h:1,'],
      ['host', '--dht-bootstrap', 'h'],
      ['host', '--dht-relay', KEY.toUpperCase()],
      ['host', '--dht=1'],
      ['host', '--announce=yes'],
      ['host', '--accept-files', ''],
      ['host', '--max-file-size', '-1'],
      ['host', '--max-file-size', '1e9'],
      ['host', '--max-file-size', '9007199254740992'],
      ['join', 'h:1', '--announce'],
      ['id', '--dht'],
      ['discover', '--timeout', '0'],
      ['discover', '--timeout', 'abc'],
      ['discover', '--timeout', '3601'],
      ['discover', '--data', '/tmp/x'],
      ['discover', 'extra'],
      ['constructor'],
    ];
    for (const argv of bad) expect(() => parseArgs(argv), argv.join(' ')).toThrow(UsageError);
  });
});

describe('issue 12: requests and replies in the headless peer', () => {
  it('--hold-requests is a switch of host and join, off by default (new identities are contacts)', () => {
    expect(parseArgs(['host'])).toMatchObject({ common: { holdRequests: false } });
    expect(parseArgs(['host', '--hold-requests'])).toMatchObject({ common: { holdRequests: true } });
    expect(parseArgs(['join', 'h:1', '--hold-requests'])).toMatchObject({ common: { holdRequests: true } });
    expect(() => parseArgs(['host', '--hold-requests=yes'])).toThrow(UsageError);
    expect(() => parseArgs(['id', '--hold-requests'])).toThrow(UsageError);
  });

  it('send takes an optional reply id; accept takes a peer; wrong types are bad input', () => {
    const id = '11111111-2222-4333-8444-555555555555';
    expect(parseInputLine(JSON.stringify({ cmd: 'send', peer: KEY, text: 'yes', reply: id }))).toEqual({ kind: 'send', peer: KEY, text: 'yes', reply: id });
    expect(parseInputLine(JSON.stringify({ cmd: 'send', peer: KEY, text: 'yes' }))).toEqual({ kind: 'send', peer: KEY, text: 'yes', reply: null });
    expect(parseInputLine(JSON.stringify({ cmd: 'send', peer: KEY, text: 'yes', reply: 7 })).kind).toBe('bad');
    expect(parseInputLine(JSON.stringify({ cmd: 'send', peer: KEY, text: 'yes', reply: null })).kind).toBe('bad');
    expect(parseInputLine(JSON.stringify({ cmd: 'accept', peer: KEY }))).toEqual({ kind: 'accept', peer: KEY });
    expect(parseInputLine(JSON.stringify({ cmd: 'accept' })).kind).toBe('bad');
  });
});

/**
 * tests/fixtures/vectors/parley/invites.json (PROTOCOL.md section 5): every valid URL parses to
 * its `parsed` form, every invalid one throws InviteError, every `format` entry is written byte for
 * byte and parses back, and each `unspecified` case gets the reading documented in invite.ts.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_PORT, formatInvite, type Invite, InviteError, parseInvite } from '../../../src/core/protocol/invite.ts';
import { loadJson, Tally } from '../crypto/vectors.ts';

type ValidCase = { description: string; url: string; parsed: Invite };
type InvalidCase = { description: string; url: string };
type UnspecifiedCase = { description: string; url: string; reference_parsed: Invite | null };
type FormatCase = Invite & { url: string };
type InviteFile = {
  default_port: number;
  valid: ValidCase[];
  invalid: InvalidCase[];
  unspecified: UnspecifiedCase[];
  format: FormatCase[];
};

const file = loadJson<InviteFile>('parley/invites.json');
const FP = 'aeb7cb492faa39ee7924910d916d5f4891a15b6c50b9b88d8d3f797f5820eafb';

/** The members of section 5 (the vectors predate the `dht` and `tok` extensions; they must be null in all of them). */
type V1Invite = Omit<Invite, 'dht' | 'tok'>;
const v1 = (i: Invite): V1Invite => {
  expect(i.dht).toBeNull();
  expect(i.tok).toBeNull();
  return { host: i.host, port: i.port, fp: i.fp, name: i.name };
};

/**
 * Our reading of each case the page leaves open (see the "Choice:" comments in invite.ts):
 * 'refuse', or the invite we parse.
 */
const OUR_CHOICE: Record<string, 'refuse' | V1Invite> = {
  'an IPv4 part with a leading zero ("four decimal numbers 0-255": is 010 one?)': 'refuse',
  'a DNS name in uppercase (kept as written by the reference)': { host: 'LocalHost', port: 47800, fp: FP, name: null },
  'a DNS name with a trailing dot': 'refuse',
  'a DNS name with an underscore': 'refuse',
  'a DNS name whose last label is all digits (example.123)': 'refuse',
  'a DNS label of 64 characters': 'refuse',
  'an IPv6 address with a zone id': 'refuse',
  'a raw space in the name (not percent-encoded)': 'refuse',
  'raw non-ASCII in the name (not percent-encoded)': 'refuse',
  'a name of 65 code points (longer than a hello name may be)': 'refuse',
  'a control character in the name': 'refuse',
  "`name` without '='": 'refuse',
  "an empty parameter (&&) and a trailing '&'": 'refuse',
  'bad percent-encoding in an unknown parameter': 'refuse',
  'fp with percent-encoded hex digits (%61 = a)': 'refuse',
  'a percent-encoded parameter name (n%61me = name)': { host: '127.0.0.1', port: 47800, fp: FP, name: null },
};

/** Where our reading differs from the reference's (reported, not hidden). */
const DIFFERS_FROM_REFERENCE = [
  'a name of 65 code points (longer than a hello name may be)',
  'a control character in the name',
  "`name` without '='",
  "an empty parameter (&&) and a trailing '&'",
  'bad percent-encoding in an unknown parameter',
];

function tryParse(url: string): { invite: Invite } | { error: unknown } {
  try {
    return { invite: parseInvite(url) };
  } catch (error) {
    return { error };
  }
}

describe('invite vectors', () => {
  it('the file has the documented shape', () => {
    expect(file.default_port).toBe(DEFAULT_PORT);
    expect([file.valid.length, file.invalid.length, file.unspecified.length]).toEqual([24, 50, 16]);
    expect(file.format.length).toBeGreaterThan(0);
  });

  it('every case gives the expected result', () => {
    const tally = new Tally();
    for (const tc of file.valid) {
      const r = tryParse(tc.url);
      if ('error' in r) tally.record(`valid: ${tc.description}`, [`threw ${String(r.error)}`]);
      else tally.record(`valid: ${tc.description}`, JSON.stringify(v1(r.invite)) === JSON.stringify(tc.parsed) ? [] : [`got ${JSON.stringify(r.invite)}`]);
    }
    for (const tc of file.invalid) {
      const r = tryParse(tc.url);
      const problems = 'invite' in r ? ['accepted'] : r.error instanceof InviteError ? [] : [`threw ${String(r.error)}, not InviteError`];
      tally.record(`invalid: ${tc.description}`, problems);
    }
    for (const tc of file.format) {
      const problems: string[] = [];
      const url = formatInvite({ host: tc.host, port: tc.port, fp: tc.fp, name: tc.name });
      if (url !== tc.url) problems.push(`formatted ${url}`);
      const back = tryParse(tc.url);
      const expected: V1Invite = { host: tc.host, port: tc.port, fp: tc.fp, name: tc.name };
      if ('error' in back || JSON.stringify(v1(back.invite)) !== JSON.stringify(expected)) problems.push('does not round-trip');
      tally.record(`format: ${tc.url}`, problems);
    }
    for (const tc of file.unspecified) {
      const choice = OUR_CHOICE[tc.description];
      const r = tryParse(tc.url);
      let problems: string[];
      if (choice === undefined) problems = ['no documented choice for this case'];
      else if (choice === 'refuse') problems = 'error' in r && r.error instanceof InviteError ? [] : ['not refused with InviteError'];
      else problems = 'invite' in r && JSON.stringify(v1(r.invite)) === JSON.stringify(choice) ? [] : ['not parsed as chosen'];
      tally.record(`unspecified: ${tc.description}`, problems);
    }
    tally.summary('parley invites');
    expect(tally.failures).toEqual([]);
    expect(tally.passed).toBe(file.valid.length + file.invalid.length + file.format.length + file.unspecified.length);
  });

  it('our unspecified readings differ from the reference exactly where documented', () => {
    const differing = file.unspecified
      .filter((tc) => {
        const choice = OUR_CHOICE[tc.description];
        const ours = choice === 'refuse' ? null : choice;
        return JSON.stringify(ours) !== JSON.stringify(tc.reference_parsed);
      })
      .map((tc) => tc.description);
    expect(differing).toEqual(DIFFERS_FROM_REFERENCE);
  });
});

/**
 * tests/fixtures/vectors/parley/transport_messages.json (PROTOCOL.md sections 2 and 4): the verdict
 * for every transport plaintext and every hello, and our documented reading of the unspecified
 * cases. Also: the payloads of the Noise known-answer file decode, and re-encode byte for byte.
 */
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../../src/core/crypto/bytes.ts';
import { HelloError, encodeHello, parseHello } from '../../../src/core/protocol/hello.ts';
import { decodeTransport, encodeTransport, type TransportVerdict } from '../../../src/core/protocol/messages.ts';
import { loadJson, Tally } from '../crypto/vectors.ts';

type Case = { description: string; plaintext_hex: string; plaintext: string | null; note?: string };
type TransportCase = Case & { verdict: 'deliver' | 'ignore' | 'close' };
type HelloCase = Case & { verdict: 'accept' | 'abort' };
type TransportUnspecified = Case & { reference_verdict: 'deliver' | 'ignore' | 'close' };
type HelloUnspecified = Case & { reference_verdict: 'accept' | 'abort' };
type TransportFile = {
  transport: TransportCase[];
  transport_unspecified: TransportUnspecified[];
  hello: HelloCase[];
  hello_unspecified: HelloUnspecified[];
};
type NoiseFile = { vectors: { messages: { payload: string }[] }[] };

const file = loadJson<TransportFile>('parley/transport_messages.json');

/**
 * Our reading of the unspecified cases: integers are checked by the literal's exact decimal value
 * (json-text.ts), so a number that is no integer but rounds to one is refused. Same as the reference.
 */
const TRANSPORT_CHOICE: Record<string, 'deliver' | 'ignore' | 'close'> = {
  'ts 1700000000000.0000001': 'close',
  'ts 1e-400': 'close',
};
const HELLO_CHOICE: Record<string, 'accept' | 'abort'> = { 'v 1.0000000000000001': 'abort' };

function choiceFor<T>(table: Record<string, T>, description: string): T | undefined {
  const key = Object.keys(table).find((k) => description.startsWith(`${k}:`));
  return key === undefined ? undefined : table[key];
}

function helloVerdict(bytes: Uint8Array): { verdict: 'accept'; name: string } | { verdict: 'abort'; error: unknown } {
  try {
    return { verdict: 'accept', name: parseHello(bytes).name };
  } catch (error) {
    return { verdict: 'abort', error };
  }
}

/** What a delivered message must hold: the JSON.parse view of the same text (last value wins, -0 is 0). */
function expectedDelivery(plaintext: string): unknown {
  const o = JSON.parse(plaintext) as Record<string, unknown>;
  switch (o['type']) {
    case 'msg':
      return { type: 'msg', id: o['id'], ts: (o['ts'] as number) + 0, text: o['text'] };
    case 'ack':
      return { type: 'ack', id: o['id'] };
    default:
      return { type: o['type'] };
  }
}

function checkTransport(tc: Case, expected: string, got: TransportVerdict): string[] {
  if (got.verdict !== expected) return [`verdict ${got.verdict}${got.verdict === 'close' ? ` (${got.reason})` : ''}`];
  if (got.verdict === 'deliver' && tc.plaintext !== null) {
    const want = expectedDelivery(tc.plaintext);
    if (JSON.stringify(got.message) !== JSON.stringify(want) || Object.is(got.message.type === 'msg' && got.message.ts, -0)) {
      return [`delivered ${JSON.stringify(got.message)}`];
    }
  }
  if (got.verdict === 'close' && got.reason.length === 0) return ['close without a reason'];
  return [];
}

describe('transport message vectors', () => {
  it('the file has the documented shape', () => {
    expect([file.transport.length, file.transport_unspecified.length, file.hello.length, file.hello_unspecified.length]).toEqual([
      116, 2, 39, 1,
    ]);
  });

  it('every plaintext gets its verdict', () => {
    const tally = new Tally();
    for (const tc of file.transport) {
      tally.record(`transport: ${tc.description}`, checkTransport(tc, tc.verdict, decodeTransport(fromHex(tc.plaintext_hex))));
    }
    for (const tc of file.transport_unspecified) {
      const choice = choiceFor(TRANSPORT_CHOICE, tc.description);
      if (choice === undefined) tally.record(`transport_unspecified: ${tc.description}`, ['no documented choice']);
      else tally.record(`transport_unspecified: ${tc.description}`, checkTransport(tc, choice, decodeTransport(fromHex(tc.plaintext_hex))));
    }
    const hellos: [HelloCase | HelloUnspecified, 'accept' | 'abort' | undefined][] = [
      ...file.hello.map((tc): [HelloCase, 'accept' | 'abort'] => [tc, tc.verdict]),
      ...file.hello_unspecified.map((tc): [HelloUnspecified, 'accept' | 'abort' | undefined] => [tc, choiceFor(HELLO_CHOICE, tc.description)]),
    ];
    for (const [tc, expected] of hellos) {
      const got = helloVerdict(fromHex(tc.plaintext_hex));
      const problems: string[] = [];
      if (expected === undefined) problems.push('no documented choice');
      else if (got.verdict !== expected) problems.push(`verdict ${got.verdict}`);
      else if (got.verdict === 'abort' && !(got.error instanceof HelloError)) problems.push(`threw ${String(got.error)}, not HelloError`);
      else if (got.verdict === 'accept' && tc.plaintext !== null && got.name !== (JSON.parse(tc.plaintext) as { name: string }).name) {
        problems.push(`name ${JSON.stringify(got.name)}`);
      }
      tally.record(`hello: ${tc.description}`, problems);
    }
    tally.summary('parley transport messages');
    expect(tally.failures).toEqual([]);
    expect(tally.passed).toBe(
      file.transport.length + file.transport_unspecified.length + file.hello.length + file.hello_unspecified.length,
    );
  });

  it('our unspecified readings agree with the reference', () => {
    for (const tc of file.transport_unspecified) expect(choiceFor(TRANSPORT_CHOICE, tc.description)).toBe(tc.reference_verdict);
    for (const tc of file.hello_unspecified) expect(choiceFor(HELLO_CHOICE, tc.description)).toBe(tc.reference_verdict);
  });

  it('the payloads of the Noise known-answer file decode and re-encode byte for byte', () => {
    const noise = loadJson<NoiseFile>('parley/noise_xx_p256_aesgcm_sha256.json');
    let checked = 0;
    for (const vector of noise.vectors) {
      vector.messages.forEach((m, index) => {
        if (index === 0) {
          expect(m.payload).toBe('');
        } else if (index <= 2) {
          const hello = parseHello(fromHex(m.payload));
          expect(toHex(encodeHello(hello.name))).toBe(m.payload);
        } else {
          const verdict = decodeTransport(fromHex(m.payload));
          if (verdict.verdict !== 'deliver') throw new Error(`payload ${index} not delivered: ${JSON.stringify(verdict)}`);
          expect(toHex(encodeTransport(verdict.message))).toBe(m.payload);
        }
        checked++;
      });
    }
    expect(checked).toBe(noise.vectors.reduce((n, v) => n + v.messages.length, 0));
    expect(checked).toBeGreaterThan(30);
  });
});

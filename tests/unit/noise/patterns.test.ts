/** The pattern tables: the expected set, and the validity rules of spec section 7.3 on each. */
import { describe, expect, it } from 'vitest';
import { getPattern, INTERACTIVE_PATTERN_NAMES, ONE_WAY_PATTERN_NAMES, PATTERNS, type HandshakePattern } from '../../../src/core/noise/patterns.ts';

/** Returns the rule a pattern breaks, or null (spec section 7.3, rules 1-3, plus the message-count shape). */
function violation(p: HandshakePattern): string | null {
  // What each party (0 = initiator, 1 = responder) has sent so far, pre-messages included.
  const sent: Set<string>[] = [new Set(p.initiatorPreMessage), new Set(p.responderPreMessage)];
  for (const pre of [p.initiatorPreMessage, p.responderPreMessage]) {
    if (new Set(pre).size !== pre.length) return 'duplicate key in a pre-message';
  }
  const dhDone = new Set<string>();
  for (const [index, tokens] of p.messages.entries()) {
    const party = index % 2;
    for (const token of tokens) {
      if (token === 'e' || token === 's') {
        if (sent[party]!.has(token)) return `${token} sent twice`;
        sent[party]!.add(token);
      } else {
        // Rule 1: both keys must exist; the first letter is the initiator's key, the second the responder's.
        if (!sent[0]!.has(token[0]!) || !sent[1]!.has(token[1]!)) return `${token} before its keys exist`;
        // Rule 3: no DH twice.
        if (dhDone.has(token)) return `${token} twice`;
        dhDone.add(token);
      }
    }
  }
  if (p.oneWay !== (p.messages.length === 1)) return 'one-way patterns have exactly one message';
  return null;
}

describe('handshake patterns', () => {
  it('hold the 12 fundamental interactive and 3 one-way patterns, all valid', () => {
    expect(INTERACTIVE_PATTERN_NAMES).toHaveLength(12);
    expect(Object.keys(PATTERNS).sort()).toEqual([...INTERACTIVE_PATTERN_NAMES, ...ONE_WAY_PATTERN_NAMES].sort());
    for (const p of Object.values(PATTERNS)) {
      expect(violation(p), p.name).toBeNull();
      expect(getPattern(p.name)).toBe(p);
    }
  });

  it('the checker catches a broken pattern (so the check above can fail)', () => {
    const broken = { ...PATTERNS.XX, messages: [['e'], ['ee', 'e', 's', 'es'], ['s', 'se']] } as HandshakePattern;
    expect(violation(broken)).toMatch(/ee before/);
    const twice = { ...PATTERNS.NN, messages: [['e'], ['e', 'ee', 'ee']] } as HandshakePattern;
    expect(violation(twice)).toMatch(/twice/);
  });

  it('XX is PROTOCOL.md section 2: -> e; <- e, ee, s, es; -> s, se', () => {
    expect(PATTERNS.XX.messages).toEqual([['e'], ['e', 'ee', 's', 'es'], ['s', 'se']]);
    expect(PATTERNS.XX.initiatorPreMessage).toEqual([]);
    expect(PATTERNS.XX.responderPreMessage).toEqual([]);
  });

  it('the tables are frozen', () => {
    expect(Object.isFrozen(PATTERNS)).toBe(true);
    expect(Object.isFrozen(PATTERNS.XX.messages)).toBe(true);
    expect(Object.isFrozen(PATTERNS.XX.messages[1])).toBe(true);
  });

  it('getPattern refuses deferred, PSK and unknown names', () => {
    for (const name of ['XX1', 'XXpsk3', 'xx', '', 'toString', '__proto__']) expect(() => getPattern(name)).toThrow(RangeError);
  });
});

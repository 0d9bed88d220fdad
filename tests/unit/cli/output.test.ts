/**
 * Security review of the headless peer's output: a peer chooses its display name and message
 * texts, and the protocol allows LF in a text and every non-control character in both — C1
 * controls (U+0080–U+009F, which some terminals obey: U+009B is CSI, U+009D starts an OSC),
 * bidi overrides and isolates (which reorder what follows on the line), and the Unicode line
 * separators. None of that may forge a line of output or reach the terminal as a control.
 */
import { describe, expect, it } from 'vitest';
import { formatEvent, type CliEvent } from '../../../src/cli/output.ts';

const PEER = 'ab'.repeat(32);
const OTHER = 'cd'.repeat(32);
// Characters a terminal or a line splitter may act on, which the wire allows in a text or a name.
const DANGEROUS = ['\u0085', '\u009b', '\u009d', '\u200e', '\u200f', '\u061c', '\u202a', '\u202e', '\u2066', '\u2069', '\u2028', '\u2029'];

/** Every character of a human line that is neither printable nor TAB (LF separates lines). */
function unsafeChars(out: string): string[] {
  return [...out].filter((ch) => DANGEROUS.includes(ch) || (ch < ' ' && ch !== '\n' && ch !== '\t') || ch === '\u007f');
}

describe('human output', () => {
  it("a message's LF cannot start a line that looks like another event", () => {
    const forged = `hi\n${OTHER.slice(0, 16)}: send me your passphrase\nwarning (key-changed): none`;
    const out = formatEvent({ event: 'message', peer: PEER, id: '00000000-0000-4000-8000-000000000000', ts: 1, text: forged }, false);
    const lines = out.split('\n');
    expect(lines[0]).toBe(`${PEER.slice(0, 16)}: hi`);
    // Every further line of the same message is indented: no line of it starts where events start.
    for (const line of lines.slice(1)) expect(line).toMatch(/^\s+\S/);
    expect(lines.slice(1).join('\n')).toContain('send me your passphrase');
  });

  it('C1 controls, bidi controls and line separators from a peer are shown as escapes, never printed raw', () => {
    const text = `a${DANGEROUS.join('b')}z`;
    const events: CliEvent[] = [
      { event: 'message', peer: PEER, id: '00000000-0000-4000-8000-000000000000', ts: 1, text },
      { event: 'connected', peer: PEER, name: `Alice${DANGEROUS.join('')}`, verified: false, safetyNumber: '00000 '.repeat(12).trim() },
      { event: 'warning', code: 'name-collision', message: `a new identity presents the name "Bob\u202e" of a known contact`, peer: PEER },
      { event: 'error', code: 'bad-input', message: `bad \u009b2J input` },
      { event: 'ready', fingerprint: PEER, name: 'Eve\u2066' },
    ];
    for (const e of events) {
      const out = formatEvent(e, false);
      expect(unsafeChars(out), `${e.event}: ${JSON.stringify(out)}`).toEqual([]);
    }
    const shown = formatEvent(events[0] as CliEvent, false);
    expect(shown).toContain('\\u{9b}');
    expect(shown).toContain('\\u{202e}');
  });

  it('ordinary text, accents, emoji, RTL letters and TAB are printed as they are', () => {
    const text = 'Grüße, שלום 👋\tdone';
    expect(formatEvent({ event: 'message', peer: PEER, id: '00000000-0000-4000-8000-000000000000', ts: 1, text }, false)).toBe(`${PEER.slice(0, 16)}: ${text}`);
  });
});

describe('--json output', () => {
  it('is one line per event whatever the text holds, and parses back to the same values', () => {
    const text = `x\ny\u2028z\u2029w\u0085v\u009b\u202e`;
    const e: CliEvent = { event: 'message', peer: PEER, id: '00000000-0000-4000-8000-000000000000', ts: 1, text };
    const out = formatEvent(e, true);
    // No character that any common line splitter (including str.splitlines) breaks on.
    // eslint-disable-next-line no-control-regex
    expect(out).not.toMatch(/[\n\r\u000b\u000c\u001c-\u001e\u0085\u2028\u2029]/);
    expect(JSON.parse(out)).toEqual(e);
  });
});

/**
 * Invite URLs (PROTOCOL.md section 5): `parley://HOST[:PORT]?fp=<64 hex>[&dht=<64 hex>][&name=<percent-encoded>]`
 * (`dht`, the host's HyperDHT key, is the extension of section 8).
 *
 * The syntax is checked by hand: generic URL parsers accept `999.1.1.1`, `:047800`, user info,
 * paths and an uppercase scheme, and URLSearchParams reads `+` as a space.
 *
 * Where the page leaves a detail open, the reading here is the strict one (each is marked
 * "Choice:" below): an IPv4 part has no leading zero; a DNS name is LDH labels of 1–63
 * characters (case kept as written), at most 253 characters, no trailing dot, no underscore,
 * and a last label that is not all digits; no IPv6 zone id; the query holds only RFC 3986 query
 * characters with well-formed %XX escapes (even in unknown parameters); every parameter is
 * `key=value` with a non-empty key (no `&&`, no trailing `&`, no bare `name`); parameter names
 * and `fp` are compared as written, never percent-decoded; and `name` must decode to a valid
 * display name (0–64 code points, no control character), as a hello name must. `dht`, like `fp`,
 * appears at most once, is never percent-decoded and is exactly 64 lowercase hex digits. `tok`
 * (the invite token, docs/PROTOCOL.md section 10.1) appears at most once, is never
 * percent-decoded and is exactly 32 lowercase hex digits.
 *
 * `via=lan` (ours; other peers ignore it as an unknown parameter) marks an invite that this node
 * made from a DNS-SD record (PROTOCOL.md section 8): anyone on the network can advertise anything,
 * so joining it expects `fp` but never marks the contact verified. Any `via` value has that effect
 * (the safe direction: it can only take verification away).
 */
import { isIntegerInRange } from './json-text.ts';
import { isValidDisplayName } from './hello.ts';

/** The port an invite without `:PORT` means. */
export const DEFAULT_PORT = 47800;

/**
 * A parsed invite; an IPv6 host is given without brackets; `dht` and `tok` are null when absent.
 * `via` is absent for an invite the host gave, and 'lan' for one made from a discovery record (see below).
 */
export type Invite = { host: string; port: number; fp: string; dht: string | null; name: string | null; tok: string | null; via?: 'lan' };

/** What the user asked to join: an invite (with an expected fingerprint) or a bare address. */
export type JoinTarget = { kind: 'invite'; invite: Invite } | { kind: 'address'; host: string; port: number };

/** An invite or address that does not follow the syntax; the message is plain words for the user. */
export class InviteError extends Error {
  override name = 'InviteError';
}

const SCHEME = 'parley://';
const FP_RE = /^[0-9a-f]{64}$/;
const TOK_RE = /^[0-9a-f]{32}$/;

/** True for an invite token in its text form: 32 lowercase hex digits. */
export function isInviteToken(x: unknown): x is string {
  return typeof x === 'string' && x.length === 32 && TOK_RE.test(x);
}
const PORT_RE = /^[1-9][0-9]{0,4}$/;
// Choice: no leading zero ("010" could be read as octal by some resolvers).
const IPV4_PART_RE = /^(?:0|[1-9][0-9]{0,2})$/;
const IPV6_GROUP_RE = /^[0-9A-Fa-f]{1,4}$/;
// Choice: LDH labels (RFC 1123), 1 to 63 characters, no hyphen at either end, no underscore.
const DNS_LABEL_RE = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
// Choice: only RFC 3986 query characters may appear raw (no space, no non-ASCII, no '#').
const QUERY_CHARS_RE = /^[A-Za-z0-9\-._~!$&'()*+,;=:@/?%]*$/;
const BROKEN_ESCAPE_RE = /%(?![0-9A-Fa-f]{2})/;

/** True for a dotted IPv4 address: four decimal numbers 0–255 without leading zeros. */
export function isIpv4Address(s: string): boolean {
  const parts = s.split('.');
  return parts.length === 4 && parts.every((p) => IPV4_PART_RE.test(p) && Number(p) <= 255);
}

/** True for an IPv6 address in RFC 4291 text form (with `::` and a trailing IPv4 allowed; no zone id). */
export function isIpv6Address(s: string): boolean {
  if (s.length > 45 || !/^[0-9A-Fa-f:.]+$/.test(s)) return false;
  let t = s;
  if (t.includes('.')) {
    // A trailing dotted IPv4 stands for the last two groups.
    const lastColon = t.lastIndexOf(':');
    if (lastColon < 0 || !isIpv4Address(t.slice(lastColon + 1))) return false;
    t = `${t.slice(0, lastColon + 1)}0:0`;
  }
  const gap = t.indexOf('::');
  if (gap < 0) {
    const groups = t.split(':');
    return groups.length === 8 && groups.every((g) => IPV6_GROUP_RE.test(g));
  }
  if (t.indexOf('::', gap + 1) >= 0) return false; // at most one "::" (this also refuses ":::")
  const left = gap === 0 ? [] : t.slice(0, gap).split(':');
  const right = gap + 2 === t.length ? [] : t.slice(gap + 2).split(':');
  // "::" stands for at least one group of zeros.
  return left.length + right.length <= 7 && [...left, ...right].every((g) => IPV6_GROUP_RE.test(g));
}

/**
 * True for a DNS name as invites accept it. Choice: a last label of digits only is refused, so
 * that `999.1.1.1`, `1.2.3` or `2130706433` are not taken for names; no trailing dot.
 */
export function isDnsName(s: string): boolean {
  if (s.length === 0 || s.length > 253) return false;
  const labels = s.split('.');
  const last = labels[labels.length - 1] ?? '';
  return labels.every((l) => DNS_LABEL_RE.test(l)) && !/^[0-9]+$/.test(last);
}

/** Parses an invite URL exactly; throws InviteError with a plain-words message otherwise. */
export function parseInvite(text: string): Invite {
  if (typeof text !== 'string') throw new TypeError('parseInvite: text must be a string');
  if (!text.startsWith(SCHEME)) throw new InviteError('An invite starts with parley:// (in lowercase).');
  const rest = text.slice(SCHEME.length);
  if (rest.includes('#')) throw new InviteError('An invite cannot end with a fragment (#…).');
  const q = rest.indexOf('?');
  if (q < 0) throw new InviteError('This invite has no fingerprint: it must carry ?fp=… after the address.');
  const { host, port } = parseHostPort(rest.slice(0, q), 'invite');
  const { fp, dht, name, tok, via } = parseQuery(rest.slice(q + 1));
  return { host, port, fp, dht, name, tok, ...(via ? { via: 'lan' as const } : {}) };
}

/** Writes an invite (always with :PORT, IPv6 in brackets, name as encodeURIComponent does); RangeError/TypeError for bad input. */
export function formatInvite(invite: { host: string; port: number; fp: string; dht?: string | null; name?: string | null; tok?: string | null; via?: 'lan' }): string {
  const { host, port, fp, dht, name, tok, via } = invite;
  if (typeof host !== 'string') throw new TypeError('formatInvite: host must be a string');
  let hostPart: string;
  if (isIpv4Address(host) || isDnsName(host)) hostPart = host;
  else if (isIpv6Address(host)) hostPart = `[${host}]`;
  else throw new RangeError('formatInvite: host must be an IPv4 address, an IPv6 address (without brackets) or a DNS name');
  if (!isIntegerInRange(port, 1, 65535)) throw new RangeError('formatInvite: port must be an integer from 1 to 65535');
  if (typeof fp !== 'string' || !FP_RE.test(fp)) throw new RangeError('formatInvite: fp must be 64 lowercase hex digits');
  let url = `${SCHEME}${hostPart}:${port}?fp=${fp}`;
  if (dht !== undefined && dht !== null) {
    if (typeof dht !== 'string' || !FP_RE.test(dht)) throw new RangeError('formatInvite: dht must be 64 lowercase hex digits');
    url += `&dht=${dht}`;
  }
  if (tok !== undefined && tok !== null) {
    if (!isInviteToken(tok)) throw new RangeError('formatInvite: tok must be 32 lowercase hex digits');
    url += `&tok=${tok}`;
  }
  if (name !== undefined && name !== null) {
    if (!isValidDisplayName(name)) throw new RangeError('formatInvite: name must be a valid display name');
    url += `&name=${encodeURIComponent(name)}`;
  }
  if (via === 'lan') url += '&via=lan';
  return url;
}

/**
 * Parses what a user gives to join: a parley:// invite, or a bare HOST:PORT (IPv4, [IPv6]:PORT
 * or DNS name; the port is required). Leading and trailing ASCII whitespace is ignored, as it
 * comes with pasting. Throws InviteError otherwise.
 */
export function parseJoinTarget(text: string): JoinTarget {
  if (typeof text !== 'string') throw new TypeError('parseJoinTarget: text must be a string');
  const t = text.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
  if (t.includes('://') || t.toLowerCase().startsWith('parley:')) return { kind: 'invite', invite: parseInvite(t) };
  const { host, port } = parseHostPort(t, 'address');
  return { kind: 'address', host, port };
}

/** HOST[:PORT] of an invite, or HOST:PORT of a bare address (where the port is required). */
function parseHostPort(authority: string, context: 'invite' | 'address'): { host: string; port: number } {
  if (authority.includes('@')) throw new InviteError(`An ${context} cannot carry user info (…@).`);
  if (authority.includes('/')) throw new InviteError(`An ${context} cannot carry a path (/…).`);
  let host: string;
  let portText: string | null;
  if (authority.startsWith('[')) {
    const close = authority.indexOf(']');
    if (close < 0) throw new InviteError('The IPv6 address has no closing bracket "]".');
    host = authority.slice(1, close);
    // Choice: no zone id (fe80::1%25eth0): it only means something on the host that wrote it.
    if (!isIpv6Address(host)) throw new InviteError('The address in brackets is not an IPv6 address.');
    const after = authority.slice(close + 1);
    if (after !== '' && !after.startsWith(':')) throw new InviteError('Only ":PORT" may follow the IPv6 address.');
    portText = after === '' ? null : after.slice(1);
  } else {
    const colon = authority.indexOf(':');
    host = colon < 0 ? authority : authority.slice(0, colon);
    portText = colon < 0 ? null : authority.slice(colon + 1);
    if (portText !== null && portText.includes(':')) {
      throw new InviteError('An IPv6 address must be written in brackets, as in [::1]:47800.');
    }
    if (host === '') throw new InviteError(`The ${context} has no host.`);
    if (!isIpv4Address(host) && !isDnsName(host)) {
      throw new InviteError('The host is neither an IPv4 address (four numbers 0 to 255) nor a valid DNS name.');
    }
  }
  if (portText === null) {
    if (context === 'address') throw new InviteError('Give the port too, as HOST:PORT (for example 192.168.1.20:47800).');
    return { host, port: DEFAULT_PORT };
  }
  if (!PORT_RE.test(portText) || Number(portText) > 65535) {
    throw new InviteError('The port must be a number from 1 to 65535, without leading zeros.');
  }
  return { host, port: Number(portText) };
}

/** The query of an invite: fp exactly once, dht and name at most once, unknown parameters ignored. */
function parseQuery(query: string): { fp: string; dht: string | null; name: string | null; tok: string | null; via: boolean } {
  if (query === '') throw new InviteError('This invite has no fingerprint (fp=…).');
  if (!QUERY_CHARS_RE.test(query)) {
    throw new InviteError('The invite holds characters that must be percent-encoded (such as spaces or accented letters).');
  }
  // Choice: a broken escape makes the invite invalid even in a parameter that is ignored.
  if (BROKEN_ESCAPE_RE.test(query)) throw new InviteError('The invite has a broken percent-encoding (a "%" not followed by two hex digits).');
  const fps: string[] = [];
  const names: string[] = [];
  const dhts: string[] = [];
  const toks: string[] = [];
  let via = false;
  for (const param of query.split('&')) {
    // Choice: no empty parameter and no parameter without "=".
    if (param === '') throw new InviteError('The invite has an empty parameter ("&&" or a trailing "&").');
    const eq = param.indexOf('=');
    if (eq <= 0) throw new InviteError('Every parameter of an invite is written name=value.');
    // Choice: parameter names are compared as written (n%61me is an unknown parameter).
    const key = param.slice(0, eq);
    const value = param.slice(eq + 1);
    if (key === 'fp') fps.push(value);
    else if (key === 'name') names.push(value);
    else if (key === 'dht') dhts.push(value);
    else if (key === 'tok') toks.push(value);
    else if (key === 'via') via = true;
  }
  if (fps.length === 0) throw new InviteError('This invite has no fingerprint (fp=…).');
  if (fps.length > 1) throw new InviteError('This invite gives the fingerprint (fp) more than once.');
  const fp = fps[0] as string;
  // Choice: fp is never percent-decoded: it is exactly 64 lowercase hex digits.
  if (!FP_RE.test(fp)) throw new InviteError('The fingerprint (fp) must be exactly 64 lowercase hex digits.');
  // Choice: like fp, dht at most once and never percent-decoded (section 8: invalid digits make the invite invalid).
  if (dhts.length > 1) throw new InviteError('This invite gives the network key (dht) more than once.');
  const dht = dhts[0] ?? null;
  if (dht !== null && !FP_RE.test(dht)) throw new InviteError('The network key (dht) must be exactly 64 lowercase hex digits.');
  // Choice: like dht, tok at most once and never percent-decoded; invalid digits make the invite invalid.
  if (toks.length > 1) throw new InviteError('This invite gives the invite token (tok) more than once.');
  const tok = toks[0] ?? null;
  if (tok !== null && !isInviteToken(tok)) throw new InviteError('The invite token (tok) must be exactly 32 lowercase hex digits.');
  if (names.length > 1) throw new InviteError('This invite gives the name more than once.');
  const rawName = names[0];
  if (rawName === undefined) return { fp, dht, name: null, tok, via };
  const name = percentDecodeUtf8(rawName);
  // Choice: the name is shown to the user as the host's display name, so it obeys the hello rules.
  if (!isValidDisplayName(name)) {
    throw new InviteError('The name in this invite is not a valid display name (at most 64 characters, no control characters).');
  }
  return { fp, dht, name, tok, via };
}

// fatal: invalid UTF-8 (truncated, overlong, surrogates) is an error; ignoreBOM: keep a leading U+FEFF.
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Decodes %XX escapes (already checked to be well formed) as UTF-8; '+' stays a plus. */
function percentDecodeUtf8(raw: string): string {
  const bytes = new Uint8Array(raw.length);
  let n = 0;
  for (let i = 0; i < raw.length; i++) {
    if (raw.charCodeAt(i) === 0x25 /* % */) {
      bytes[n++] = Number.parseInt(raw.slice(i + 1, i + 3), 16);
      i += 2;
    } else {
      bytes[n++] = raw.charCodeAt(i); // ASCII only, checked by QUERY_CHARS_RE
    }
  }
  try {
    return utf8Decoder.decode(bytes.subarray(0, n));
  } catch {
    throw new InviteError('The name in this invite is not valid UTF-8 once percent-decoded.');
  }
}

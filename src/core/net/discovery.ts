/**
 * Local network discovery (PROTOCOL.md section 8): DNS-SD over multicast DNS, service type
 * `_parley._tcp`, port = the TCP port, instance name = the display name (or `Parley`), TXT `v=1`
 * and `fp=<64 hex>`. Opt-in on the advertising side. What is found is a hint, never trust: anyone
 * on the network can advertise anything, so every record is parsed from unknown and a join to a
 * found host expects its `fp` but does not verify the contact.
 *
 * Library: bonjour-service (maintained, pure TypeScript over multicast-dns, both advertises and
 * browses; @homebridge/ciao only advertises and ignores veth interfaces unless told otherwise).
 */
import { Bonjour, type Service } from 'bonjour-service';
import { isValidDisplayName } from '../protocol/hello.ts';
import { formatInvite, isIpv4Address, isIpv6Address } from '../protocol/invite.ts';

/** The DNS-SD service type, without the leading underscore and protocol (bonjour-service adds them). */
export const SERVICE_TYPE = 'parley';
/** The instance name when the display name is empty. */
export const DEFAULT_INSTANCE = 'Parley';
// A DNS label is at most 63 bytes.
const MAX_INSTANCE_BYTES = 63;
const FP_RE = /^[0-9a-f]{64}$/;

/** A host found on the local network. */
export type FoundHost = { readonly name: string; readonly fingerprint: string; readonly host: string; readonly port: number; readonly invite: string };

/** An advertisement in progress. */
export type Advertisement = { stop(): Promise<void> };

/** Advertising and browsing as the service uses them: the real multicast below, or a stand-in where multicast must not go out (end-to-end tests). */
export type Discovery = {
  advertise(options: { name: string; port: number; fingerprint: string; log: (line: string) => void }): Advertisement;
  browse(options: { timeoutMs: number; log: (line: string) => void }): Promise<FoundHost[]>;
};

/** The instance name for a display name: the name (cut to 63 UTF-8 bytes on a code point) or `Parley`. */
export function instanceName(displayName: string): string {
  if (displayName === '') return DEFAULT_INSTANCE;
  let out = '';
  let bytes = 0;
  for (const ch of displayName) {
    const n = Buffer.byteLength(ch);
    if (bytes + n > MAX_INSTANCE_BYTES) break;
    out += ch;
    bytes += n;
  }
  return out;
}

/** Advertises this host until stop(); multicast errors are logged, never thrown. */
export function advertise(options: { name: string; port: number; fingerprint: string; log: (line: string) => void }): Advertisement {
  if (!FP_RE.test(options.fingerprint)) throw new RangeError('advertise: fingerprint must be 64 lowercase hex digits');
  const bonjour = new Bonjour({}, (err: unknown) => options.log(`discovery: ${err instanceof Error ? err.message : String(err)}`));
  bonjour.publish({ name: instanceName(options.name), type: SERVICE_TYPE, protocol: 'tcp', port: options.port, txt: { v: '1', fp: options.fingerprint }, disableIPv6: true });
  return {
    stop: () =>
      new Promise<void>((resolve) => {
        bonjour.unpublishAll(() => bonjour.destroy(() => resolve()));
      }),
  };
}

/** Browses for `timeoutMs` and returns each distinct host found (by fingerprint and address). */
export function browse(options: { timeoutMs: number; log: (line: string) => void }): Promise<FoundHost[]> {
  return new Promise((resolve) => {
    const bonjour = new Bonjour({}, (err: unknown) => options.log(`discovery: ${err instanceof Error ? err.message : String(err)}`));
    const found = new Map<string, FoundHost>();
    const browser = bonjour.find({ type: SERVICE_TYPE, protocol: 'tcp' }, (service: Service) => {
      const host = parseService(service);
      if (host) found.set(`${host.fingerprint}@${host.host}:${host.port}`, host);
      else options.log('discovery: ignored a malformed _parley._tcp record');
    });
    setTimeout(() => {
      browser.stop();
      bonjour.destroy(() => resolve([...found.values()]));
    }, options.timeoutMs).unref();
  });
}

/** Reads a discovered service from unknown data; null unless it is a well-formed Parley record. */
export function parseService(service: unknown): FoundHost | null {
  if (typeof service !== 'object' || service === null) return null;
  const s = service as Record<string, unknown>;
  const txt = s['txt'];
  if (typeof txt !== 'object' || txt === null) return null;
  const v = (txt as Record<string, unknown>)['v'];
  const fp = (txt as Record<string, unknown>)['fp'];
  if (String(v) !== '1' || typeof fp !== 'string' || !FP_RE.test(fp)) return null;
  const port = s['port'];
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) return null;
  const host = pickAddress(s['addresses'], s['referer']);
  if (host === null) return null;
  // The name is the advertiser's claim: shown only if it is a valid display name.
  const rawName = s['name'];
  const name = typeof rawName === 'string' && isValidDisplayName(rawName) ? rawName : '';
  return { name, fingerprint: fp, host, port, invite: formatInvite({ host, port, fp, name: name === '' ? null : name, via: 'lan' }) };
}

// An IPv4 address from the A records, else the address the answer came from.
function pickAddress(addresses: unknown, referer: unknown): string | null {
  const list = Array.isArray(addresses) ? addresses.filter((a): a is string => typeof a === 'string') : [];
  const v4 = list.find((a) => isIpv4Address(a));
  if (v4) return v4;
  const from = typeof referer === 'object' && referer !== null ? (referer as Record<string, unknown>)['address'] : undefined;
  if (typeof from === 'string' && (isIpv4Address(from) || isIpv6Address(from))) return from;
  const v6 = list.find((a) => isIpv6Address(a));
  return v6 ?? null;
}

/** The real DNS-SD discovery over multicast DNS. */
export const MULTICAST_DISCOVERY: Discovery = { advertise, browse };

/**
 * The reach settings the app remembers (who may join when hosting; the DHT's bootstrap nodes and
 * relay), with the validation every edge shares: the renderer checks as the user types, the IPC
 * schema checks again in main, and main re-reads stored values from unknown.
 */

/** The one hosting question's answers: this computer only, people on this network, anyone with the invite. */
export const HOST_REACHES = ['this-computer', 'network', 'anyone'] as const;
export type HostReach = (typeof HOST_REACHES)[number];

/** The app's default answer (issue 9): anyone I give the invite to. */
export const DEFAULT_HOST_REACH: HostReach = 'anyone';

/** What each answer to "who can join" means for the listener: the bind address and whether the DHT listens too. */
export function hostingPlan(reach: HostReach, announce: boolean): { bind: string; dht: boolean; announce: boolean } {
  switch (reach) {
    case 'this-computer':
      return { bind: '127.0.0.1', dht: false, announce: false };
    case 'network':
      return { bind: '0.0.0.0', dht: false, announce };
    case 'anyone':
      return { bind: '0.0.0.0', dht: true, announce: false };
  }
}


/** At most this many bootstrap nodes. */
export const MAX_BOOTSTRAP_NODES = 16;

const RELAY_KEY_RE = /^[0-9a-f]{64}$/;
// A DNS name (labels of letters, digits and inner hyphens) or a dotted IPv4 address; HyperDHT's
// bootstrap list is IPv4 (it resolves names itself).
const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const HOST_RE = new RegExp(`^${LABEL}(?:\\.${LABEL})*$`);

/** True for 64 lowercase hex digits (a blind relay's public key). */
export function isRelayKey(s: string): boolean {
  return RELAY_KEY_RE.test(s);
}

/** `HOST:PORT` (a DNS name or IPv4 address, port 1–65535) as {host, port}, or null. */
export function parseHostPort(s: string): { host: string; port: number } | null {
  const m = /^([^:\s]{1,253}):([0-9]{1,5})$/.exec(s.trim());
  if (m === null) return null;
  const host = m[1] as string;
  const port = Number(m[2]);
  if (!HOST_RE.test(host) || port < 1 || port > 65535) return null;
  return { host, port };
}

/** The bootstrap field (entries separated by commas, spaces or new lines): the normalised list, or a sentence saying what is wrong. */
export function parseBootstrapText(text: string): { ok: true; nodes: string[] } | { ok: false; message: string } {
  const entries = text.split(/[\s,]+/).filter((e) => e !== '');
  if (entries.length > MAX_BOOTSTRAP_NODES) return { ok: false, message: `At most ${MAX_BOOTSTRAP_NODES} bootstrap nodes.` };
  const nodes: string[] = [];
  for (const entry of entries) {
    const parsed = parseHostPort(entry);
    if (parsed === null) return { ok: false, message: `“${entry.slice(0, 80)}” is not HOST:PORT (for example dht.example.org:49737).` };
    const normal = `${parsed.host}:${parsed.port}`;
    if (!nodes.includes(normal)) nodes.push(normal);
  }
  return { ok: true, nodes };
}

/**
 * The app's reach settings in the store's key/value settings: the last answer to "who can join",
 * whether to be found on the network, and the DHT's bootstrap nodes and relay. Stored values are
 * read back from unknown (a hand-edited database falls back to the defaults instead of failing
 * start-up). The DHT settings apply when the service starts: the next time Parley starts.
 */
import type { DhtSettings } from '../core/service/reach.ts';
import type { SettingsRepo } from '../core/storage/settings-repo.ts';
import { DEFAULT_HOST_REACH, HOST_REACHES, hostingPlan, isRelayKey, parseBootstrapText, parseHostPort, type HostReach } from '../shared/reach-settings.ts';

const KEYS = { reach: 'host-reach', announce: 'host-announce', atStart: 'host-at-start', bootstrap: 'dht-bootstrap', relay: 'dht-relay' } as const;

/** What Settings and the host screen show. */
export type ReachSettings = {
  readonly hostReach: HostReach;
  readonly hostAnnounce: boolean;
  /** Host when Parley starts (unset: off until the first host turns it on). */
  readonly hostAtStart: boolean;
  /** HOST:PORT entries; empty = HyperDHT's public bootstrap nodes. */
  readonly dhtBootstrap: readonly string[];
  readonly dhtRelay: string | null;
};

/** Reads the reach settings (defaults for anything unset or malformed). */
export function readReachSettings(settings: Pick<SettingsRepo, 'get'>): ReachSettings {
  const reach = settings.get(KEYS.reach);
  const bootstrap = parseBootstrapText(settings.get(KEYS.bootstrap) ?? '');
  const relay = settings.get(KEYS.relay);
  return {
    hostReach: (HOST_REACHES as readonly string[]).includes(reach ?? '') ? (reach as HostReach) : DEFAULT_HOST_REACH,
    hostAnnounce: settings.get(KEYS.announce) === 'true',
    hostAtStart: settings.get(KEYS.atStart) === 'true',
    dhtBootstrap: bootstrap.ok ? bootstrap.nodes : [],
    dhtRelay: relay !== null && isRelayKey(relay) ? relay : null,
  };
}

/** What Settings may change: the bootstrap list as typed (see parseBootstrapText). */
export type ReachChanges = Partial<Omit<ReachSettings, 'dhtBootstrap'>> & { readonly dhtBootstrap?: string | undefined };

/** Stores the given changes (already validated by the IPC schema; checked again, as the repo is shared). */
export function writeReachSettings(settings: Pick<SettingsRepo, 'set' | 'delete'>, changes: ReachChanges): void {
  if (changes.hostReach !== undefined) settings.set(KEYS.reach, changes.hostReach);
  if (changes.hostAnnounce !== undefined) settings.set(KEYS.announce, String(changes.hostAnnounce));
  if (changes.hostAtStart !== undefined) settings.set(KEYS.atStart, String(changes.hostAtStart));
  if (changes.dhtBootstrap !== undefined) {
    const parsed = parseBootstrapText(changes.dhtBootstrap);
    if (!parsed.ok) throw new RangeError(parsed.message);
    if (parsed.nodes.length === 0) settings.delete(KEYS.bootstrap);
    else settings.set(KEYS.bootstrap, parsed.nodes.join(','));
  }
  if (changes.dhtRelay !== undefined) {
    if (changes.dhtRelay === null) settings.delete(KEYS.relay);
    else if (!isRelayKey(changes.dhtRelay)) throw new RangeError('a relay key is 64 lowercase hex digits');
    else settings.set(KEYS.relay, changes.dhtRelay);
  }
}

/**
 * Hosting started: "Host when Parley starts" turns on the first time, so that the next start comes
 * back where the user was. A choice the user made since (on or off) is kept.
 */
export function noteHosted(settings: Pick<SettingsRepo, 'get' | 'set'>): void {
  if (settings.get(KEYS.atStart) === null) settings.set(KEYS.atStart, 'true');
}

/** How to host at start, from the stored settings: null when "Host when Parley starts" is off. */
export function startupHosting(stored: ReachSettings, defaultPort: number): { port: number; bind: string; dht: boolean; announce: boolean } | null {
  if (!stored.hostAtStart) return null;
  return { port: defaultPort, ...hostingPlan(stored.hostReach, stored.hostAnnounce) };
}

/** The service's DHT settings from the stored ones: empty bootstrap keeps HyperDHT's public nodes. */
export function dhtSettingsFrom(stored: ReachSettings): DhtSettings {
  const nodes = stored.dhtBootstrap.map((entry) => parseHostPort(entry)).filter((n) => n !== null);
  return { bootstrap: nodes.length === 0 ? null : nodes, relay: stored.dhtRelay };
}

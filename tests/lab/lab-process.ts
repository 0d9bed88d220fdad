/**
 * Processes inside the lab's namespaces, driven with JSON lines (tests/helpers/cli-peer.ts does
 * the driving): the public DHT, the small DHT peer of dht-peer.ts, or the real headless peer.
 * A later case with the real peer is a few lines:
 *
 *   const host = spawnInNs(lab, lab.ns.a, peerCommand(), ['host', '--dht-bootstrap', labBootstrapArg(), '--json', ...]);
 */
import { join } from 'node:path';
import { PEER_ARGS, spawnPeer, type CliEvent, type CliPeer } from '../helpers/cli-peer.ts';
import { BOOTSTRAP, type Lab } from './net-lab.ts';

const NODE_TS = [process.execPath, '--experimental-strip-types', '--no-warnings=ExperimentalWarning'];

/** The argv of a TypeScript file in tests/lab run with Node. */
export function labScript(file: string): string[] {
  return [...NODE_TS, join(import.meta.dirname, file)];
}

/** The argv of the headless peer (`npm run peer`, without npm in between so signals reach it). */
export function peerCommand(): string[] {
  return [process.execPath, ...PEER_ARGS];
}

/** `--dht-bootstrap` for the lab's public DHT. */
export function labBootstrapArg(): string {
  return `${BOOTSTRAP.host}:${BOOTSTRAP.port}`;
}

/** Spawns `command ...args` inside namespace `ns`, as a JSON-lines process. */
export function spawnInNs(lab: Lab, ns: string, command: readonly string[], args: readonly string[] = [], env: NodeJS.ProcessEnv = { ...process.env, PARLEY_PASSPHRASE: '' }): CliPeer {
  return spawnPeer(args, { command: lab.inNs(ns, command), env });
}

/** Starts the lab's public DHT (and a blind relay with `relay`); resolves with the relay's key. */
export async function startPublicDht(lab: Lab, options: { relay?: boolean } = {}): Promise<{ proc: CliPeer; relay: string | null }> {
  const proc = spawnInNs(lab, lab.ns.pub, labScript('dht-nodes.ts'), options.relay ? ['--relay'] : []);
  const ready = await proc.waitFor('ready', undefined, { timeoutMs: 20_000 });
  return { proc, relay: (ready['relay'] as string | null) ?? null };
}

/**
 * `times` connects to `key` one after another from a dht-peer.ts process, each echoed within 5 s:
 * HyperDHT's LAN shortcut race (hyperdht#304) stalls one for ~15 s. Returns each 'echoed' event.
 */
export async function connectInARow(peer: CliPeer, key: string, times: number): Promise<CliEvent[]> {
  const echoed: CliEvent[] = [];
  for (let i = 0; i < times; i++) {
    const since = peer.events.length;
    peer.command({ cmd: 'connect', key, bytes: 1000 });
    echoed.push(await peer.waitFor('echoed', undefined, { since, timeoutMs: 5_000 }));
  }
  return echoed;
}

/** The small DHT peer of dht-peer.ts inside `ns`, with the lab's bootstrap (or `bootstrap`). */
export function spawnDhtPeer(lab: Lab, ns: string, options: { bootstrap?: { host: string; port: number }[]; relay?: string | null } = {}): CliPeer {
  const config = { bootstrap: options.bootstrap ?? [BOOTSTRAP], ...(options.relay ? { relay: options.relay } : {}) };
  return spawnInNs(lab, ns, labScript('dht-peer.ts'), [JSON.stringify(config)]);
}

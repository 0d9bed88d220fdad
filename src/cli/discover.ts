/** `discover` (CLI.md "Additions"): browse the local network for Parley hosts, print `found` events, exit 0. */
import { browse } from '../core/net/discovery.ts';
import type { Output } from './output.ts';

/** Browses for `timeoutMs` and prints one `found` event per host. */
export async function runDiscover(timeoutMs: number, out: Output): Promise<number> {
  const hosts = await browse({ timeoutMs, log: (line) => out.log(line) });
  for (const h of hosts) out.emit({ event: 'found', name: h.name, fingerprint: h.fingerprint, host: h.host, port: h.port, invite: h.invite });
  return 0;
}

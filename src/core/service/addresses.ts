/** Which addresses a host tells joiners about (PROTOCOL.md section 5). */
import { networkInterfaces } from 'node:os';

/** True for the wildcard binds that listen on every interface. */
export function isAllInterfaces(bind: string): boolean {
  return bind === '0.0.0.0' || bind === '::' || bind === '0:0:0:0:0:0:0:0';
}

/**
 * The addresses a joiner can use: the bound address itself, or for a wildcard bind every
 * non-loopback address of the machine (IPv4 first), or the loopback address if it has none.
 */
export function reachableAddresses(bind: string): string[] {
  if (!isAllInterfaces(bind)) return [bind];
  const v4: string[] = [];
  const v6: string[] = [];
  for (const list of Object.values(networkInterfaces())) {
    for (const info of list ?? []) {
      if (info.internal) continue;
      if (info.family === 'IPv4') v4.push(info.address);
      else if (bind === '::' && !info.address.startsWith('fe80:')) v6.push(info.address);
    }
  }
  const all = [...v4, ...v6];
  return all.length > 0 ? all : [bind === '::' ? '::1' : '127.0.0.1'];
}

/** host:port, with IPv6 in brackets. */
export function formatAddress(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The inverse of formatAddress. */
export function splitAddress(address: string): [string, number] {
  const i = address.lastIndexOf(':');
  const host = address.slice(0, i).replace(/^\[|\]$/g, '');
  return [host, Number(address.slice(i + 1))];
}

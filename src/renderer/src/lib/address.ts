/** HOST:PORT as a joiner types it, whether the core listed an address with or without its port. */

/** "192.168.1.5" + 47800 → "192.168.1.5:47800"; "fe80::1" → "[fe80::1]:47800"; an address with a port is kept. */
export function withPort(address: string, port: number): string {
  const a = address.trim();
  if (/^\[[^\]]+\]:\d+$/.test(a)) return a; // [v6]:port
  if (/^[^:]+:\d+$/.test(a)) return a; // v4-or-name:port
  if (a.startsWith('[') && a.endsWith(']')) return `${a}:${port}`;
  return a.includes(':') ? `[${a}]:${port}` : `${a}:${port}`;
}

/**
 * The NAT lab: network namespaces, veth pairs, Linux bridges and nftables, built per test case
 * and always torn down (TOOLCHAIN.md "A NAT lab on one machine"). Needs root, `ip` and `nft`.
 *
 *   public segment 11.99.0.0/24 (bridge br0 in namespace <p>-pub)
 *     11.99.0.2 … : HyperDHT bootstrapper and DHT nodes, 11.99.0.10: blind relay (optional)
 *     11.99.0.11: router A's public leg     11.99.0.12: router B's public leg
 *   router A (<p>-ra): masquerade NAT to LAN 10.1.0.0/24 (bridge lan): peers <p>-a (10.1.0.2), <p>-a2 (10.1.0.3)
 *   router B (<p>-rb): masquerade NAT to LAN 10.2.0.0/24: peer <p>-b (10.2.0.2)
 *
 * The addresses exist only inside these namespaces (nothing is routed to the machine's own
 * network), so every case uses the same plan in its own namespaces and cases run in parallel.
 * Interfaces are created straight inside their namespaces (`ip -n NS link add … netns NS2`), so
 * their short names never meet in the root namespace.
 *
 * Pitfalls found by trying: a router needs `iifname "wan" ct state new drop` on input, or a punch
 * packet that beats the router's own outbound one creates a local conntrack entry and the
 * masquerade then picks another port (holepunching fails); NAT detection in hyperdht needs at
 * least 3 DHT nodes that answer; mDNS needs a route for 224.0.0.0/4 (the default route does it).
 */
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

export type NatKind = 'port-preserving' | 'randomising';
export type HostPort = { host: string; port: number };

/** Why the lab cannot run here, or null when it can. */
export function labUnavailable(): string | null {
  if (process.platform !== 'linux') return 'the NAT lab needs Linux network namespaces';
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return 'the NAT lab needs root (ip netns, nftables)';
  for (const tool of ['ip', 'nft']) {
    try {
      execFileSync(tool, ['-V'], { stdio: 'ignore' });
    } catch {
      return `the NAT lab needs '${tool}' (apt-get install iproute2 nftables)`;
    }
  }
  if (!existsSync('/proc/sys/net/ipv4/ip_forward')) return 'the NAT lab needs IPv4 forwarding';
  return null;
}

export const PUBLIC_NET = '11.99.0';
export const BOOTSTRAP: HostPort = { host: `${PUBLIC_NET}.2`, port: 49737 };
export const RELAY_HOST = `${PUBLIC_NET}.10`;
/** An address on the public segment where nothing answers (for dht-unreachable). */
export const DEAD_HOST = `${PUBLIC_NET}.99`;
/** Hosts of the DHT nodes besides the bootstrapper (NAT detection needs several answers). */
export const DHT_NODE_HOSTS = [3, 4, 5, 6, 7, 8, 9].map((n) => `${PUBLIC_NET}.${n}`);

export type LabOptions = { readonly natA: NatKind; readonly natB: NatKind };

export type Lab = {
  /** Namespace names: the public segment, the two routers, the peers. */
  readonly ns: { readonly pub: string; readonly ra: string; readonly rb: string; readonly a: string; readonly a2: string; readonly b: string };
  /** `ip netns exec NS` + argv: the prefix that runs a command inside a namespace. */
  inNs(ns: string, argv: readonly string[]): string[];
  /** Runs a command inside a namespace and returns its stdout. */
  exec(ns: string, argv: readonly string[]): Promise<string>;
  /** Gives a router a new public address on the public segment (its old NAT mappings die). */
  changeRouterAddress(router: 'a' | 'b', newHost: string): Promise<void>;
  /** Kills whatever still runs in the lab's namespaces, then deletes them. Safe to call twice. */
  teardown(): Promise<void>;
};

/** Builds a lab with a fresh unique prefix; tears down what was built if building fails. */
export async function buildLab(options: LabOptions): Promise<Lab> {
  const p = `pl${randomBytes(3).toString('hex')}`;
  const ns = { pub: `${p}-pub`, ra: `${p}-ra`, rb: `${p}-rb`, a: `${p}-a`, a2: `${p}-a2`, b: `${p}-b` };
  const all = Object.values(ns);
  const routerHost = { a: `${PUBLIC_NET}.11`, b: `${PUBLIC_NET}.12` };
  const ip = async (...args: string[]): Promise<void> => void (await run('ip', args));
  const exec = async (name: string, argv: readonly string[]): Promise<string> => (await run('ip', ['netns', 'exec', name, ...argv])).stdout;
  let tornDown = false;
  const lab: Lab = {
    ns,
    inNs: (name, argv) => ['ip', 'netns', 'exec', name, ...argv],
    exec,
    async changeRouterAddress(router, newHost) {
      const r = router === 'a' ? ns.ra : ns.rb;
      // Deleting the address also drops the conntrack entries masqueraded to it (the kernel's
      // masquerade watches address removal), as when a home router gets a new address.
      await ip('-n', r, 'addr', 'del', `${routerHost[router]}/24`, 'dev', 'wan');
      await ip('-n', r, 'addr', 'add', `${newHost}/24`, 'dev', 'wan');
      routerHost[router] = newHost;
    },
    async teardown() {
      if (tornDown) return;
      tornDown = true;
      for (const name of all) {
        // Processes started inside our own namespaces (DHT nodes, peers): ours, killed by pid.
        const pids = (await run('ip', ['netns', 'pids', name]).catch(() => ({ stdout: '' }))).stdout.split(/\s+/).filter((s) => /^\d+$/.test(s));
        for (const pid of pids) {
          try {
            process.kill(Number(pid), 'SIGKILL');
          } catch {
            // already gone
          }
        }
      }
      await Promise.all(all.map((name) => run('ip', ['netns', 'del', name]).catch(() => undefined)));
    },
  };
  try {
    for (const name of all) {
      await ip('netns', 'add', name);
      await ip('-n', name, 'link', 'set', 'lo', 'up');
    }
    // The public segment: a bridge with the DHT nodes' and the relay's addresses.
    await ip('-n', ns.pub, 'link', 'add', 'br0', 'type', 'bridge');
    await ip('-n', ns.pub, 'link', 'set', 'br0', 'up');
    for (const host of [`${PUBLIC_NET}.1`, BOOTSTRAP.host, ...DHT_NODE_HOSTS, RELAY_HOST]) await ip('-n', ns.pub, 'addr', 'add', `${host}/24`, 'dev', 'br0');
    await router(ns.ra, routerHost.a, '10.1.0', options.natA, [ns.a, ns.a2]);
    await router(ns.rb, routerHost.b, '10.2.0', options.natB, [ns.b]);
    return lab;
  } catch (err) {
    await lab.teardown();
    throw err;
  }

  /** A home router: public leg `wan` on the bridge, LAN bridge `lan` with the given peers. */
  async function router(r: string, publicHost: string, lanNet: string, nat: NatKind, peers: string[]): Promise<void> {
    await ip('-n', r, 'link', 'add', 'wan', 'type', 'veth', 'peer', 'name', `to-${r.slice(-2)}`, 'netns', ns.pub);
    await ip('-n', ns.pub, 'link', 'set', `to-${r.slice(-2)}`, 'master', 'br0', 'up');
    await ip('-n', r, 'addr', 'add', `${publicHost}/24`, 'dev', 'wan');
    await ip('-n', r, 'link', 'set', 'wan', 'up');
    await ip('-n', r, 'link', 'add', 'lan', 'type', 'bridge');
    await ip('-n', r, 'addr', 'add', `${lanNet}.1/24`, 'dev', 'lan');
    await ip('-n', r, 'link', 'set', 'lan', 'up');
    let n = 2;
    for (const peer of peers) {
      await ip('-n', r, 'link', 'add', `p${n}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', peer);
      await ip('-n', r, 'link', 'set', `p${n}`, 'master', 'lan', 'up');
      await ip('-n', peer, 'addr', 'add', `${lanNet}.${n}/24`, 'dev', 'eth0');
      await ip('-n', peer, 'link', 'set', 'eth0', 'up');
      await ip('-n', peer, 'route', 'add', 'default', 'via', `${lanNet}.1`);
      n++;
    }
    await exec(r, ['sysctl', '-q', '-w', 'net.ipv4.ip_forward=1']);
    const masquerade = nat === 'port-preserving' ? 'masquerade persistent' : 'masquerade fully-random';
    const rules = `
table ip nat {
  chain postrouting { type nat hook postrouting priority srcnat; policy accept; oifname "wan" ${masquerade}; }
}
table ip filter {
  chain forward { type filter hook forward priority filter; policy drop; ct state established,related accept; iifname "lan" accept; }
  chain input { type filter hook input priority filter; policy accept; iifname "wan" ct state new drop; }
}
`;
    await new Promise<void>((resolve, reject) => {
      const child = execFile('ip', ['netns', 'exec', r, 'nft', '-f', '-'], (err) => (err ? reject(err) : resolve()));
      child.stdin?.end(rules);
    });
  }
}

/**
 * The lab's public DHT, run inside the public namespace (net-lab.ts): a bootstrapper, the DHT
 * nodes (`ephemeral: false, firewalled: false`, each on its own address: NAT detection needs at
 * least 3 answers) and, with `--relay`, a blind relay. Prints one JSON line `{"event":"ready",
 * "relay":<hex or null>}` and runs until killed.
 */
import HyperDHT from 'hyperdht';
import { dhtKeyPairFromSeed, newDhtSeed } from '../../src/core/net/dht-keys.ts';
import { DhtNode } from '../../src/core/net/dht-node.ts';
import { startRelayServer } from '../../src/core/net/dht-relay.ts';
import { BOOTSTRAP, DHT_NODE_HOSTS, RELAY_HOST } from './net-lab.ts';

const nodes: HyperDHT[] = [HyperDHT.bootstrapper(BOOTSTRAP.port, BOOTSTRAP.host, { host: BOOTSTRAP.host })];
for (const n of nodes) n.on('error', () => {});
await nodes[0]!.fullyBootstrapped();
for (const host of DHT_NODE_HOSTS) {
  const node = new HyperDHT({ bootstrap: [BOOTSTRAP], ephemeral: false, firewalled: false, host, port: BOOTSTRAP.port });
  node.on('error', () => {});
  nodes.push(node);
}
await Promise.all(nodes.map((n) => n.fullyBootstrapped()));

let relay: string | null = null;
if (process.argv.includes('--relay')) {
  const relayNode = new DhtNode({ bootstrap: [BOOTSTRAP], host: RELAY_HOST });
  await relayNode.ready();
  relay = (await startRelayServer(relayNode, dhtKeyPairFromSeed(newDhtSeed()))).publicKey;
}
process.stdout.write(`${JSON.stringify({ event: 'ready', relay })}\n`);

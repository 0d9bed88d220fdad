/**
 * A local HyperDHT testnet on 127.0.0.1, the size every test and the bench use.
 *
 * Why 8 nodes: with 3, joins between two processes stalled in most runs. Both peers share
 * 127.0.0.1, so HyperDHT's client takes its LAN shortcut (a ping, then UDX straight to the
 * host's socket) while its hole-punch probe still reaches the host through a DHT node; with so few
 * nodes the host's NAT sampler has too few answers to call its NAT stable, so it aborts the hole
 * punch and destroys the stream the client has just connected to (hyperdht 6.34, server.js
 * `_onpeerholepunch`). The join then waits out Parley's 10 s handshake timeout. With 6 or more
 * nodes, 360 joins in 12 runs all completed (tests/integration/dht-node.test.ts keeps checking it:
 * with 3 nodes it failed 3 runs in 4). Upstream: holepunchto/hyperdht#304 (6.33.0–6.34.0,
 * open). Between two peers behind one NAT in the NAT lab (tests/lab, a 9-node DHT) 80 joins in a
 * row all completed in 6–39 ms, so the product stays on 6.34.0.
 */
import createTestnet, { type Testnet } from 'hyperdht/testnet.js';

export const TESTNET_NODES = 8;

export function localTestnet(): Promise<Testnet> {
  return createTestnet(TESTNET_NODES, { host: '127.0.0.1' });
}

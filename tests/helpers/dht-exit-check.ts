/**
 * Run as a child process by tests/integration/dht-node.test.ts: a testnet, a host and a joiner
 * that connect and exchange bytes, then everything is destroyed. It never calls process.exit, so
 * the process ends only if destroy() really left no socket, stream or timer behind.
 */
import { dhtKeyPairFromSeed, newDhtSeed } from '../../src/core/net/dht-keys.ts';
import { DhtNode } from '../../src/core/net/dht-node.ts';
import { localTestnet } from './testnet.ts';

const testnet = await localTestnet();
const host = new DhtNode({ bootstrap: testnet.bootstrap, host: '127.0.0.1' });
const joiner = new DhtNode({ bootstrap: testnet.bootstrap, host: '127.0.0.1' });
await Promise.all([host.ready(), joiner.ready()]);
const keyPair = dhtKeyPairFromSeed(newDhtSeed());
await host.listen(keyPair, (carrier) => carrier.on('data', (d) => carrier.write(d)));
const { carrier } = await joiner.connect(keyPair.publicKey.toString('hex'));
carrier.write(Buffer.from('ping'));
await new Promise<void>((resolve) => carrier.on('data', () => resolve()));
// Left open on purpose: destroy() must close live connections too.
await joiner.destroy();
await host.destroy();
await testnet.destroy();
process.stdout.write('destroyed\n');

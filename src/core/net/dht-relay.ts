/**
 * A blind relay (npm blind-relay) on a DHT node: for peers whose NATs both randomise ports, so
 * no direct path can be punched. Peers name it with `relayThrough: <its public key>`; it pairs the
 * two sides' UDX streams by a token and forwards packets it cannot read (Parley's own Noise
 * session and HyperDHT's secret stream both run end to end through it). For the NAT lab and for
 * people who run their own relay on a machine with a public address.
 */
import { Server as RelayServer } from 'blind-relay';
import type { DhtKeyPair } from './dht-keys.ts';
import type { DhtNode } from './dht-node.ts';

export type RelayHandle = {
  /** The relay's DHT public key (64 hex): what peers put in `relayThrough`. */
  readonly publicKey: string;
  close(): Promise<void>;
};

/** Serves as a blind relay under `keyPair` on `node` (which should be reachable: not behind a NAT). */
export async function startRelayServer(node: DhtNode, keyPair: DhtKeyPair, log: (line: string) => void = () => {}): Promise<RelayHandle> {
  const dht = node.dht;
  // The relay's paired streams must be raw UDX streams of the same DHT (its socket carries them).
  const relay = new RelayServer({ createStream: (opts) => dht.createRawStream({ ...opts, framed: true }) });
  relay.on('error', (err: unknown) => log(`relay: ${String(err)}`));
  const server = dht.createServer({ shareLocalAddress: false }, (stream) => {
    stream.on('error', (err: unknown) => log(`relay stream: ${String(err)}`));
    const session = relay.accept(stream, { id: stream.remotePublicKey });
    session.on('error', (err: unknown) => log(`relay session: ${String(err)}`));
  });
  server.on('error', (err: unknown) => log(`relay server: ${String(err)}`));
  await server.listen(keyPair);
  return {
    publicKey: keyPair.publicKey.toString('hex'),
    async close() {
      await server.close();
      await relay.close();
    },
  };
}

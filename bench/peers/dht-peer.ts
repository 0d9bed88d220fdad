/**
 * P9's far side and its joiner, in their own processes (inside the NAT lab's namespaces where it
 * runs): a HyperDHT node as the service's Reach uses one (DhtNode), a Parley responder on the DHT
 * and on TCP built as the Connector builds one (FramedConnection, the responder's handshake, a
 * SecureSession that sinks P2-style rounds), and timed joins through the DHT as the Connector's
 * join runs them (DhtNode.connect, FramedConnection, the initiator's handshake).
 */
import { randomBytes } from 'node:crypto';
import { generateKeyPair } from '../../src/core/crypto/p256.ts';
import { dhtKeyPairFromSeed } from '../../src/core/net/dht-keys.ts';
import { DhtNode } from '../../src/core/net/dht-node.ts';
import { FramedConnection } from '../../src/core/net/framed-connection.ts';
import { Listener } from '../../src/core/net/listener.ts';
import { initiatorHandshake, responderHandshake } from '../../src/core/protocol/perform-handshake.ts';
import { SecureSession } from '../../src/core/protocol/secure-session.ts';
import { END_TEXT } from '../lib/parley-side.ts';
import { serve } from '../lib/rpc.ts';

const identity = generateKeyPair();
let node: DhtNode | null = null;
let tcp: Listener | null = null;

function need(): DhtNode {
  if (!node) throw new Error('start first');
  return node;
}

/** The responder's side of a connection, whatever carries it: a sink that acks each round's END_TEXT. */
function respond(conn: FramedConnection, done: () => void = () => undefined): void {
  responderHandshake(conn, { staticKey: identity, name: 'bench-host' }).then(
    (result) => {
      done();
      const session = new SecureSession(conn, result.send, result.receive);
      session.start({
        onMessage: (m) => {
          if (m.type === 'msg' && m.text === END_TEXT) session.send({ type: 'ack', id: m.id });
        },
        onEnd: () => undefined,
      });
    },
    () => {
      done();
      conn.close('protocol-error');
    },
  );
}

serve({
  /** Starts the DHT node (bootstrap nodes given; `host` binds its UDP socket) and waits for the bootstrap. */
  start: async (args: { bootstrap: { host: string; port: number }[]; host?: string }) => {
    node = new DhtNode({ bootstrap: args.bootstrap, ...(args.host ? { host: args.host } : {}) });
    return node.ready();
  },
  /** Listens on the DHT under a fresh key and, with `tcp`, on 127.0.0.1; resolves once announced. */
  listen: async (args: { tcp?: boolean }) => {
    const keyPair = dhtKeyPairFromSeed(new Uint8Array(randomBytes(32)));
    await need().listen(keyPair, (carrier) => respond(new FramedConnection(carrier, 'dht')));
    let tcpPort: number | null = null;
    if (args.tcp) {
      tcp = await Listener.listen('127.0.0.1', 0, (admission) => respond(new FramedConnection(admission.socket, 'tcp'), () => admission.release()));
      tcpPort = tcp.address.port;
    }
    return { key: keyPair.publicKey.toString('hex'), tcpPort };
  },
  /**
   * Sequential joins through the DHT until `count` or `untilMs` (performance.now() of this
   * process, given as a duration): each from connect to the completed handshake, then closed.
   * Returns the milliseconds of each, and how many went through a relay or stayed on one network.
   */
  joins: async (args: { key: string; count: number; forMs: number; min: number }) => {
    const deadline = performance.now() + args.forMs;
    const ms: number[] = [];
    let relayed = 0;
    while (ms.length < args.min || (ms.length < args.count && performance.now() < deadline)) {
      const t0 = performance.now();
      const { carrier, info } = await need().connect(args.key);
      const conn = new FramedConnection(carrier, 'dht');
      try {
        await initiatorHandshake(conn, { staticKey: identity, name: 'bench-joiner', expectedFingerprint: null });
        ms.push(performance.now() - t0);
        if (info.relayed) relayed++;
      } finally {
        conn.close('local');
      }
    }
    return { ms, relayed };
  },
  close: async () => {
    await tcp?.close();
    await node?.destroy();
    node = null;
  },
});

/**
 * P10's baseline: node:tls streaming a file from disk to disk between two processes (TLS 1.3,
 * AES-256-GCM, the fixture's certificate), with stream pipes and their default back-pressure.
 * No hashing on either side (Parley hashes on both: the ratio includes that cost).
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { pipeline } from 'node:stream/promises';
import { connect, createServer, type Server } from 'node:tls';
import type { TlsFixture } from '../lib/tls-fixture.ts';
import { tlsClientOptions, tlsServerOptions } from '../lib/tls-fixture.ts';
import { serve } from '../lib/rpc.ts';

let server: Server | null = null;
let received: Promise<void> | null = null;

serve({
  /** Listens; the next connection's bytes go to `path`, and the connection is closed once they are on disk. */
  listen: async (args: { tls: TlsFixture; path: string }) => {
    let done!: () => void;
    received = new Promise<void>((r) => (done = r));
    server = createServer(tlsServerOptions(args.tls), (socket) => {
      void pipeline(socket, createWriteStream(args.path)).then(() => {
        socket.destroy();
        done();
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return (server.address() as { port: number }).port;
  },
  /** Streams `path` to the listener; ms from the TLS connection being up to the receiver closing it. */
  send: async (args: { tls: TlsFixture; port: number; path: string }) => {
    const socket = connect(tlsClientOptions(args.tls, args.port));
    await once(socket, 'secureConnect');
    const t0 = performance.now();
    const closed = once(socket, 'close');
    await pipeline(createReadStream(args.path, { highWaterMark: 64 * 1024 }), socket, { end: true }).catch(() => undefined);
    await closed;
    return performance.now() - t0;
  },
  received: async () => received,
  /** CPU time (user + system, ms) of this process so far: the part compares it per GiB with Parley's. */
  cpuMs: () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  },
  close: async () => {
    server?.close();
    server = null;
  },
});

/**
 * The far side of P1–P3 in its own process: a Parley responder built as ParleyService#admit builds
 * one (the bounded Listener, a FramedConnection, the responder's handshake, a SecureSession), and the
 * baselines, a TLS 1.3 server and a raw TCP server. Each either echoes (P1, P3) or sinks (P2).
 */
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { monitorEventLoopDelay, type ELDHistogram } from 'node:perf_hooks';
import { createServer as createTlsServer } from 'node:tls';
import { generateKeyPair } from '../../src/core/crypto/p256.ts';
import { FramedConnection } from '../../src/core/net/framed-connection.ts';
import { Listener } from '../../src/core/net/listener.ts';
import { HANDSHAKE_TIMEOUT_MS, responderHandshake } from '../../src/core/protocol/perform-handshake.ts';
import { SecureSession } from '../../src/core/protocol/secure-session.ts';
import { startGcMeter, type GcMeter } from '../lib/gc-time.ts';
import { END_TEXT } from '../lib/parley-side.ts';
import { serve } from '../lib/rpc.ts';
import { tlsServerOptions, type TlsFixture } from '../lib/tls-fixture.ts';

type Mode = 'echo' | 'sink';

const identity = generateKeyPair();
const closers: (() => Promise<void>)[] = [];
let streamTarget = 0; // P2 baselines: bytes per round, after which the sink answers one byte
let tlsSessions = 0; // P5's baseline: TLS handshakes completed
let histogram: ELDHistogram | null = null;
let gcMeter: GcMeter | null = null;

function parley(mode: Mode): Promise<number> {
  return Listener.listen('127.0.0.1', 0, (admission) => {
    const conn = new FramedConnection(admission.socket);
    responderHandshake(conn, {
      staticKey: identity,
      name: 'bench-host',
      timeoutMs: HANDSHAKE_TIMEOUT_MS - (Date.now() - admission.acceptedAt),
      onProgress: () => admission.progress(),
    }).then(
      (result) => {
        admission.release();
        const session = new SecureSession(conn, result.send, result.receive);
        session.start({
          onMessage: (m) => {
            if (m.type !== 'msg') return;
            if (mode === 'echo') session.send(m);
            else if (m.text === END_TEXT) session.send({ type: 'ack', id: m.id });
          },
          onEnd: () => undefined,
        });
      },
      () => {
        admission.release();
        conn.close('protocol-error');
      },
    );
  }).then((l) => {
    closers.push(() => l.close());
    return l.address.port;
  });
}

function streams(mode: Mode, socket: Socket): void {
  socket.setNoDelay(true);
  socket.on('error', () => socket.destroy());
  if (mode === 'echo') {
    socket.on('data', (chunk: Buffer) => socket.write(chunk));
    return;
  }
  let got = 0;
  socket.on('data', (chunk: Buffer) => {
    got += chunk.length;
    if (streamTarget > 0 && got >= streamTarget) {
      got -= streamTarget;
      socket.write(Buffer.of(1));
    }
  });
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      closers.push(() => new Promise((r) => server.close(() => r())));
      const a = server.address();
      resolve(typeof a === 'object' && a !== null ? a.port : 0);
    }),
  );
}

serve({
  listen: (args: { proto: 'parley' | 'tls' | 'tcp'; mode: Mode; tls?: TlsFixture }) => {
    if (args.proto === 'parley') return parley(args.mode);
    if (args.proto === 'tcp') return listen(createTcpServer({ noDelay: true }, (s) => streams(args.mode, s)));
    if (!args.tls) throw new Error('tls needs the fixture');
    const server = createTlsServer(tlsServerOptions(args.tls), (s) => {
      tlsSessions += 1;
      streams(args.mode, s);
    });
    server.on('tlsClientError', () => undefined);
    return listen(server);
  },
  target: (bytes: number) => {
    streamTarget = bytes;
  },
  tlsSessions: () => tlsSessions,
  monitorStart: () => {
    histogram = monitorEventLoopDelay({ resolution: 1 });
    histogram.enable();
  },
  monitorStop: () => {
    if (!histogram) throw new Error('monitorStart first');
    histogram.disable();
    return { max: histogram.max / 1e6, p99: histogram.percentile(99) / 1e6, mean: histogram.mean / 1e6 };
  },
  gcStart: () => {
    gcMeter?.stop();
    gcMeter = startGcMeter();
  },
  gcStop: () => {
    if (!gcMeter) throw new Error('gcStart first');
    const micros = gcMeter.stop();
    gcMeter = null;
    return micros;
  },
  cpu: () => {
    const u = process.cpuUsage();
    return u.user + u.system;
  },
  close: async () => {
    for (const c of closers.splice(0)) await c();
  },
});

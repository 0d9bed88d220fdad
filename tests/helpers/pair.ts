/** Two in-process peers over real TCP on 127.0.0.1: the handshake driver and a session on each side. */
import { createServer, type Server } from 'node:net';
import { generateKeyPair, type KeyPair } from '../../src/core/crypto/p256.ts';
import { dial } from '../../src/core/net/dialer.ts';
import { FramedConnection } from '../../src/core/net/framed-connection.ts';
import { initiatorHandshake, responderHandshake, type HandshakeResult } from '../../src/core/protocol/perform-handshake.ts';

export type Side = { conn: FramedConnection; result: HandshakeResult; key: KeyPair };

/** A responder listening on an ephemeral port; each accepted connection runs the handshake. */
export async function startResponder(
  key: KeyPair = generateKeyPair(),
  name = 'Host',
): Promise<{ port: number; key: KeyPair; accepted: Promise<Side>; close(): Promise<void> }> {
  let resolveAccepted!: (s: Side) => void;
  let rejectAccepted!: (e: unknown) => void;
  const accepted = new Promise<Side>((res, rej) => {
    resolveAccepted = res;
    rejectAccepted = rej;
  });
  accepted.catch(() => undefined);
  const conns: FramedConnection[] = [];
  const server: Server = createServer((socket) => {
    const conn = new FramedConnection(socket);
    conns.push(conn);
    responderHandshake(conn, { staticKey: key, name }).then(
      (result) => resolveAccepted({ conn, result, key }),
      (err: unknown) => {
        conn.close('protocol-error');
        rejectAccepted(err);
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('no address');
  return {
    port: addr.port,
    key,
    accepted,
    close: () =>
      new Promise((resolve) => {
        for (const c of conns) c.close('local');
        server.close(() => resolve());
      }),
  };
}

/** Joins 127.0.0.1:port and runs the initiator's handshake. */
export async function join(port: number, opts: { key?: KeyPair; name?: string; expectedFingerprint?: string | null } = {}): Promise<Side> {
  const key = opts.key ?? generateKeyPair();
  const conn = new FramedConnection(await dial('127.0.0.1', port));
  try {
    const result = await initiatorHandshake(conn, { staticKey: key, name: opts.name ?? 'Guest', expectedFingerprint: opts.expectedFingerprint ?? null });
    return { conn, result, key };
  } catch (err) {
    conn.close('protocol-error');
    throw err;
  }
}

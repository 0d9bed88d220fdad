/**
 * The joining side of a Parley connection exactly as ParleyService#dialAndHandshake runs it — the
 * dialer, the framed connection, the initiator's handshake, then a SecureSession — without the
 * storage the service adds (P1–P3 and P5's joiners measure the channel; P4 measures the services).
 */
import { dial } from '../../src/core/net/dialer.ts';
import { FramedConnection } from '../../src/core/net/framed-connection.ts';
import type { KeyPair } from '../../src/core/crypto/p256.ts';
import { initiatorHandshake } from '../../src/core/protocol/perform-handshake.ts';
import { SecureSession, type SessionHandlers } from '../../src/core/protocol/secure-session.ts';

/** The text of the msg that ends a P2 round; the sink answers it with an ack. */
export const END_TEXT = 'end';

/** An established session and its connection. */
export type Joined = { readonly session: SecureSession; readonly conn: FramedConnection; readonly peer: string };

/** Dials 127.0.0.1:port (from `localAddress` if given), runs the initiator's handshake and starts a session. */
export async function joinSession(port: number, key: KeyPair, handlers: SessionHandlers, options: { localAddress?: string; name?: string } = {}): Promise<Joined> {
  const socket = await dial('127.0.0.1', port, options.localAddress ? { localAddress: options.localAddress } : {});
  const conn = new FramedConnection(socket);
  try {
    const result = await initiatorHandshake(conn, { staticKey: key, name: options.name ?? 'bench', expectedFingerprint: null });
    const session = new SecureSession(conn, result.send, result.receive);
    session.start(handlers);
    return { session, conn, peer: result.remoteFingerprint };
  } catch (err) {
    conn.close('protocol-error');
    throw err;
  }
}

/** 127.0.0.2, 127.0.0.3, …: loopback source addresses (Linux routes all of 127/8 to lo). */
export function loopbackAddresses(count: number): string[] {
  if (count > 250) throw new RangeError('count must be at most 250');
  return Array.from({ length: count }, (_, i) => `127.0.0.${i + 2}`);
}

/**
 * The `invite` hello member over a real handshake on 127.0.0.1 (docs/PROTOCOL.md section 10.1): the
 * joiner's token reaches the responder in message 3; a responder's `invite` in message 2 is read
 * for its form and otherwise ignored by the initiator; a joiner whose expected fp does not match
 * never sends its token.
 */
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { fingerprintHex } from '../../src/core/crypto/fingerprint.ts';
import { generateKeyPair } from '../../src/core/crypto/p256.ts';
import { dial } from '../../src/core/net/dialer.ts';
import { FramedConnection } from '../../src/core/net/framed-connection.ts';
import type { HelloExtensions } from '../../src/core/protocol/hello.ts';
import { HandshakeError, initiatorHandshake, responderHandshake, type HandshakeResult } from '../../src/core/protocol/perform-handshake.ts';

const TOK = '0123456789abcdef0123456789abcdef';
const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

async function responder(extensions: HelloExtensions): Promise<{ port: number; fp: string; result: Promise<HandshakeResult> }> {
  const key = generateKeyPair();
  let done!: (r: Promise<HandshakeResult>) => void;
  const result = new Promise<Promise<HandshakeResult>>((r) => (done = r)).then((p) => p);
  result.catch(() => undefined);
  const server = createServer((socket) => {
    const conn = new FramedConnection(socket);
    const r = responderHandshake(conn, { staticKey: key, name: 'Host', extensions });
    r.then(
      () => conn.close('local'),
      () => conn.close('local'),
    );
    done(r);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as { port: number }).port, fp: fingerprintHex(key.publicKey), result };
}

async function initiate(port: number, extensions: HelloExtensions, expected: string | null): Promise<HandshakeResult> {
  const conn = new FramedConnection(await dial('127.0.0.1', port));
  try {
    return await initiatorHandshake(conn, { staticKey: generateKeyPair(), name: 'Guest', extensions, expectedFingerprint: expected });
  } finally {
    conn.close('local');
  }
}

describe('the invite hello member', () => {
  it("reaches the responder in message 3; the initiator ignores one in the responder's hello", async () => {
    const host = await responder({ invite: 'ffffffffffffffffffffffffffffffff' });
    const guest = await initiate(host.port, { invite: TOK }, host.fp);
    expect(guest.remoteInvite).toBeNull();
    expect((await host.result).remoteInvite).toBe(TOK);
  });

  it('is null when the joiner sends none (a v1 hello)', async () => {
    const host = await responder({});
    await initiate(host.port, {}, null);
    expect((await host.result).remoteInvite).toBeNull();
  });

  it('is never sent to a host whose fingerprint does not match the invite', async () => {
    const host = await responder({});
    await expect(initiate(host.port, { invite: TOK }, 'ab'.repeat(32))).rejects.toBeInstanceOf(HandshakeError);
    // The responder never got message 3: its handshake fails without any hello from us.
    await expect(host.result).rejects.toBeInstanceOf(HandshakeError);
  });
});

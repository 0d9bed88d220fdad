/**
 * A man in the middle for tests: a TCP proxy on 127.0.0.1 that parses frames in both directions
 * and lets a test rewrite them (tamper, drop, duplicate, reorder) before forwarding.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { FrameDecoder, encodeFrame } from '../../src/core/protocol/frame.ts';

export type Direction = 'to-responder' | 'to-initiator';
/** Given the i-th frame in a direction, returns the frames to forward instead (empty = drop). */
export type FrameRewriter = (frame: Uint8Array, index: number, direction: Direction) => Uint8Array[];

export type FrameProxy = { readonly port: number; close(): Promise<void> };

/** Starts a proxy to 127.0.0.1:targetPort. */
export async function startFrameProxy(targetPort: number, rewrite: FrameRewriter): Promise<FrameProxy> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect({ host: '127.0.0.1', port: targetPort });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    pipe(client, upstream, 'to-responder', rewrite);
    pipe(upstream, client, 'to-initiator', rewrite);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy: no address');
  return {
    port: address.port,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function pipe(from: Socket, to: Socket, direction: Direction, rewrite: FrameRewriter): void {
  let index = 0;
  const decoder = new FrameDecoder((frame) => {
    for (const out of rewrite(frame.slice(), index++, direction)) to.write(encodeFrame(out));
  });
  from.on('data', (chunk: Buffer) => {
    try {
      decoder.push(chunk);
    } catch {
      from.destroy();
    }
  });
}

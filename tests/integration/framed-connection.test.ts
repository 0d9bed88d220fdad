/**
 * Security review of FramedConnection over real TCP: frames that arrive before anyone asked for
 * them (handshake mode). One 64 KiB chunk of 3-byte frames is ~21,000 frames; queued as objects
 * they cost tens of bytes of heap for every byte received (64 such connections: ~160 MB of heap
 * for ~6 MB sent). PROTOCOL.md section 1: a receiver holds at most one frame beyond what it has
 * processed — the rest must stay unread in the socket (and TCP flow control), not in our queue.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { FramedConnection } from '../../src/core/net/framed-connection.ts';
import { encodeFrame } from '../../src/core/protocol/frame.ts';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

/** A connected pair on 127.0.0.1: the accepted side as a FramedConnection, the dialling side raw. */
async function pair(): Promise<{ conn: FramedConnection; client: Socket }> {
  let server!: Server;
  const accepted = new Promise<Socket>((resolve) => {
    server = createServer({ pauseOnConnect: true }, resolve);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const client = connect((server.address() as { port: number }).port, '127.0.0.1');
  client.on('error', () => undefined);
  const socket = await accepted;
  const conn = new FramedConnection(socket);
  cleanups.push(() => {
    client.destroy();
    socket.destroy();
    server.close();
  });
  return { conn, client };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('frames nobody asked for yet', () => {
  it('at most one is queued; the rest waits in the socket and arrives intact, in order', async () => {
    const { conn, client } = await pair();
    const COUNT = 30_000;
    const parts = [encodeFrame(new Uint8Array(33).fill(7))];
    for (let i = 0; i < COUNT; i++) parts.push(encodeFrame(Uint8Array.of(i & 0xff, (i >> 8) & 0xff)));
    client.write(Buffer.concat(parts));

    expect([...(await conn.readFrame())]).toEqual(Array(33).fill(7));
    await sleep(200); // everything has arrived by now
    expect(conn.queuedFrames).toBeLessThanOrEqual(1);

    for (let i = 0; i < COUNT; i++) {
      const f = await conn.readFrame();
      if (f[0] !== (i & 0xff) || f[1] !== ((i >> 8) & 0xff) || f.length !== 2) throw new Error(`frame ${i} is wrong: ${Array.from(f).join(',')}`);
      if (i % 5000 === 0) expect(conn.queuedFrames).toBeLessThanOrEqual(1);
    }
    expect(conn.closed).toBe(false);
  });

  it('switching to handler mode delivers what waited, then the rest, all in order', async () => {
    const { conn, client } = await pair();
    const parts = [encodeFrame(Uint8Array.of(0))];
    for (let i = 1; i <= 1000; i++) parts.push(encodeFrame(Uint8Array.of(i & 0xff)));
    client.write(Buffer.concat(parts));
    expect([...(await conn.readFrame())]).toEqual([0]);
    await sleep(100);
    expect(conn.queuedFrames).toBeLessThanOrEqual(1);
    const got: number[] = [];
    conn.setFrameHandler((f) => got.push(f[0] as number));
    client.write(encodeFrame(Uint8Array.of(0xee)));
    for (let t = 0; got.length < 1001 && t < 200; t++) await sleep(10);
    expect(got).toEqual([...Array.from({ length: 1000 }, (_, i) => (i + 1) & 0xff), 0xee]);
  });

  it('a peer that ends the connection after its frames: they are still read, then the end', async () => {
    const { conn, client } = await pair();
    client.end(Buffer.concat([encodeFrame(Uint8Array.of(1)), encodeFrame(Uint8Array.of(2)), encodeFrame(Uint8Array.of(3))]));
    expect([...(await conn.readFrame())]).toEqual([1]);
    expect([...(await conn.readFrame())]).toEqual([2]);
    expect([...(await conn.readFrame())]).toEqual([3]);
    await expect(conn.readFrame()).rejects.toThrow(/closed/);
  });
});

describe('a read pause asked by the owner (a file receiver whose disk is slower than the network)', () => {
  it('no frame is handed over while paused, even when write back-pressure ends; all arrive in order after resume', async () => {
    const { conn, client } = await pair();
    const got: number[] = [];
    conn.setFrameHandler((frame) => {
      got.push(frame[0] as number);
      if (got.length === 2) conn.setReadPaused(true); // from inside the handler, as ReceiveFile does
    });
    client.pause();
    for (let i = 0; i < 50; i++) client.write(encodeFrame(new Uint8Array([i, 1, 2, 3])));
    await sleep(200);
    expect(got).toEqual([0, 1]);
    // A write pause that begins and ends meanwhile (the peer stops, then resumes reading what we
    // write) must not lift the owner's pause when it ends.
    for (let i = 0; i < 300; i++) conn.writeFrame(new Uint8Array(60_000));
    expect(conn.backpressured).toBe(true); // past WRITE_HIGH_WATER: reading is paused for the write too
    await sleep(100);
    expect(conn.socket.writableLength).toBeGreaterThan(0);
    client.on('data', () => undefined);
    client.resume();
    for (let i = 0; i < 100 && conn.socket.writableLength > 0; i++) await sleep(20);
    expect(conn.socket.writableLength).toBe(0);
    await sleep(100);
    expect(got).toEqual([0, 1]);
    conn.setReadPaused(false);
    await sleep(200);
    expect(got).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it("onceWriteDrained waits for the socket's real drain (an empty write buffer), below the 1 MiB high-water mark too", async () => {
    const { conn, client } = await pair();
    client.pause(); // the peer does not read: the kernel's buffers fill, then ours
    for (let i = 0; i < 200; i++) conn.writeFrame(new Uint8Array(60_000));
    await sleep(100);
    expect(conn.socket.writableLength).toBeGreaterThan(0);
    let drainedWith = -1;
    conn.onceWriteDrained(() => (drainedWith = conn.socket.writableLength));
    await sleep(100);
    expect(drainedWith).toBe(-1);
    client.resume();
    client.on('data', () => undefined);
    for (let i = 0; i < 100 && drainedWith === -1; i++) await sleep(20);
    expect(drainedWith).toBe(0);
  });
});

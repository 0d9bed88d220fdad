/**
 * A long outbox meets a peer that does not read: the host hands messages to the socket only while
 * its write buffer drains, so memory stays bounded and order is kept; once the peer reads and acks,
 * everything is delivered in order. (Before, the whole outbox went into the write buffer at once.)
 */
import { afterEach, expect, it } from 'vitest';
import { generateKeyPair } from '../../src/core/crypto/p256.ts';
import { rawJoin } from '../helpers/raw-peer.ts';
import { createKeyFileSealer } from '../../src/core/identity/key-file-sealer.ts';
import { OUTBOX_PAGE } from '../../src/core/service/delivery.ts';
import { ParleyService } from '../../src/core/service/parley-service.ts';
import { openDataDir } from '../../src/core/storage/data-dir.ts';
import { FAST, cleanupNodes, startHost, tempDir, until } from '../helpers/services.ts';

afterEach(cleanupNodes);

const COUNT = 400;
const BIG = '🦜'.repeat(15_990); // with the index, about the largest msg (~64 KB of UTF-8)

it('sends a long outbox only as fast as the peer reads, in order, and delivers it all', async () => {
  const { node: host, hosting } = await startHost('Host');
  const key = generateKeyPair();
  const first = await rawJoin(hosting.port, { key, name: 'Slow' });
  await host.waitFor('connected');
  first.raw.destroy();
  await host.waitFor('disconnected');

  const ids: string[] = [];
  for (let i = 0; i < COUNT; i++) ids.push(host.service.send(first.fingerprint, `${i} ${BIG}`).id);

  const mark = host.mark();
  const slow = await rawJoin(hosting.port, { key, name: 'Slow' });
  slow.raw.socket.pause(); // read nothing: the host's frames pile up in the kernel, then in its buffer
  await host.waitFor('connected', () => true, { since: mark });
  await new Promise((r) => setTimeout(r, 500));
  const sentWhilePaused = host.all('message-state').filter((e) => e.state === 'sent').length;
  // Kernel buffers on loopback take a few MB; the host's own buffer at most ~1 MiB beyond them.
  expect(sentWhilePaused).toBeGreaterThan(0);
  expect(sentWhilePaused).toBeLessThan(COUNT);

  slow.raw.socket.resume();
  const received: string[] = [];
  while (received.length < COUNT) {
    const m = await slow.receiveType('msg', 10_000);
    received.push(String(m['id']));
    slow.send({ type: 'ack', id: m['id'] });
  }
  expect(received).toEqual(ids);
  await until(() => host.all('message-state').filter((e) => e.state === 'delivered').length === COUNT, 'every message delivered', 10_000);
}, 60_000);

it('reads the outbox from storage a page at a time from where it got to, not whole on every drain (issue 11 item 6)', async () => {
  const dir = `${await tempDir()}/data`;
  const store = openDataDir(dir, { sealer: createKeyFileSealer(dir) });
  let rowsRead = 0;
  const realList = store.messages.listUnacked.bind(store.messages);
  const messages = {
    ...store.messages,
    listUnacked: (peer: string, page?: { after: number; limit: number }) => {
      const rows = realList(peer, page);
      rowsRead += rows.length;
      return rows;
    },
  };
  const host = new ParleyService({ store: { ...store, messages, close: () => store.close() }, keyProtection: 'key-file', acceptRequests: true, ...FAST });
  try {
    const hosting = await host.host({ port: 0, bind: '127.0.0.1' });
    const key = generateKeyPair();
    const first = await rawJoin(hosting.port, { key, name: 'Slow' });
    await until(() => host.connectedPeers().length === 1, 'connected');
    first.raw.destroy();
    await until(() => host.connectedPeers().length === 0, 'disconnected');
    for (let i = 0; i < COUNT; i++) host.send(first.fingerprint, `${i} ${BIG}`);
    rowsRead = 0;
    const slow = await rawJoin(hosting.port, { key, name: 'Slow' });
    // Read everything but ack nothing until the end: every sent message stays unacked, which is
    // what made each drain decrypt the whole outbox again (~COUNT rows per drain, dozens of drains).
    const received: string[] = [];
    while (received.length < COUNT) received.push(String((await slow.receiveType('msg', 10_000))['id']));
    expect(rowsRead).toBeLessThanOrEqual(COUNT + OUTBOX_PAGE);
    for (const id of received) slow.send({ type: 'ack', id });
    await until(() => host.history(first.fingerprint, { before: null, limit: 1 })[0]?.state === 'delivered', 'acked', 10_000);
  } finally {
    await host.close();
  }
}, 60_000);

/**
 * Crash safety (issue 3): the headless peer, receiving a stream of messages, is killed with
 * SIGKILL in the middle of it, twice, and restarted on the same --data. Every message the sender
 * saw `delivered` must be in the peer's history, the database must pass PRAGMA integrity_check,
 * and once the sender has resent the rest (same ids), the history holds each message exactly once.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createKeyFileSealer } from '../../src/core/identity/key-file-sealer.ts';
import { openDataDir } from '../../src/core/storage/data-dir.ts';
import { expectContract, killPeers, spawnHost, type CliPeer } from '../helpers/cli-peer.ts';
import { cleanupNodes, startNode, tempDir, until } from '../helpers/services.ts';

afterAll(async () => {
  await killPeers();
  await cleanupNodes();
});

/** What the peer's data directory holds for `peer`, read in this process, plus the integrity check. */
function inspect(dir: string, peer: string): { ids: string[]; texts: Map<string, string>; integrity: string[] } {
  const store = openDataDir(dir, { sealer: createKeyFileSealer(dir) });
  try {
    const rows = store.contacts.get(peer) ? store.messages.latest(peer, 1000) : [];
    return { ids: rows.map((m) => m.id), texts: new Map(rows.map((m) => [m.id, m.text])), integrity: store.integrityCheck() };
  } finally {
    store.close();
  }
}

describe('the headless peer killed with SIGKILL mid-stream', () => {
  it('loses no message the other side saw delivered, and its database stays sound', async () => {
    const N = 200;
    const WINDOW = 16; // messages in flight: a stream, so that the kill lands in the middle of it
    const dir = join(await tempDir('parley-crash-'), 'data');
    let host = await spawnHost(dir);
    const port = host.port;
    const peers: CliPeer[] = [host.peer];
    const sender = await startNode('Sender', { backoff: { initialMs: 100, maxMs: 400, jitter: 0 } });
    await sender.service.join(host.invite);

    const sent = new Map<string, string>();
    const sendOne = (): void => {
      if (sent.size >= N) return;
      const text = `message ${sent.size} ${'·'.repeat(sent.size % 50)}`;
      sent.set(sender.service.send(host.fingerprint, text).id, text);
    };
    const delivered = new Set<string>();
    // The kill is decided inside the event handler, so it lands mid-stream, not after the event loop caught up.
    let killWhen: { count: number; kill: () => void } | null = null;
    sender.service.on((e) => {
      if (e.type !== 'message-state' || e.state !== 'delivered' || delivered.has(e.id)) return;
      delivered.add(e.id);
      sendOne();
      if (killWhen && delivered.size >= killWhen.count) {
        killWhen.kill();
        killWhen = null;
      }
    });
    for (let i = 0; i < WINDOW; i++) sendOne();

    for (const round of [1, 2]) {
      const disconnects = sender.all('disconnected').length;
      const victim = host.peer;
      let killed = false;
      killWhen = {
        count: delivered.size + 40,
        kill: () => {
          killed = true;
          victim.kill('SIGKILL');
        },
      };
      await until(() => killed || delivered.size === N, 'the kill', 10_000);
      expect(killed, `round ${round}: killed before the stream ended`).toBe(true);
      expect((await victim.exited).signal).toBe('SIGKILL');
      await until(() => sender.all('disconnected').length > disconnects, 'the sender to see the connection drop');
      const seen = [...delivered];
      expect(seen.length, `round ${round}`).toBeLessThan(N);
      const after = inspect(dir, sender.fingerprint);
      expect(after.integrity).toEqual(['ok']);
      const stored = new Set(after.ids);
      expect(stored.size).toBe(after.ids.length); // no message stored twice
      for (const id of seen) {
        expect(stored.has(id), `delivered message ${id} is in the history`).toBe(true);
        expect(after.texts.get(id)).toBe(sent.get(id));
      }
      for (const id of after.ids) expect(sent.has(id)).toBe(true);

      // Restart on the same --data and port: the sender comes back by itself and resends the rest.
      const connects = sender.all('connected').length;
      host = await spawnHost(dir, [], port);
      peers.push(host.peer);
      await until(() => sender.all('connected').length > connects, 'the sender to rejoin by itself');
    }

    await until(() => delivered.size === N, `all ${N} delivered`, 15_000);
    host.peer.command({ cmd: 'quit' });
    expect((await host.peer.exited).code).toBe(0);
    const final = inspect(dir, sender.fingerprint);
    expect(final.integrity).toEqual(['ok']);
    expect(final.ids.length).toBe(N);
    expect(new Set(final.ids)).toEqual(new Set(sent.keys()));
    for (const [id, text] of sent) expect(final.texts.get(id)).toBe(text);
    for (const p of peers) expectContract(p);
  });
});

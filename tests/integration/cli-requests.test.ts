/**
 * Issue 12 in the headless peer (CLI.md additions): by default a stranger is a contact and its
 * messages print as before; with --hold-requests it prints `request`, its messages carry
 * "request": true, a reply to it is refused until {"cmd":"accept"}; `send` takes `reply`, and an
 * incoming reply or reaction prints its id.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expectContract, killPeers, spawnHost, type CliPeer } from '../helpers/cli-peer.ts';
import { addressOf, cleanupNodes, startNode, tempDir } from '../helpers/services.ts';

const SLOW = { timeout: 60_000 };
const peers: CliPeer[] = [];

afterAll(async () => {
  await killPeers();
  await cleanupNodes();
  for (const p of peers.splice(0)) expectContract(p);
});

async function host(extra: readonly string[] = []): Promise<Awaited<ReturnType<typeof spawnHost>>> {
  const h = await spawnHost(join(await tempDir('parley-cli-'), 'data'), extra);
  peers.push(h.peer);
  return h;
}

describe.concurrent('requests and replies in the headless peer', () => {
  it('default: a stranger joining by address is a contact; its message prints as before; a reply carries its id both ways', SLOW, async () => {
    const h = await host(['--name', 'Bob']);
    const stranger = await startNode('Stranger', { acceptRequests: false });
    await stranger.service.join(addressOf(h.port));
    await h.peer.waitFor('connected');
    const m = stranger.service.send(h.fingerprint, 'hi');
    expect(await h.peer.waitFor('message')).toEqual({ event: 'message', peer: stranger.fingerprint, id: m.id, ts: expect.any(Number), text: 'hi' });
    h.peer.command({ cmd: 'send', peer: stranger.fingerprint, text: 'hello back', reply: m.id });
    const back = await stranger.waitFor('message', (e) => e.message.text === 'hello back');
    expect(back.message.replyTo).toBe(m.id);
    const react = stranger.service.send(h.fingerprint, '👍', { reactTo: back.message.id });
    expect(await h.peer.waitFor('message', (e) => e['id'] === react.id)).toMatchObject({ text: '👍', react: back.message.id });
    expect(h.peer.events.some((e) => e.event === 'request')).toBe(false);
  });

  it('--hold-requests: request, held messages marked, reply refused until accept', SLOW, async () => {
    const h = await host(['--name', 'Bob', '--hold-requests']);
    const stranger = await startNode('Stranger', { acceptRequests: false });
    await stranger.service.join(addressOf(h.port));
    expect(await h.peer.waitFor('request')).toEqual({ event: 'request', peer: stranger.fingerprint, name: 'Stranger' });
    const m = stranger.service.send(h.fingerprint, 'let me in');
    expect(await h.peer.waitFor('message')).toEqual({ event: 'message', peer: stranger.fingerprint, id: m.id, ts: expect.any(Number), text: 'let me in', request: true });
    h.peer.command({ cmd: 'send', peer: stranger.fingerprint, text: 'no' });
    expect(await h.peer.waitFor('error')).toMatchObject({ code: 'request-pending' });
    h.peer.command({ cmd: 'accept', peer: stranger.fingerprint });
    h.peer.command({ cmd: 'send', peer: stranger.fingerprint, text: 'welcome' });
    await stranger.waitFor('message', (e) => e.message.text === 'welcome');
    const m2 = stranger.service.send(h.fingerprint, 'thanks');
    expect(await h.peer.waitFor('message', (e) => e['id'] === m2.id)).toEqual({ event: 'message', peer: stranger.fingerprint, id: m2.id, ts: expect.any(Number), text: 'thanks' });
  });
});

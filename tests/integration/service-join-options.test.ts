/**
 * The join hooks the app's screens use, over real TCP on 127.0.0.1: progress in steps (finding,
 * path, securing, then the result), `verifyByInvite: false` for a host found on the local network
 * (its fingerprint is still insisted on, the contact is never marked verified), and hosting that
 * announces itself through an injected discovery (a stand-in: no multicast leaves this machine
 * here; the real one is tested in the NAT lab's namespaces), and cancelling a join through its signal.
 */
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Advertisement, Discovery, FoundHost } from '../../src/core/net/discovery.ts';
import type { JoinProgress } from '../../src/core/service/connector.ts';
import { ServiceError } from '../../src/core/service/errors.ts';
import { formatInvite } from '../../src/core/protocol/invite.ts';
import { cleanupNodes, startHost, startNode } from '../helpers/services.ts';

afterEach(cleanupNodes);

/** An in-memory "local network": what is advertised is what browse finds. */
function fakeLan(): Discovery & { readonly adverts: Set<FoundHost> } {
  const adverts = new Set<FoundHost>();
  return {
    adverts,
    advertise({ name, port, fingerprint }): Advertisement {
      const host: FoundHost = { name, fingerprint, host: '127.0.0.1', port, invite: formatInvite({ host: '127.0.0.1', port, fp: fingerprint, name }) };
      adverts.add(host);
      return {
        stop: () => {
          adverts.delete(host);
          return Promise.resolve();
        },
      };
    },
    browse: () => Promise.resolve([...adverts]),
  };
}

describe('join progress', () => {
  it('reports finding, path and securing on the TCP path, in that order, before the join resolves', async () => {
    const { hosting } = await startHost('Ada');
    const guest = await startNode('Bob');
    const steps: JoinProgress[] = [];
    await guest.service.join(hosting.invite, { onProgress: (p) => steps.push(p) });
    expect(steps).toEqual([
      { step: 'finding', path: 'tcp' },
      { step: 'path', path: 'tcp' },
      { step: 'securing', path: 'tcp' },
    ]);
  });

  it('a dial that fails stops after finding and the join ends with a code', async () => {
    const { node: host, hosting } = await startHost('Ada');
    await host.service.stopHosting();
    const guest = await startNode('Bob');
    const steps: string[] = [];
    const failure = await guest.service.join(hosting.invite, { onProgress: (p) => steps.push(p.step) }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ServiceError);
    expect((failure as ServiceError).code).toMatch(/^connect-/);
    expect(steps).toEqual(['finding']);
  });

  it('a throwing progress listener does not decide the join', async () => {
    const { hosting } = await startHost('Ada');
    const guest = await startNode('Bob');
    const { peer } = await guest.service.join(hosting.invite, {
      onProgress: () => {
        throw new Error('listener bug');
      },
    });
    expect(guest.service.contact(peer)?.online).toBe(true);
  });
});

describe('joining a discovered host (verifyByInvite: false)', () => {
  it('expects the advertised fingerprint but never marks the contact verified', async () => {
    const { node: host, hosting } = await startHost('Ada');
    const guest = await startNode('Bob');
    const { peer } = await guest.service.join(hosting.invite, { verifyByInvite: false });
    expect(peer).toBe(host.fingerprint);
    expect(guest.service.contact(peer)).toMatchObject({ verified: false, verifiedMethod: null });
    expect(guest.all('verified')).toEqual([]);
    expect((await guest.waitFor('connected')).verified).toBe(false);
  });

  it('still refuses a host whose key does not match the advertised fingerprint', async () => {
    const { hosting } = await startHost('Ada');
    const guest = await startNode('Bob');
    const forged = hosting.invite.replace(/fp=[0-9a-f]{64}/, `fp=${'ab'.repeat(32)}`);
    const failure = await guest.service.join(forged, { verifyByInvite: false }).catch((e: unknown) => e);
    expect((failure as ServiceError).code).toBe('fingerprint-mismatch');
    expect(guest.service.contacts()).toEqual([]);
  });
});

describe('hosting that announces itself', () => {
  it('advertises while hosting, says so, and stops advertising when hosting stops', async () => {
    const lan = fakeLan();
    const host = await startNode('Ada', { discovery: lan });
    const hosting = await host.service.host({ port: 0, bind: '0.0.0.0', announce: true });
    expect(hosting.discoverable).toBe(true);
    expect([...lan.adverts]).toEqual([expect.objectContaining({ name: 'Ada', fingerprint: host.fingerprint, port: hosting.port })]);

    const guest = await startNode('Bob', { discovery: lan });
    const nearby = await guest.service.browseNearby(100);
    expect(nearby.map((h) => h.fingerprint)).toEqual([host.fingerprint]);
    // The host does not list itself.
    expect(await host.service.browseNearby(100)).toEqual([]);

    await host.service.stopHosting();
    expect(lan.adverts.size).toBe(0);
  });

  it('does not advertise unless asked, and refuses to advertise a loopback-only host', async () => {
    const lan = fakeLan();
    const host = await startNode('Ada', { discovery: lan });
    await expect(host.service.host({ port: 0, bind: '127.0.0.1', announce: true })).rejects.toMatchObject({ code: 'bad-input' });
    const hosting = await host.service.host({ port: 0, bind: '127.0.0.1' });
    expect(hosting.discoverable).toBe(false);
    expect(lan.adverts.size).toBe(0);
  });
});

describe('cancelling a join (issue 12)', () => {
  it('an abort during the handshake closes the connection and ends the join with cancelled: no session, no contact', async () => {
    // A listener that accepts and reads but never answers: the join waits in "securing".
    const sockets: Socket[] = [];
    const closed: Promise<void>[] = [];
    const stall = createServer((socket) => {
      socket.resume();
      sockets.push(socket);
      closed.push(new Promise((resolve) => socket.on('close', () => resolve())));
    });
    await new Promise<void>((resolve) => stall.listen(0, '127.0.0.1', resolve));
    const { port } = stall.address() as AddressInfo;
    try {
      const guest = await startNode('Bob');
      const controller = new AbortController();
      let securing: () => void = () => {};
      const reached = new Promise<void>((resolve) => (securing = resolve));
      const steps: JoinProgress[] = [];
      const joining = guest.service.join(`127.0.0.1:${port}`, {
        signal: controller.signal,
        onProgress: (p) => {
          steps.push(p);
          if (p.step === 'securing') securing();
        },
      });
      await reached;
      controller.abort();
      const err = await joining.then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ServiceError);
      expect(err).toMatchObject({ code: 'cancelled' });
      await Promise.all(closed);
      expect(sockets).toHaveLength(1);
      expect(guest.service.connectedPeers()).toEqual([]);
      expect(guest.service.contacts()).toEqual([]);
      expect(steps.map((s) => s.step)).toEqual(['finding', 'path', 'securing']);
    } finally {
      await new Promise<void>((resolve) => stall.close(() => resolve()));
    }
  });

  it('a join cancelled before it starts never dials: the host sees nobody, and nothing is added', async () => {
    const { node: host, hosting } = await startHost('Ada');
    const guest = await startNode('Bob');
    const controller = new AbortController();
    controller.abort();
    await expect(guest.service.join(hosting.invite, { signal: controller.signal })).rejects.toMatchObject({ code: 'cancelled' });
    // A real join afterwards goes through: the host's first connection is that one.
    const mark = host.mark();
    await guest.service.join(hosting.invite);
    await host.waitFor('connected', () => true, { since: mark });
    expect(host.all('connected')).toHaveLength(1);
    expect(guest.service.contacts()).toHaveLength(1);
  });
});

/**
 * Local network discovery in the NAT lab (net-lab.ts): a host advertising in namespace a is found
 * from a2 on the same LAN bridge, with its name, fingerprint, LAN address and port, and is not
 * found from b behind another router (multicast DNS does not cross routers).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { killPeers } from '../helpers/cli-peer.ts';
import { labScript, spawnInNs } from './lab-process.ts';
import { buildLab, labUnavailable, type Lab } from './net-lab.ts';

const unavailable = labUnavailable();
let lab: Lab | null = null;
afterAll(async () => {
  await killPeers();
  await lab?.teardown();
});

describe.skipIf(unavailable !== null)(`discovery in the NAT lab${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  it('found on the same LAN, not across a router', async () => {
    lab = await buildLab({ natA: 'port-preserving', natB: 'port-preserving' });
    const fp = 'ab'.repeat(32);
    const host = spawnInNs(lab, lab.ns.a, labScript('discovery-peer.ts'), ['advertise', 'Ada Lovelace', '47800', fp]);
    await host.waitFor('advertising');
    const near = spawnInNs(lab, lab.ns.a2, labScript('discovery-peer.ts'), ['browse', '3000']);
    const far = spawnInNs(lab, lab.ns.b, labScript('discovery-peer.ts'), ['browse', '3000']);
    await Promise.all([near.waitFor('done'), far.waitFor('done')]);
    expect(near.all('found').map(({ event: _e, ...rest }) => rest)).toEqual([{ name: 'Ada Lovelace', fingerprint: fp, host: '10.1.0.2', port: 47800, invite: expect.stringMatching(/^parley:\/\/10\.1\.0\.2:47800\?fp=/) }]);
    expect(far.all('found')).toEqual([]);
  });
});

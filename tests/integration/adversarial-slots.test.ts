/**
 * Security review of the listener's handshake slots. The existing adversarial tests flood a host
 * with sockets that say nothing; those are evicted after idleEvictMs. An attacker can do better
 * for free: send a valid message 1 (the same 35 bytes every time — no key needed, no DH on its
 * side) and then stall. Such a handshake has "progressed", so it is never evicted; it holds its
 * slot until the 10 s deadline, and the attacker opens another at once. Here from two addresses
 * (32 each, the per-address limit), against the protocol's 10 s deadline.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../src/core/crypto/p256.ts';
import { encodeFrame } from '../../src/core/protocol/frame.ts';
import { HandshakeState } from '../../src/core/noise/handshake-state.ts';
import { P256_AESGCM_SHA256, PARLEY_PROLOGUE } from '../../src/core/noise/suites.ts';
import type { HostingDto } from '../../src/shared/dto.ts';
import { legitPeer, type LegitPeer } from '../helpers/legit-peer.ts';
import { rawConnect, type RawSocket } from '../helpers/raw-peer.ts';
import { cleanupNodes, startHost, until, type TestNode } from '../helpers/services.ts';

let host: TestNode;
let hosting: HostingDto;
let peer: LegitPeer;

beforeAll(async () => {
  ({ node: host, hosting } = await startHost('Host', { handshakeTimeoutMs: 10_000 }));
  peer = await legitPeer(host, hosting);
});
afterAll(cleanupNodes);

// One valid message 1, replayed by every attacking socket.
const MESSAGE_1 = encodeFrame(new HandshakeState({ suite: P256_AESGCM_SHA256, pattern: 'XX', initiator: true, prologue: PARLEY_PROLOGUE, s: generateKeyPair() }).writeMessage());

describe('handshakes that send message 1 and stall', () => {
  it('64 of them from two addresses leave a legitimate peer able to connect at once', { timeout: 30_000 }, async () => {
    const attackers: RawSocket[] = [];
    let keepOpening = true;
    // Replaces every attacking socket the host closes, as a real attacker would.
    const open = async (localAddress: string): Promise<void> => {
      while (keepOpening) {
        const s = await rawConnect(hosting.port, { localAddress }).catch(() => null);
        if (s === null) return;
        attackers.push(s);
        s.write(MESSAGE_1);
        await s.closed;
      }
    };
    const loops = ['127.0.0.2', '127.0.0.3'].flatMap((a) => Array.from({ length: 32 }, () => open(a)));
    try {
      // Every attacker got message 2 back: they hold handshake slots, waiting "for message 3".
      await until(() => attackers.filter((s) => s.frames.length > 0 && !s.isClosed()).length >= 64, '64 stalled handshakes', 10_000);
      await peer.talk(); // within its 2 s bound, or it fails
    } finally {
      keepOpening = false;
      for (const s of attackers) s.destroy();
      await Promise.all(loops);
    }
    expect(host.service.contacts().map((c) => c.fingerprint)).toEqual([peer.node.fingerprint]);
  });
});

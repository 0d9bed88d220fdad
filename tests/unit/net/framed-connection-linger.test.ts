/**
 * FramedConnection.close('local') half-closes and arms a 2 s fallback that destroys a socket whose
 * peer never finishes closing. Once the socket has closed, the fallback must be gone: armed, it kept
 * every closed connection (and its session) reachable for 2 s, so a host or joiner making a
 * handshake every few milliseconds promoted them all out of the young generation.
 */
import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FramedConnection } from '../../../src/core/net/framed-connection.ts';
import type { Carrier } from '../../../src/core/net/carrier.ts';

class FakeCarrier extends EventEmitter {
  readonly remoteAddress = '127.0.0.1';
  readonly remotePort = 1;
  readonly writableLength = 0;
  destroyed = false;
  readonly destroy = vi.fn(() => {
    this.destroyed = true;
  });
  readonly end = vi.fn();
  write(): boolean {
    return true;
  }
  pause(): void {}
  resume(): void {}
  unshift(): void {}
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("close('local')", () => {
  it('destroys a socket that is still open after 2 s', () => {
    const socket = new FakeCarrier();
    const conn = new FramedConnection(socket as unknown as Carrier);
    conn.close('local');
    expect(socket.end).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(2000);
    expect(socket.destroy).toHaveBeenCalledTimes(1);
  });

  it('leaves no timer behind once the socket has closed', () => {
    const socket = new FakeCarrier();
    const conn = new FramedConnection(socket as unknown as Carrier);
    conn.close('local');
    socket.emit('close');
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(5000);
    expect(socket.destroy).not.toHaveBeenCalled();
  });
});

/**
 * Framing (PROTOCOL.md section 1): encodeFrame and the incremental FrameDecoder, with unit cases
 * and seeded property tests over arbitrary frame sequences and chunkings.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concatBytes, toHex } from '../../../src/core/crypto/bytes.ts';
import {
  encodeFrame,
  FrameDecoder,
  FrameError,
  MAX_BUFFERED_BYTES,
  MAX_FRAME_BODY,
} from '../../../src/core/protocol/frame.ts';

/** A body of `length` bytes whose content depends on `seed`, so frames differ from each other. */
function body(length: number, seed: number): Uint8Array {
  const b = new Uint8Array(length);
  for (let i = 0; i < length; i++) b[i] = (seed * 131 + i * 31 + (i >>> 8)) & 0xff;
  return b;
}

/** Splits bytes at the given cut points (any order, duplicates allowed). */
function chunksAt(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let start = 0;
  for (const p of [...points, bytes.length]) {
    out.push(bytes.subarray(start, p)); // empty chunks included on purpose
    start = p;
  }
  return out;
}

/** Runs a decoder over chunks, recording delivered bodies (copied) and the largest buffered count seen. */
function decodeAll(chunks: readonly Uint8Array[]): { frames: string[]; maxBuffered: number; decoder: FrameDecoder } {
  const frames: string[] = [];
  let maxBuffered = 0;
  const decoder = new FrameDecoder((b) => {
    frames.push(toHex(b));
    maxBuffered = Math.max(maxBuffered, decoder.bufferedBytes);
  });
  for (const c of chunks) {
    decoder.push(c);
    maxBuffered = Math.max(maxBuffered, decoder.bufferedBytes);
  }
  return { frames, maxBuffered, decoder };
}

const lengthArb = fc.oneof(
  { weight: 10, arbitrary: fc.integer({ min: 1, max: 300 }) },
  { weight: 1, arbitrary: fc.integer({ min: MAX_FRAME_BODY - 600, max: MAX_FRAME_BODY }) },
);
const framesArb = fc.array(fc.tuple(lengthArb, fc.nat(255)), { minLength: 0, maxLength: 8 }).map((specs) => specs.map(([n, s]) => body(n, s)));
const cutsArb = fc.array(fc.nat(), { maxLength: 40 });

describe('encodeFrame', () => {
  it('writes u16be(len) || body', () => {
    expect(toHex(encodeFrame(new Uint8Array([0xaa])))).toBe('0001aa');
    const big = body(MAX_FRAME_BODY, 1);
    const frame = encodeFrame(big);
    expect(frame.length).toBe(2 + MAX_FRAME_BODY);
    expect([frame[0], frame[1]]).toEqual([0xff, 0xff]);
    expect(toHex(frame.subarray(2))).toBe(toHex(big));
    expect(toHex(encodeFrame(body(0x0102, 3)).subarray(0, 2))).toBe('0102');
  });

  it('refuses an empty body, an oversize body and non-bytes', () => {
    expect(() => encodeFrame(new Uint8Array(0))).toThrow(RangeError);
    expect(() => encodeFrame(new Uint8Array(MAX_FRAME_BODY + 1))).toThrow(RangeError);
    expect(() => encodeFrame('abc' as unknown as Uint8Array)).toThrow(TypeError);
  });
});

describe('FrameDecoder', () => {
  it('delivers many frames from one chunk as views of it (zero-copy)', () => {
    const bodies = [body(1, 1), body(5, 2), body(300, 3)];
    const chunk = concatBytes(...bodies.map(encodeFrame));
    const seen: Uint8Array[] = [];
    const d = new FrameDecoder((b) => seen.push(b));
    expect(d.push(chunk)).toBeUndefined();
    expect(seen.map(toHex)).toEqual(bodies.map(toHex));
    for (const b of seen) expect(b.buffer).toBe(chunk.buffer);
    expect(d.bufferedBytes).toBe(0);
  });

  it('assembles a frame split across chunks, header split too, into a fresh buffer', () => {
    const b = body(1000, 7);
    const frame = encodeFrame(b);
    const seen: Uint8Array[] = [];
    const d = new FrameDecoder((x) => seen.push(x));
    d.push(frame.subarray(0, 1));
    expect(d.bufferedBytes).toBe(1);
    d.push(frame.subarray(1, 2));
    expect(d.bufferedBytes).toBe(2);
    d.push(frame.subarray(2, 500));
    expect(d.bufferedBytes).toBe(500);
    expect(seen).toEqual([]);
    d.push(frame.subarray(500));
    expect(seen.map(toHex)).toEqual([toHex(b)]);
    expect(seen[0]?.buffer).not.toBe(frame.buffer);
    expect(d.bufferedBytes).toBe(0);
  });

  it('stays linear: 16 frames of 65,535 bytes pushed one byte at a time', () => {
    const bodies = Array.from({ length: 16 }, (_, i) => body(MAX_FRAME_BODY, i));
    const stream = concatBytes(...bodies.map(encodeFrame));
    let count = 0;
    let maxBuffered = 0;
    const d = new FrameDecoder((b) => {
      if (toHex(b) !== toHex(bodies[count] as Uint8Array)) throw new Error(`frame ${count} differs`);
      count++;
    });
    for (let i = 0; i < stream.length; i++) {
      d.push(stream.subarray(i, i + 1));
      if (d.bufferedBytes > maxBuffered) maxBuffered = d.bufferedBytes;
    }
    expect(count).toBe(16);
    expect(maxBuffered).toBe(MAX_BUFFERED_BYTES - 1); // the last byte completes the frame
    // About 1 M pushes; copying the partial frame on every push (quadratic) would take minutes and
    // hit the test's timeout. No wall-clock assertion here: speed belongs to the benchmark.
  });

  it('rejects a zero length with FrameError after delivering the frames before it, and stays dead', () => {
    const seen: string[] = [];
    const d = new FrameDecoder((b) => seen.push(toHex(b)));
    expect(() => d.push(concatBytes(encodeFrame(new Uint8Array([1])), new Uint8Array([0, 0, 5])))).toThrow(FrameError);
    expect(seen).toEqual(['01']);
    expect(d.dead).toBe(true);
    expect(() => d.push(encodeFrame(new Uint8Array([2])))).toThrow(FrameError);
    expect(seen).toEqual(['01']);
  });

  it('rejects a zero length whose two bytes arrive in separate chunks', () => {
    const d = new FrameDecoder(() => {});
    d.push(new Uint8Array([0]));
    expect(() => d.push(new Uint8Array([0]))).toThrow(FrameError);
    expect(d.dead).toBe(true);
  });

  it('is dead after the handler throws, and rethrows the handler error', () => {
    const boom = new Error('handler failed');
    const d = new FrameDecoder(() => {
      throw boom;
    });
    expect(() => d.push(encodeFrame(new Uint8Array([1])))).toThrow(boom);
    expect(d.dead).toBe(true);
    expect(() => d.push(new Uint8Array([0, 1, 1]))).toThrow(FrameError);
  });

  it('pause() stops at a frame boundary and push() returns the unread rest', () => {
    const bodies = [body(3, 1), body(4, 2), body(5, 3)];
    const chunk = concatBytes(...bodies.map(encodeFrame));
    const seen: string[] = [];
    const d = new FrameDecoder((b) => {
      seen.push(toHex(b));
      d.pause();
    });
    const rest1 = d.push(chunk);
    expect(seen).toEqual([toHex(bodies[0] as Uint8Array)]);
    expect(rest1?.length).toBe(chunk.length - 5);
    expect(() => d.push(new Uint8Array([0, 1, 9]))).toThrow(/paused/);
    expect(d.dead).toBe(false);
    d.resume();
    const rest2 = d.push(rest1 as Uint8Array);
    d.resume();
    const rest3 = d.push(rest2 as Uint8Array);
    expect(rest3?.length).toBe(0); // paused after the last frame: nothing left, still paused
    expect(d.paused).toBe(true);
    expect(seen).toEqual(bodies.map(toHex));
  });

  it('checks its arguments', () => {
    expect(() => new FrameDecoder(null as unknown as () => void)).toThrow(TypeError);
    expect(() => new FrameDecoder(() => {}).push([1, 2] as unknown as Uint8Array)).toThrow(TypeError);
  });
});

describe('FrameDecoder properties (fast-check, seeded)', () => {
  it('yields exactly the frames sent, under any chunking, buffering at most one frame', () => {
    fc.assert(
      fc.property(framesArb, cutsArb, (bodies, cuts) => {
        const stream = concatBytes(...bodies.map(encodeFrame));
        const { frames, maxBuffered, decoder } = decodeAll(chunksAt(stream, cuts));
        expect(frames).toEqual(bodies.map(toHex));
        expect(maxBuffered).toBeLessThanOrEqual(MAX_BUFFERED_BYTES);
        expect(decoder.bufferedBytes).toBe(0);
      }),
      { seed: 42, numRuns: 300 },
    );
  });

  it('yields the same frames when fed one byte at a time', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 1, max: 700 }), fc.nat(255)), { maxLength: 6 }), (specs) => {
        const bodies = specs.map(([n, s]) => body(n, s));
        const stream = concatBytes(...bodies.map(encodeFrame));
        const oneByOne = Array.from({ length: stream.length }, (_, i) => stream.subarray(i, i + 1));
        expect(decodeAll(oneByOne).frames).toEqual(bodies.map(toHex));
      }),
      { seed: 42, numRuns: 100 },
    );
  });

  it('rejects a zero length wherever it appears, after exactly the frames before it', () => {
    fc.assert(
      fc.property(framesArb, fc.nat(), fc.uint8Array({ maxLength: 20 }), cutsArb, (bodies, at, trailer, cuts) => {
        const k = at % (bodies.length + 1);
        const stream = concatBytes(...bodies.slice(0, k).map(encodeFrame), new Uint8Array([0, 0]), trailer);
        const seen: string[] = [];
        const d = new FrameDecoder((b) => seen.push(toHex(b)));
        let error: unknown = null;
        for (const c of chunksAt(stream, cuts)) {
          try {
            d.push(c);
          } catch (e) {
            error = e;
            break;
          }
        }
        expect(error).toBeInstanceOf(FrameError);
        expect(d.dead).toBe(true);
        expect(seen).toEqual(bodies.slice(0, k).map(toHex));
        expect(() => d.push(new Uint8Array([0, 1, 1]))).toThrow(FrameError);
      }),
      { seed: 42, numRuns: 300 },
    );
  });

  it('pausing at random frames and re-pushing the rest loses and repeats nothing', () => {
    fc.assert(
      fc.property(framesArb, cutsArb, fc.array(fc.boolean(), { maxLength: 8 }), (bodies, cuts, pauses) => {
        const stream = concatBytes(...bodies.map(encodeFrame));
        const seen: string[] = [];
        const d = new FrameDecoder((b) => {
          if (pauses[seen.length] === true) d.pause();
          seen.push(toHex(b));
        });
        for (const c of chunksAt(stream, cuts)) {
          let rest: Uint8Array | undefined = c;
          while (rest !== undefined) {
            d.resume();
            rest = d.push(rest);
            expect(d.bufferedBytes).toBeLessThanOrEqual(MAX_BUFFERED_BYTES);
            if (rest !== undefined && rest.length === 0) rest = undefined;
          }
        }
        expect(seen).toEqual(bodies.map(toHex));
      }),
      { seed: 42, numRuns: 200 },
    );
  });
});

describe('reuseBodies (handler mode of a transport connection)', () => {
  it('assembles frames split across chunks in one reused buffer, byte for byte as before', () => {
    const bodies = [65_535, 1, 40_000, 65_535, 3, 65_000].map((n, k) => new Uint8Array(n).map((_, i) => (i * 31 + k) & 0xff));
    const wire = Buffer.concat(bodies.map((b) => encodeFrame(b)));
    const copies: string[] = [];
    const views: Uint8Array[] = [];
    const decoder = new FrameDecoder((body) => {
      copies.push(Buffer.from(body).toString('hex'));
      views.push(body);
    });
    decoder.reuseBodies();
    for (let at = 0; at < wire.length; at += 65_536) decoder.push(wire.subarray(at, at + 65_536)); // socket-sized reads
    expect(copies).toEqual(bodies.map((b) => Buffer.from(b).toString('hex')));
    // The split frames shared one buffer: the second 65,535-byte frame overwrote the first.
    const split = views.filter((v) => v.buffer !== wire.buffer);
    expect(split.length).toBeGreaterThan(1);
    expect(new Set(split.map((v) => v.buffer)).size).toBe(1);
  });

  it('gives small split frames their own array, so the buffer is only made for large ones', () => {
    // An idle chat session never receives a large split frame, so it never holds the 64 KiB buffer
    // (a host with 1,000 sessions held 64 MiB of them, bench P8.sessions).
    const small = new Uint8Array(100).fill(7);
    const large = new Uint8Array(60_000).fill(9);
    const seen: Uint8Array[] = [];
    const decoder = new FrameDecoder((body) => seen.push(body));
    decoder.reuseBodies();
    const wire = Buffer.concat([encodeFrame(small), encodeFrame(large), encodeFrame(large)]);
    const cuts = [0, 50, 102 + 30_000, 102 + 60_002 + 20_000, wire.length];
    for (let k = 0; k + 1 < cuts.length; k++) decoder.push(wire.subarray(cuts[k], cuts[k + 1]));
    expect(seen.map((b) => b.length)).toEqual([100, 60_000, 60_000]);
    expect(seen[0]?.buffer).not.toBe(seen[1]?.buffer);
    expect(seen[1]?.buffer).toBe(seen[2]?.buffer);
    expect(seen[0]?.every((b) => b === 7)).toBe(true);
  });
});

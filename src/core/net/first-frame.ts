/**
 * Reading a waiting connection's first handshake frame without consuming it: the listener uses it
 * to tell a peer that proceeds with the handshake (it sent message 1) from a silent socket.
 */
import type { Socket } from 'node:net';

/** Bytes of a complete message-1 frame: u16be(33) || e (PROTOCOL.md section 2). */
export const MESSAGE_1_FRAME = 2 + 33;

/**
 * Reads `socket` (paused) until a whole message-1 frame has arrived, then pauses it, puts every
 * byte back (unshift, for the handshake to read) and calls `onReady`. A frame of any other length
 * can never be a valid message 1 (section 2): the socket is closed. Returns `stop`, which ends the
 * watch early and puts back what was read.
 */
export function watchMessage1(socket: Socket, onReady: () => void): () => void {
  const chunks: Buffer[] = [];
  let got = 0;
  const onData = (chunk: Buffer): void => {
    chunks.push(chunk);
    got += chunk.length;
    if (got < 2) return;
    const head = chunks.length === 1 ? chunk : Buffer.concat(chunks);
    if (head.readUInt16BE(0) !== MESSAGE_1_FRAME - 2) {
      socket.destroy(); // not a 33-byte message 1: the handshake would abort anyway
      return;
    }
    if (got < MESSAGE_1_FRAME) return;
    stop();
    onReady();
  };
  const stop = (): void => {
    socket.removeListener('data', onData);
    socket.pause();
    if (chunks.length > 0) socket.unshift(Buffer.concat(chunks.splice(0)));
  };
  socket.on('data', onData);
  socket.resume();
  return stop;
}

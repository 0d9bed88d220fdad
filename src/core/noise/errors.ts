/**
 * Errors of the Noise engine. Every failure a peer can cause is a `NoiseError`: the handshake
 * driver catches that one class and closes the connection quietly (DESIGN.md, "crypto failures
 * are fatal and quiet"). Misuse by local code (a wrong argument type) stays a TypeError/RangeError.
 */

/** Base class of every Noise failure; catch this to abort a handshake or session. */
export class NoiseError extends Error {
  override name = 'NoiseError';
}

/** Authentication failed in DecryptWithAd (bad tag, wrong key, altered bytes); spec section 5.1. */
export class NoiseDecryptError extends NoiseError {
  override name = 'NoiseDecryptError';
}

/** The nonce reached 2^64 - 1, which is never used (spec section 5.1, PROTOCOL.md section 4). */
export class NonceExhaustedError extends NoiseError {
  override name = 'NonceExhaustedError';
}

/** A handshake message has the wrong length: too short, too long, or trailing bytes. */
export class NoiseMessageError extends NoiseError {
  override name = 'NoiseMessageError';
}

/** A received public key is not a valid point for the DH functions (PROTOCOL.md section 2). */
export class NoiseInvalidPointError extends NoiseError {
  override name = 'NoiseInvalidPointError';
}

/** A call out of turn: writing when it is the peer's turn, after completion, after a failure or destroy. */
export class NoiseStateError extends NoiseError {
  override name = 'NoiseStateError';
}

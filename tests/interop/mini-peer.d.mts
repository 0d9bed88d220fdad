// Types of what mini-peer.mjs exports for the tests (its Noise pieces, replayed on the known answers).
export type KeyPair = { readonly priv: Buffer; readonly pub: Buffer };
export declare class CipherState {
  constructor(k: Buffer);
  encrypt(ad: Buffer, plaintext: Buffer): Buffer;
  decrypt(ad: Buffer, ciphertext: Buffer): Buffer;
}
export declare function keyPair(priv?: Buffer): KeyPair;
export declare function fingerprint(pubCompressed: Buffer): string;
export declare function initiatorHandshake(s: KeyPair, e: KeyPair): {
  writeMessage1(): Buffer;
  readMessage2(msg: Buffer): { rs: Buffer; payload: Buffer };
  writeMessage3(payload: Buffer): { message: Buffer; send: CipherState; recv: CipherState; handshakeHash: Buffer };
};
/** §9: a chunk plaintext, 0x00 || id (16 bytes) || u64be(offset) || data. */
export declare function chunk(id: string, offset: number, data: Buffer): Buffer;
export declare function parseChunk(plaintext: Buffer): { id: string; offset: number; data: Buffer };

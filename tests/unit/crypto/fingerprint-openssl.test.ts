/**
 * The fingerprint recipe of PROTOCOL.md section 3, run for real: `openssl pkey ... -outform DER |
 * sha256sum` over our PEM (and over a private-key PEM) must print fingerprintHex.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createPrivateKey } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fromHex } from '../../../src/core/crypto/bytes.ts';
import { fingerprintHex, spkiPem } from '../../../src/core/crypto/fingerprint.ts';
import { generateKeyPair, publicKeyFromPrivate, uncompressPublicKey } from '../../../src/core/crypto/p256.ts';
import { loadJson } from './vectors.ts';

function missingTool(): string | null {
  for (const [tool, args] of [['openssl', ['version']], ['sha256sum', ['--version']], ['bash', ['--version']]] as const) {
    const r = spawnSync(tool, args, { stdio: 'ignore' });
    if (r.error || r.status !== 0) return tool;
  }
  return null;
}
const missing = missingTool();
const skipReason = missing ? ` (SKIPPED: \`${missing}\` is not on PATH)` : '';
if (missing) console.warn(`fingerprint-openssl: skipped, \`${missing}\` is not on PATH`);

const dir = missing ? '' : mkdtempSync(join(tmpdir(), 'parley-fp-'));
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

let fileCount = 0;
function writeTemp(content: string): string {
  const file = join(dir, `key-${fileCount++}.pem`);
  writeFileSync(file, content, { mode: 0o600 });
  return file;
}

/** Runs a shell pipeline with the file as $1 and pipefail, so an openssl failure is not hashed as empty input. */
function pipeline(script: string, file: string): string {
  return execFileSync('bash', ['-o', 'pipefail', '-c', script, 'bash', file], { encoding: 'utf8' });
}

/** The recipe for a public-key PEM, exactly as PROTOCOL.md gives it. */
function opensslFingerprintOfPublic(pem: string): string {
  const out = pipeline('openssl pkey -pubin -in "$1" -outform DER | sha256sum', writeTemp(pem));
  return out.split(/\s+/)[0]!;
}

/** The recipe for a private-key PEM. */
function opensslFingerprintOfPrivate(privateKey: Uint8Array): string {
  const point = uncompressPublicKey(publicKeyFromPrivate(privateKey));
  const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64url');
  const pem = createPrivateKey({
    key: { kty: 'EC', crv: 'P-256', d: b64(privateKey), x: b64(point.subarray(1, 33)), y: b64(point.subarray(33)) },
    format: 'jwk',
  }).export({ type: 'pkcs8', format: 'pem' });
  const out = pipeline('openssl pkey -in "$1" -pubout -outform DER | sha256sum', writeTemp(String(pem)));
  return out.split(/\s+/)[0]!;
}

const kat = loadJson<{ keys: { id: string; private: string; public_compressed: string }[] }>('parley/identity_kat.json');

describe('fingerprints agree with openssl', () => {
  it.skipIf(missing !== null)(`for a freshly generated key${skipReason}`, () => {
    const { privateKey, publicKey } = generateKeyPair();
    const expected = fingerprintHex(publicKey);
    expect(opensslFingerprintOfPublic(spkiPem(publicKey))).toBe(expected);
    expect(opensslFingerprintOfPrivate(privateKey)).toBe(expected);
  });

  it.skipIf(missing !== null)(`for every identity_kat key${skipReason}`, () => {
    for (const k of kat.keys) {
      const pub = fromHex(k.public_compressed);
      expect(opensslFingerprintOfPublic(spkiPem(pub)), k.id).toBe(fingerprintHex(pub));
      expect(opensslFingerprintOfPrivate(fromHex(k.private)), k.id).toBe(fingerprintHex(pub));
    }
  });

  it.skipIf(missing !== null)(`openssl re-emits our PEM byte for byte${skipReason}`, () => {
    const { publicKey } = generateKeyPair();
    const pem = spkiPem(publicKey);
    expect(pipeline('openssl pkey -pubin -in "$1" -pubout', writeTemp(pem))).toBe(pem);
  });
});

/**
 * The TLS baseline's credentials: an ECDSA P-256 self-signed certificate made by OpenSSL in a
 * temporary directory for this run (Node cannot self-sign by itself), and the TLS options the issue
 * asks for: TLS 1.3 only, TLS_AES_256_GCM_SHA384, the P-256 group.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConnectionOptions, TlsOptions } from 'node:tls';

/** PEM key and certificate. */
export type TlsFixture = { readonly key: string; readonly cert: string };

/** Creates the key and certificate under `dir` with `openssl req -x509`. */
export function makeTlsFixture(dir: string): TlsFixture {
  const keyPath = join(dir, 'bench-tls.key');
  const certPath = join(dir, 'bench-tls.crt');
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', keyPath, '-out', certPath, '-days', '2',
      '-subj', '/CN=bench.parley.test', '-addext', 'subjectAltName=IP:127.0.0.1'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  return { key: readFileSync(keyPath, 'utf8'), cert: readFileSync(certPath, 'utf8') };
}

const COMMON = { minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3', ciphers: 'TLS_AES_256_GCM_SHA384', ecdhCurve: 'P-256' } as const;

/** Server options: Node's defaults otherwise (it issues session tickets; clients never resume). */
export function tlsServerOptions(f: TlsFixture): TlsOptions {
  return { ...COMMON, key: f.key, cert: f.cert };
}

/** Client options: verifies the chain and the IP SAN like any real client; no session resumption. */
export function tlsClientOptions(f: TlsFixture, port: number, localAddress?: string): ConnectionOptions {
  return { ...COMMON, host: '127.0.0.1', port, ca: f.cert, ...(localAddress ? { localAddress } : {}) };
}

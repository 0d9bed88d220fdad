/**
 * A small peer on the DHT transport for the lab, run inside a peer namespace: reads JSON commands
 * on stdin, prints JSON events on stdout (like the headless peer, CLI.md).
 *
 *   {"cmd":"listen"}                          → {"event":"listening","key"}; every accepted
 *                                              connection echoes what it reads ({"event":"accepted",...info})
 *   {"cmd":"connect","key","relay"?,"bytes"}  → sends `bytes` bytes, waits for them back, closes:
 *                                              {"event":"connected","ms",...info} then {"event":"echoed"}
 *                                              or {"event":"error","code","message","ms"}
 *
 * Arguments: JSON `{"bootstrap":[{host,port}],"relay"?:hex,"host"?:address}` (relay: the host side's
 * relayThrough; host: the address to bind, 127.0.0.1 on a local testnet outside the lab).
 */
import { createInterface } from 'node:readline';
import { dhtKeyPairFromSeed, newDhtSeed } from '../../src/core/net/dht-keys.ts';
import { DhtNode } from '../../src/core/net/dht-node.ts';
import { DhtError } from '../../src/core/net/dht-errors.ts';

const config = JSON.parse(process.argv[2] ?? '{}') as { bootstrap: { host: string; port: number }[]; relay?: string; host?: string };
const print = (event: Record<string, unknown>): void => void process.stdout.write(`${JSON.stringify(event)}\n`);
const node = new DhtNode({ bootstrap: config.bootstrap, host: config.host, log: (line) => void process.stderr.write(`${line}\n`) });
print({ event: 'started', reachability: await node.ready() });

async function listen(): Promise<void> {
  const keyPair = dhtKeyPairFromSeed(newDhtSeed());
  await node.listen(
    keyPair,
    (carrier) => {
      print({ event: 'accepted', ...carrier.info() });
      carrier.on('data', (chunk) => carrier.write(chunk));
      carrier.on('end', () => carrier.end());
    },
    { relayThrough: config.relay ?? null },
  );
  print({ event: 'listening', key: keyPair.publicKey.toString('hex'), reachability: node.reachability });
}

async function connect(key: string, relay: string | null, bytes: number): Promise<void> {
  const started = Date.now();
  try {
    const { carrier, info } = await node.connect(key, { relayThrough: relay });
    print({ event: 'connected', ms: Date.now() - started, ...info });
    const payload = Buffer.alloc(bytes);
    for (let i = 0; i < bytes; i++) payload[i] = (i * 7) & 0xff;
    const received: Buffer[] = [];
    let got = 0;
    await new Promise<void>((resolve, reject) => {
      carrier.on('data', (chunk) => {
        received.push(chunk);
        got += chunk.length;
        if (got >= bytes) resolve();
      });
      carrier.on('close', () => reject(new Error(`closed after ${got} of ${bytes} bytes`)));
      carrier.write(payload);
    });
    print({ event: 'echoed', bytes: got, intact: Buffer.concat(received).equals(payload), relayed: carrier.info().relayed });
    carrier.end();
  } catch (err) {
    const e = err instanceof DhtError ? err : new DhtError('connect-failed', String(err));
    print({ event: 'error', code: e.code, message: e.message, dhtCode: e.dhtCode, ms: Date.now() - started });
  }
}

for await (const line of createInterface({ input: process.stdin })) {
  const cmd = JSON.parse(line) as { cmd: string; key?: string; relay?: string; bytes?: number };
  if (cmd.cmd === 'listen') await listen();
  else if (cmd.cmd === 'connect') void connect(cmd.key ?? '', cmd.relay ?? null, cmd.bytes ?? 1000);
}
await node.destroy();

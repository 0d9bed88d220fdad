// Child process for crash.test.ts: stores messages as fast as it can and prints each id only after
// insertIncoming returned (what the service does before sending an ack), until it is killed.
import { randomUUID } from 'node:crypto';
import { createKeyFileSealer } from '../../../src/core/identity/key-file-sealer.ts';
import { openDataDir } from '../../../src/core/storage/data-dir.ts';

const [dir, peer] = process.argv.slice(2);
if (dir === undefined || peer === undefined) throw new TypeError('usage: crash-writer.mts DIR PEER');
const store = openDataDir(dir, { sealer: createKeyFileSealer(dir) });
for (let i = 0; ; i++) {
  const id = randomUUID();
  store.messages.insertIncoming(peer, { id, ts: i, text: `message ${i} `.repeat(1 + (i % 50)) });
  // A pipe is written synchronously on POSIX: once the parent reads the line, it was committed.
  process.stdout.write(`${id}\n`);
  if (i % 3 === 0) store.messages.insertOutgoing(peer, `reply ${i}`);
}

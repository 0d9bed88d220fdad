/**
 * Discovery inside a lab namespace: `advertise NAME PORT FP` prints {"event":"advertising"} and
 * runs until killed; `browse MS` prints one {"event":"found",...} per host, then {"event":"done"}.
 */
import { advertise, browse } from '../../src/core/net/discovery.ts';

const print = (event: Record<string, unknown>): void => void process.stdout.write(`${JSON.stringify(event)}\n`);
const [mode, ...args] = process.argv.slice(2);
if (mode === 'advertise') {
  advertise({ name: args[0] ?? '', port: Number(args[1]), fingerprint: args[2] ?? '', log: (line) => void process.stderr.write(`${line}\n`) });
  print({ event: 'advertising' });
} else {
  for (const host of await browse({ timeoutMs: Number(args[0] ?? 3000), log: (line) => void process.stderr.write(`${line}\n`) })) print({ event: 'found', ...host });
  print({ event: 'done' });
}

/** The machine a run was made on, for results.json and BENCHMARKS.md. */
import { execFileSync } from 'node:child_process';
import { cpus, freemem, loadavg, release, totalmem, type as osType } from 'node:os';
import { DatabaseSync } from 'node:sqlite';

function tryRun(cmd: string, args: string[]): string | null {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).trim();
  } catch {
    return null;
  }
}

/** The 1-minute load average, rounded (other work on the machine skews every figure). */
export function loadAverage(): number {
  return Math.round((loadavg()[0] ?? 0) * 100) / 100;
}

/** CPU, memory, OS, and the versions of everything measured. */
export function describeMachine(chromium: string | null): Record<string, unknown> {
  const db = new DatabaseSync(':memory:');
  const sqlite = String(db.prepare('SELECT sqlite_version() AS v').get()?.['v']);
  db.close();
  const list = cpus();
  return {
    cpu: list[0]?.model ?? 'unknown',
    cores: list.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    freeMemoryGiB: Math.round((freemem() / 2 ** 30) * 10) / 10,
    os: `${osType()} ${release()}`,
    node: process.version,
    v8: process.versions.v8,
    openssl: process.versions.openssl,
    sqlite,
    chromium: chromium ? tryRun(chromium, ['--version']) : null,
    date: new Date().toISOString(),
  };
}

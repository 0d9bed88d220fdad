import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it, afterEach } from 'vitest';
import { addPeer, cleanupTempDirs, openTestStore, tempDir } from './helpers.ts';

afterEach(cleanupTempDirs);

const WRITER = join(import.meta.dirname, 'crash-writer.mts');
const KILL_AFTER = 400;

/** Runs the writer until it has reported `count` stored ids, then SIGKILLs it mid-write. */
function runAndKill(dir: string, peer: string, count: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--no-warnings', WRITER, dir, peer], { stdio: ['ignore', 'pipe', 'pipe'] });
    const acked: string[] = [];
    let buffered = '';
    let stderr = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      acked.push(...lines);
      if (acked.length >= count && child.exitCode === null && !child.killed) child.kill('SIGKILL');
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(acked);
      else reject(new Error(`writer exited with ${code}: ${stderr}`));
    });
  });
}

describe.runIf(process.platform !== 'win32')('crash safety', () => {
  it('after SIGKILL mid-write, the database passes integrity_check and holds every acked message', async () => {
    const dir = join(tempDir(), 'data');
    const setup = openTestStore(dir);
    const peer = addPeer(setup);
    const fingerprint = setup.identity.fingerprint;
    setup.close();

    const acked: string[] = [];
    // Twice: the second run starts from a database recovered after a kill.
    for (let round = 1; round <= 2; round++) {
      const thisRun = await runAndKill(dir, peer, KILL_AFTER);
      expect(thisRun.length).toBeGreaterThanOrEqual(KILL_AFTER);
      acked.push(...thisRun);

      const store = openTestStore(dir);
      expect(store.integrityCheck()).toEqual(['ok']);
      expect(store.identity.fingerprint).toBe(fingerprint);
      const stored = new Set<string>();
      let page = store.messages.latest(peer, 1000);
      for (;;) {
        for (const m of page) if (m.direction === 'in') stored.add(m.id);
        if (page.length < 1000) break;
        page = store.messages.before(peer, page[0]?.seq ?? 0, 1000);
      }
      const missing = acked.filter((id) => !stored.has(id));
      expect(missing).toEqual([]);
      // Beyond the acked ones, at most the message in flight at each kill was stored.
      expect(stored.size - acked.length).toBeGreaterThanOrEqual(0);
      expect(stored.size - acked.length).toBeLessThanOrEqual(round);
      store.close();
    }
  }, 60_000);
});

/**
 * P8: the headless peer exactly as `npm run peer` runs it (`node --experimental-strip-types …
 * scripts/peer.mjs host --port 0 --data DIR --json`: the launcher, then the JavaScript bundle), as a
 * child process: wall time from spawn to its `ready` line,
 * its RSS when idle (listening, nothing connected, 1 s after `listening`), and its RSS growth with
 * 1,000 idle sessions (joined from this process, each with its own identity and loopback address),
 * counted from after 20 warm-up sessions have come and gone.
 *
 * XDG_CACHE_HOME points at this run's scratch directory, so the first start is a cold one (a new
 * data directory, an empty compile cache, as after installing) and the others are warm (the data
 * directory exists, the cache is filled): the figure is the median warm start. The bundle is brought
 * up to date before the first start (a build happens once per change of the sources, not per start).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateKeyPair } from '../../src/core/crypto/p256.ts';
import type { Part, PartContext } from '../lib/part.ts';
import { sleep } from '../lib/part.ts';
import { figure, type FigureResult } from '../lib/report.ts';
import { NODE_FLAGS } from '../lib/rpc.ts';
import { spreadText, summarize } from '../lib/stats.ts';
import { joinMany } from './joins.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MB = 1024 * 1024;

type Running = { child: ChildProcess; readyMs: number; port: number; lines: string[]; connected: () => number };

/** Resident set size of a process (Linux /proc; elsewhere via ps). */
function rssOf(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    if (m) return Number(m[1]) * 1024;
  } catch {
    // not Linux
  }
  throw new Error('cannot read the RSS of the peer (needs /proc)');
}

async function startPeer(ctx: PartContext, data: string): Promise<Running> {
  const env: NodeJS.ProcessEnv = { ...process.env, XDG_CACHE_HOME: join(ctx.tmp, 'xdg-cache'), PARLEY_PASSPHRASE: '' };
  delete env['NODE_COMPILE_CACHE'];
  const t0 = performance.now();
  const child = spawn(process.execPath, [...NODE_FLAGS, 'scripts/peer.mjs', 'host', '--port', '0', '--data', data, '--json'], { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'ignore'] });
  const lines: string[] = [];
  let connected = 0;
  let buf = '';
  let readyMs = -1;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the peer did not start within 20 s')), 20_000);
    child.once('exit', (code) => reject(new Error(`the peer exited (${code})`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      buf += chunk.toString('utf8');
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        const e = JSON.parse(line) as { event: string; port?: number };
        if (e.event === 'connected') connected += 1;
        else lines.push(line);
        if (e.event === 'ready') readyMs = performance.now() - t0;
        if (e.event === 'listening') {
          clearTimeout(timer);
          resolve({ child, readyMs, port: e.port as number, lines, connected: () => connected });
        }
      }
    });
  });
}

async function stopPeer(r: Running): Promise<void> {
  r.child.removeAllListeners('exit');
  const exited = new Promise((res) => r.child.once('exit', res));
  r.child.stdin?.end(); // end of input: quit
  const kill = setTimeout(() => r.child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(kill);
}

export const peerStartPart: Part = {
  name: 'headless peer (P8)',
  budget: [30, 60],
  async run(ctx: PartContext): Promise<FigureResult[]> {
    const data = join(ctx.tmp, 'p8-data');
    const warmUp = spawnSync(process.execPath, [...NODE_FLAGS, 'scripts/peer.mjs', 'id', '--data', join(ctx.tmp, 'p8-build'), '--json'], { cwd: ROOT, stdio: 'ignore', env: { ...process.env, PARLEY_PASSPHRASE: '' } });
    if (warmUp.status !== 0) throw new Error('the peer launcher failed (building the bundle?)');
    const cold = await startPeer(ctx, data);
    await stopPeer(cold);
    const starts: number[] = [];
    const idle: number[] = [];
    const runs = ctx.quick ? 4 : 11;
    let last: Running | null = null;
    for (let i = 0; i < runs; i++) {
      const r = await startPeer(ctx, data);
      starts.push(r.readyMs);
      await sleep(1000);
      idle.push(rssOf(r.child.pid as number));
      if (i < runs - 1) await stopPeer(r);
      else last = r;
    }
    if (!last) throw new Error('no run');
    // 1,000 idle sessions on the last one. First 20 sessions come and go: the first connections
    // compile the handshake and session code, fill SQLite's caches and grow the heap once (~13 MB
    // here), which is not a cost per session; the growth is counted from after that warm-up.
    const COUNT = 1000;
    const coldIdleRss = rssOf(last.child.pid as number);
    const warm = joinMany(last.port, Array.from({ length: 20 }, () => generateKeyPair()), ctx.deadline);
    await warm.ready;
    await sleep(500);
    warm.close();
    await sleep(2000);
    const idleRss = rssOf(last.child.pid as number);
    const crowd = joinMany(last.port, Array.from({ length: COUNT }, () => generateKeyPair()), ctx.deadline);
    await crowd.ready;
    while (last.connected() < COUNT && performance.now() < ctx.deadline) await sleep(50);
    if (last.connected() < COUNT) throw new Error(`only ${last.connected()} of ${COUNT} sessions reached the peer in time`);
    await sleep(2000);
    const busyRss = rssOf(last.child.pid as number);
    crowd.close();
    await stopPeer(last);
    const bare = await bareNode();
    const st = summarize(starts);
    const rs = summarize(idle.map((b) => b / MB));
    ctx.log(`P8 ready p50 ${st.median.toFixed(0)} ms (cold ${cold.readyMs.toFixed(0)} ms), idle RSS ${rs.median.toFixed(1)} MB, +${((busyRss - idleRss) / MB).toFixed(1)} MB with ${COUNT} sessions`);
    return [
      figure({ id: 'P8.start', name: 'headless peer: start → ready (warm: data directory and compile cache exist)', value: st.median, unit: 'ms', baseline: bare.startMs, baselineName: 'bare node, start → first line', goal: { text: '≤ 300 ms', on: 'value', max: 300 }, spread: `${spreadText(st, 0)} starts` }),
      figure({ id: 'P8.cold', name: 'headless peer: first start → ready (new data directory, empty compile cache)', value: cold.readyMs, unit: 'ms', spread: 'one start' }),
      figure({ id: 'P8.rss', name: 'headless peer: RSS idle', value: rs.median, unit: 'MB', baseline: bare.rss / MB, baselineName: 'bare node, idle', goal: { text: '≤ 60 MB', on: 'value', max: 60 }, spread: spreadText(rs, 1) }),
      figure({ id: 'P8.sessions', name: 'headless peer: RSS growth with 1,000 idle sessions', value: (busyRss - idleRss) / MB, unit: 'MB', goal: { text: '≤ +50 MB', on: 'value', max: 50 }, spread: `${(idleRss / MB).toFixed(1)} → ${(busyRss / MB).toFixed(1)} MB, counted after 20 warm-up sessions came and went (idle ${(coldIdleRss / MB).toFixed(1)} MB before them)` }),
    ];
  },
};

/** The floor under P8: a bare Node process (same binary) printing one line, then idling. */
async function bareNode(): Promise<{ startMs: number; rss: number }> {
  const starts: number[] = [];
  let rss = 0;
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const child = spawn(process.execPath, ['-e', 'console.log("ready"); setInterval(() => {}, 1000)'], { stdio: ['ignore', 'pipe', 'ignore'] });
    await new Promise((resolve) => child.stdout?.once('data', resolve));
    starts.push(performance.now() - t0);
    await sleep(1000);
    rss = rssOf(child.pid as number);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill();
    await exited;
  }
  return { startMs: summarize(starts).median, rss };
}

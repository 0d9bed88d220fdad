/**
 * P10: a file peer to peer over loopback, two ParleyServices in two processes (the sender hashes
 * while it reads, the receiver while it writes, both through real disks), against node:tls
 * streaming the same bytes from disk to disk between two processes. Then the same file again with
 * chat round trips (send → delivered) running beside it, against idle ones (P10.rtt); each side's
 * peak RSS across both (P10.rss: a file of any size must cost a few MiB at most).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { keepSampling, type Part, type PartContext } from '../lib/part.ts';
import { figure, type FigureResult } from '../lib/report.ts';
import { startPeer } from '../lib/rpc.ts';
import { summarize } from '../lib/stats.ts';

const MiB = 1024 * 1024;

/**
 * `size` bytes of a repeated random MiB, each block numbered (so no two are equal), synced: its
 * writeback must not land in one of the two measured transfers and not the other.
 */
async function makeFile(path: string, size: number): Promise<void> {
  const block = randomBytes(MiB);
  const h = await open(path, 'w');
  try {
    for (let at = 0, i = 0; at < size; at += MiB, i++) {
      block.writeUInt32LE(i, 0);
      await h.write(block, 0, Math.min(MiB, size - at), at);
    }
    await h.sync();
  } finally {
    await h.close();
  }
}

export const filesPart: Part = {
  name: 'files (P10)',
  budget: [90, 240],
  async run(ctx: PartContext): Promise<FigureResult[]> {
    const size = ctx.quick ? 128 * MiB : 1024 * MiB;
    const src = join(ctx.tmp, 'p10-source.bin');
    await makeFile(src, size);
    const [sender, receiver, tlsIn, tlsOut] = await Promise.all([startPeer('file-peer'), startPeer('file-peer'), startPeer('tls-file-peer'), startPeer('tls-file-peer')]);
    try {
      // Baseline first: node:tls, disk to disk.
      const tlsCopy = join(ctx.tmp, 'p10-tls-copy.bin');
      const tlsPort = await tlsIn.call<number>('listen', { tls: ctx.tls, path: tlsCopy });
      const tlsCpu0 = [await tlsOut.call<number>('cpuMs'), await tlsIn.call<number>('cpuMs')];
      const tlsMs = await tlsOut.call<number>('send', { tls: ctx.tls, port: tlsPort, path: src });
      await tlsIn.call('received');
      const tlsCpu = [(await tlsOut.call<number>('cpuMs')) - (tlsCpu0[0] as number), (await tlsIn.call<number>('cpuMs')) - (tlsCpu0[1] as number)];
      const tlsRate = size / MiB / (tlsMs / 1000);
      // Its copy goes before Parley's turn, with its dirty pages (never written back): else the kernel
      // writes up to a GiB of them back during Parley's transfer, which TLS did not have to share.
      await rm(tlsCopy);
      const perGiB = (ms: number): string => (ms / (size / 1024 ** 3) / 1000).toFixed(1);
      ctx.log(`P10: node:tls moved ${size / MiB} MiB in ${(tlsMs / 1000).toFixed(1)} s; CPU per GiB sender ${perGiB(tlsCpu[0] as number)} s, receiver ${perGiB(tlsCpu[1] as number)} s`);

      const downloads = join(ctx.tmp, 'p10-downloads');
      await receiver.call('open', { dir: join(ctx.tmp, 'p10-receiver'), acceptDir: downloads });
      await sender.call('open', { dir: join(ctx.tmp, 'p10-sender'), acceptDir: null });
      const hosting = await receiver.call<{ invite: string }>('host');
      const peer = await sender.call<string>('join', hosting.invite);
      const idle: number[] = [];
      for (let i = 0; i < 10; i++) await sender.call('rtt', peer); // warm-up
      while (keepSampling(ctx, idle.length, 30, 100)) idle.push(await sender.call<number>('rtt', peer));

      ctx.log(`P10: idle chat p50 ${summarize(idle).median.toFixed(2)} ms; sending (hashing first)`);
      const rssBefore = [await sender.call<number>('rssWatch'), await receiver.call<number>('rssWatch')];
      // Two transfers of the file: the first alone, timed (P10, like TLS's, with nothing else on the
      // link), the second with chat round trips running beside it (P10.rtt), which cost both sides CPU
      // and fsyncs the first must not be charged with. RSS is watched across both.
      const id = await sender.call<string>('sendFile', { peer, path: src });
      const ms = await sender.call<number>('transferMs', id);
      const cpu = [await sender.call<number>('cpuMs'), await receiver.call<number>('cpuMs')];
      await rm(downloads, { recursive: true, force: true }); // its dirty pages go too, as TLS's copy's did
      await mkdir(downloads);
      const second = await sender.call<string>('sendFile', { peer, path: src });
      const during: number[] = [];
      while ((await sender.call<string | null>('done', second)) === null) during.push(await sender.call<number>('rtt', peer));
      await sender.call<number>('transferMs', second);
      const rssPeak = [await sender.call<number>('rssPeak'), await receiver.call<number>('rssPeak')];
      const rate = size / MiB / (ms / 1000);
      const i = summarize(idle);
      const d = during.length > 0 ? summarize(during) : null;
      const mib = (x: number): string => (x / MiB).toFixed(0);
      ctx.log(`P10 ${rate.toFixed(0)} MiB/s (TLS ${tlsRate.toFixed(0)}); RSS sender ${mib(rssBefore[0] as number)}→${mib(rssPeak[0] as number)} MiB, receiver ${mib(rssBefore[1] as number)}→${mib(rssPeak[1] as number)} MiB; chat p50 ${d?.median.toFixed(2)} ms during vs ${i.median.toFixed(2)} idle; CPU per GiB sender ${((cpu[0] as number) / (size / 1024 ** 3) / 1000).toFixed(1)} s, receiver ${((cpu[1] as number) / (size / 1024 ** 3) / 1000).toFixed(1)} s`);
      const growth = Math.max((rssPeak[0] as number) - (rssBefore[0] as number), (rssPeak[1] as number) - (rssBefore[1] as number)) / MiB;
      return [
        figure({ id: 'P10', name: `a ${size / MiB} MiB file peer to peer (hashed both sides, disk to disk), MiB/s`, value: rate, unit: 'MiB/s', baseline: tlsRate, baselineName: 'node:tls, disk to disk', goal: { text: 'ratio ≥ 1.0', on: 'ratio', min: 1 }, spread: `${(ms / 1000).toFixed(1)} s; TLS ${(tlsMs / 1000).toFixed(1)} s` }),
        figure({ id: 'P10.rss', name: 'RSS growth during the transfers, the larger of sender and receiver', value: growth, unit: 'MiB', goal: { text: '≤ 8 MiB (a few)', on: 'value', max: 8 }, spread: `peaks: sender ${mib(rssPeak[0] as number)} MiB, receiver ${mib(rssPeak[1] as number)} MiB; before ${mib(rssBefore[0] as number)} / ${mib(rssBefore[1] as number)} MiB` }),
        figure({ id: 'P10.rtt', name: 'chat send → delivered p50 during a transfer', value: d?.median ?? null, unit: 'ms', baseline: i.median, baselineName: 'idle p50', goal: { text: 'ratio ≤ 2', on: 'ratio', max: 2 }, spread: d ? `during: n=${d.n}, p99 ${d.p99.toFixed(2)}; idle: n=${i.n}` : 'the transfer ended before a round trip', ...(d ? {} : { note: 'no sample during the transfer' }) }),
      ];
    } finally {
      for (const p of [sender, receiver]) await p.call('close').catch(() => undefined);
      await tlsIn.call('close').catch(() => undefined);
      await Promise.all([sender, receiver, tlsIn, tlsOut].map((p) => p.stop()));
    }
  },
};

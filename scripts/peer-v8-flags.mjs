// The V8 flags the headless peer runs with: scripts/peer.mjs execs Node with them, and the
// benchmark's 1,000-join host (P5) runs with them too, since a host taking many joins is the
// headless peer's server role.
//
// --max-semi-space-size=4 (MB): under a burst of allocation (1,000 peers joining at once) V8 grows
// the young generation to its default maximum and keeps it. Measured with 1,000 idle sessions on a
// host: the live objects grow by ~7.6 MB but V8's pages by ~29 MB, and scavenges copying up to that
// much take up to 16 ms, which is most of the host's worst event-loop stall. Capped at 4 MB: pages
// +15 MB, scavenges of 6–8 ms, twice as many of them (~20 % more GC time during the burst, about 1 %
// of its CPU); the bulk and round-trip figures (P2, P3) did not move beyond their noise. The
// desktop app is not affected: Electron's main process takes V8 flags only from its command line.
export const PEER_V8_FLAGS = ['--max-semi-space-size=4'];

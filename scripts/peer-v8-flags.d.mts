// Types of peer-v8-flags.mjs for the TypeScript that reads it (the benchmark and the launcher's test).
export declare const PEER_V8_FLAGS: readonly string[];

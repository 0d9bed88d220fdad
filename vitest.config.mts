import { defineConfig } from 'vitest/config';
import vue from '@vitejs/plugin-vue';

// Three projects: the core and everything that runs under Node, the renderer under happy-dom, and
// the NAT lab (network namespaces as root; its cases run concurrently and skip where it cannot run).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'node',
          environment: 'node',
          include: ['tests/unit/**/*.test.ts', 'tests/integration/**/*.test.ts'],
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'lab',
          environment: 'node',
          include: ['tests/lab/**/*.test.ts'],
          // A case builds namespaces, starts a DHT and waits out failures the contract bounds at 30 s.
          testTimeout: 60_000,
          hookTimeout: 30_000,
        },
      },
      {
        plugins: [vue()],
        test: {
          name: 'renderer',
          environment: 'happy-dom',
          include: ['tests/renderer/**/*.test.ts'],
        },
      },
    ],
  },
});

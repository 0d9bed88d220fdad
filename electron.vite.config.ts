import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import vue from '@vitejs/plugin-vue';
import { devCspPlugin } from './scripts/csp.ts';
import { nativeExternalPatterns } from './scripts/native-externals.ts';

// Main and preload are emitted as CommonJS (package.json has no "type": "module"), which a
// sandboxed preload requires. Both bundle what they import: a sandboxed preload cannot require
// packages at all, and main must not require ESM-only packages (@noble/*) from inside app.asar.
// Main keeps only the packages that carry native addons external (scripts/native-externals.ts);
// electron-builder ships those in node_modules, with the `*.node` files unpacked from the asar.
export default defineConfig({
  main: {
    build: {
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve(__dirname, 'src/main/index.ts') },
        external: nativeExternalPatterns(),
      },
    },
  },
  preload: {
    build: {
      externalizeDeps: false,
      rollupOptions: { input: { index: resolve(__dirname, 'src/preload/index.ts') } },
    },
  },
  renderer: {
    root: resolve(__dirname, 'src/renderer'),
    build: {
      rollupOptions: { input: { index: resolve(__dirname, 'src/renderer/index.html') } },
    },
    // devCspPlugin: the dev server only (HMR's styles and WebSocket); builds keep the strict CSP.
    plugins: [vue(), devCspPlugin()],
  },
});

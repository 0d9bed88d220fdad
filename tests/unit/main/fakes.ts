/**
 * Stand-ins for Electron's modules, which are the only thing these tests replace: Electron's
 * runtime cannot be downloaded on the machines that run them. Everything else (the core, the data
 * directory, sockets, crypto) is real.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { SafeStorageLike } from '../../../src/main/sealer.ts';

/**
 * A safeStorage look-alike (the asynchronous API): AES-256-GCM under a per-instance key, as the OS
 * keychain would hold one. `rotate()` stands for the keychain rotating its key: data encrypted
 * before it still decrypts, with shouldReEncrypt true.
 */
export function fakeSafeStorage(options: { available?: boolean; backend?: ReturnType<SafeStorageLike['getSelectedStorageBackend']> } = {}): SafeStorageLike & {
  calls: string[];
  rotate(): void;
} {
  const key = randomBytes(32);
  const calls: string[] = [];
  let generation = 1;
  return {
    calls,
    rotate: () => {
      generation += 1;
    },
    isAsyncEncryptionAvailable: async () => options.available ?? true,
    getSelectedStorageBackend: () => options.backend ?? 'gnome_libsecret',
    async encryptStringAsync(plain: string): Promise<Buffer> {
      calls.push('encrypt');
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
      return Buffer.concat([Buffer.of(generation), iv, body, c.getAuthTag()]);
    },
    async decryptStringAsync(cipher: Buffer): Promise<{ result: string; shouldReEncrypt: boolean }> {
      calls.push('decrypt');
      if (cipher.length < 29) throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
      const d = createDecipheriv('aes-256-gcm', key, cipher.subarray(1, 13));
      d.setAuthTag(cipher.subarray(cipher.length - 16));
      const result = Buffer.concat([d.update(cipher.subarray(13, cipher.length - 16)), d.final()]).toString('utf8');
      return { result, shouldReEncrypt: (cipher[0] ?? 0) < generation };
    },
  };
}

/** A method call seen by a recorder. */
export type Call = { readonly name: string; readonly args: readonly unknown[] };

/**
 * Passes every method call through to `target` (private fields and all) and writes it down; this
 * is how the tests see whether an IPC call reached the app or the service. Nothing is faked.
 */
export function recorder<T extends object>(target: T, calls: Call[], prefix: string): T {
  return new Proxy(target, {
    get(t, key) {
      const value: unknown = Reflect.get(t, key, t);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.push({ name: `${prefix}${String(key)}`, args });
        return (value as (...a: unknown[]) => unknown).apply(t, args);
      };
    },
  });
}

/**
 * The main window's webPreferences, written out here independently of src/main/window.ts so a
 * test fails if any of them changes: isolated, sandboxed, no Node, web security, no <webview>,
 * no Auxclick, DevTools only when asked for.
 */
export function expectedWebPreferences(preloadPath: string, devTools: boolean): Record<string, unknown> {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    experimentalFeatures: false,
    navigateOnDragDrop: false,
    spellcheck: false,
    safeDialogs: true,
    disableBlinkFeatures: 'Auxclick',
    devTools,
  };
}

/**
 * What `electron-vite build` emits (built once, into a temporary folder, with the project's own
 * config): main requires nothing from node_modules but the packages with native addons, and those
 * are exactly the ones that need it; electron-builder unpacks their addons from the asar.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STRICT_CSP } from '../../../scripts/csp.ts';
import { NATIVE_EXTERNALS, nativeExternalPatterns } from '../../../scripts/native-externals.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
let out: string;

beforeAll(() => {
  out = mkdtempSync(join(tmpdir(), 'parley-build-'));
  const bin = join(ROOT, 'node_modules/electron-vite/bin/electron-vite.js');
  const run = spawnSync(process.execPath, [bin, 'build', '--outDir', out, '--logLevel', 'error'], { cwd: ROOT, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`electron-vite build failed:\n${run.stderr}`);
}, 120_000);

afterAll(() => rmSync(out, { recursive: true, force: true }));

function requiresOf(file: string): string[] {
  return [...readFileSync(file, 'utf8').matchAll(/require\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1] ?? '');
}

type Pkg = { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> };
function pkgOf(name: string): Pkg | null {
  const file = join(ROOT, 'node_modules', name, 'package.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Pkg) : null;
}

/**
 * A package loads a native addon under Node if it has *.node files (prebuilds, or a node-gyp build
 * made at install). `"addon": true` alone does not count: the bare-* packages declare it for the Bare
 * runtime, and Node never loads them (sodium-native imports them only under the "bare" condition).
 */
function loadsAddon(name: string): boolean {
  if (pkgOf(name) === null) return false;
  const stack = [join(ROOT, 'node_modules', name)];
  while (stack.length > 0) {
    const dir = stack.pop() ?? '';
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory() && entry.name !== 'node_modules') stack.push(join(dir, entry.name));
      else if (entry.name.endsWith('.node')) return true;
    }
  }
  return false;
}

function closure(name: string, seen = new Set<string>()): Set<string> {
  if (seen.has(name)) return seen;
  seen.add(name);
  const pkg = pkgOf(name);
  for (const dep of Object.keys({ ...pkg?.dependencies, ...pkg?.optionalDependencies })) if (pkgOf(dep) !== null) closure(dep, seen);
  return seen;
}

describe('the main bundle', () => {
  it('the built index.html keeps the strict CSP (the dev policy is for the dev server only)', () => {
    const html = readFileSync(join(out, 'renderer/index.html'), 'utf8');
    expect(html).toContain(`http-equiv="Content-Security-Policy"`);
    expect(html).toContain(`content="${STRICT_CSP}"`);
    expect(html).not.toContain('unsafe-inline');
    expect(html).not.toContain('ws://');
  });

  it('requires only Electron, Node built-ins and the native-addon packages: @noble/*, valibot and the rest are inside it', () => {
    const requires = requiresOf(join(out, 'main/index.js'));
    expect(requires).toContain('electron');
    const builtins = new Set(builtinModules);
    const foreign = requires.filter((id) => id !== 'electron' && !id.startsWith('node:') && !builtins.has(id) && !NATIVE_EXTERNALS.some((n) => id === n || id.startsWith(`${n}/`)));
    expect(foreign).toEqual([]);
    expect(requires.some((id) => id.startsWith('@noble/') || id.startsWith('valibot'))).toBe(false);
  });

  it('the preload requires nothing but electron (a sandboxed preload cannot)', () => {
    expect(requiresOf(join(out, 'preload/index.js')).filter((id) => id !== 'electron')).toEqual([]);
  });

  it('the externals are exactly the packages that load a native addon and the dependencies that reach one', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Pkg;
    const expected = new Set<string>();
    for (const dep of Object.keys(pkg.dependencies ?? {})) {
      const reached = [...closure(dep)].filter(loadsAddon);
      for (const name of reached) expected.add(name);
      if (reached.length > 0) expected.add(dep);
    }
    expect([...NATIVE_EXTERNALS].sort()).toEqual([...expected].sort());
    expect(expected.has('sodium-native') && expected.has('udx-native')).toBe(true); // the scan does find them
  });

  it('the externals patterns match those packages and their files, nothing else', () => {
    const patterns = nativeExternalPatterns();
    const matches = (id: string): boolean => patterns.some((p) => (typeof p === 'string' ? p === id : p.test(id)));
    for (const id of ['hyperdht', 'hyperdht/lib/connect.js', 'sodium-native', 'udx-native', 'blind-relay']) expect(matches(id), id).toBe(true);
    for (const id of ['hyperdht-address', '@noble/hashes/sha2.js', 'valibot', 'sodium-universal', 'x/hyperdht']) expect(matches(id), id).toBe(false);
  });

  it('electron-builder unpacks every *.node from the asar and leaves the bundled packages out', () => {
    const yml = readFileSync(join(ROOT, 'electron-builder.yml'), 'utf8');
    expect(yml).toMatch(/^asarUnpack:\n\s+- "\*\*\/\*\.node"$/m);
    for (const name of ['@noble', 'valibot']) expect(yml).toContain(`"!**/node_modules/${name}/**"`);
    for (const name of NATIVE_EXTERNALS) expect(yml).not.toContain(`node_modules/${name}/`);
  });

  it('Linux: the .deb is the first target; nothing switches the sandbox off', () => {
    const yml = readFileSync(join(ROOT, 'electron-builder.yml'), 'utf8');
    expect(/^linux:\n(?:\s*#.*\n)*\s+target:\n\s+- (\S+)$/m.exec(yml)?.[1]).toBe('deb');
    expect(/^\s*[^#\s].*no-sandbox/m.test(yml)).toBe(false);
    expect(yml).not.toMatch(/^\s*executableArgs:/m);
    for (const file of ['src/main/index.ts', 'package.json', 'scripts/start.mjs']) expect(readFileSync(join(ROOT, file), 'utf8'), file).not.toContain('no-sandbox');
  });

  it('the fuses switch off file://’s extra privileges (the renderer is served from app://parley)', () => {
    const yml = readFileSync(join(ROOT, 'electron-builder.yml'), 'utf8');
    const fuses = /^electronFuses:\n((?:\s+.*\n)+)/m.exec(yml)?.[1] ?? '';
    expect(fuses).toMatch(/^\s+grantFileProtocolExtraPrivileges: false$/m);
    expect(fuses).toMatch(/^\s+runAsNode: false$/m);
  });
});

// `npm test`: every check the project has, in order, with one closing line `N passed, N failed, N skipped`.
// Typecheck, lint and the build count as one check each; Vitest and Playwright report their own tests.
// It installs what npm does not bring (Chromium for the end-to-end tests, iproute2 and nftables for
// the NAT lab) by itself.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';

const root = join(import.meta.dirname, '..');
const bin = join(root, 'node_modules', '.bin');
const env = { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` };
const reports = join(root, 'reports');
mkdirSync(reports, { recursive: true });

const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  console.error(`npm test needs Node 24 (found ${process.version}): the pinned 'node' devDependency was not installed; run npm ci.`);
  process.exit(1);
}

const totals = { passed: 0, failed: 0, skipped: 0 };
const failures = [];

function run(label, cmd, args, opts = {}) {
  console.log(`\n=== ${label}: ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: root, env: { ...env, ...opts.env }, stdio: opts.capture ? ['ignore', 'pipe', 'inherit'] : 'inherit', encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (opts.capture) process.stdout.write(r.stdout ?? '');
  return r;
}

function check(label, cmd, args) {
  const r = run(label, cmd, args);
  if (r.status === 0) totals.passed += 1;
  else {
    totals.failed += 1;
    failures.push(label);
  }
}

function hasE2eTests() {
  const dir = join(root, 'tests', 'e2e');
  return existsSync(dir) && readdirSync(dir).some((f) => f.endsWith('.spec.ts'));
}

/** Chromium for Playwright: the system one if present, else apt (root on Debian), else Playwright's download. */
function ensureChromium() {
  if (process.env.PARLEY_CHROMIUM && existsSync(process.env.PARLEY_CHROMIUM)) return process.env.PARLEY_CHROMIUM;
  if (existsSync('/usr/bin/chromium')) return '/usr/bin/chromium';
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot && existsSync('/usr/bin/apt-get')) {
    run('install chromium (apt)', 'sh', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null']);
    if (existsSync('/usr/bin/chromium')) return '/usr/bin/chromium';
  }
  const r = run('install chromium (playwright)', 'npx', ['playwright', 'install', 'chromium']);
  return r.status === 0 ? '' : null;
}

/**
 * The NAT lab (tests/lab) needs `ip` (iproute2) and `nft` (nftables) as root: install them with apt
 * where missing, as Chromium is. Without root the lab tests skip and say why.
 */
function ensureLabTools() {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const has = (tool) => spawnSync(tool, ['-V'], { stdio: 'ignore' }).status === 0;
  if (!isRoot || !existsSync('/usr/bin/apt-get') || (has('ip') && has('nft'))) return;
  run('install iproute2 nftables (apt)', 'sh', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq iproute2 nftables >/dev/null']);
}

ensureLabTools();

check('typecheck (node)', 'tsc', ['--noEmit', '-p', 'tsconfig.node.json']);
check('typecheck (web)', 'vue-tsc', ['--noEmit', '-p', 'tsconfig.web.json']);
check('lint', 'eslint', ['--max-warnings', '0', '.']);

const vitestJson = join(reports, 'vitest.json');
const vt = run('unit, integration and renderer tests', 'vitest', ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${vitestJson}`], { capture: true });
// Vitest colours its output; strip the escapes before looking for the vector summary lines.
const vectorLines = (vt.stdout ?? '')
  .split('\n')
  .map((l) => stripVTControlCharacters(l).trim())
  .filter((l) => l.startsWith('[vectors]'));
if (existsSync(vitestJson)) {
  const j = JSON.parse(readFileSync(vitestJson, 'utf8'));
  totals.passed += j.numPassedTests;
  totals.failed += j.numFailedTests;
  totals.skipped += j.numPendingTests + j.numTodoTests;
  if (j.numFailedTests > 0 || vt.status !== 0) failures.push('vitest');
  if (vt.status !== 0 && j.numFailedTests === 0) totals.failed += 1; // e.g. a suite that failed to load
} else {
  totals.failed += 1;
  failures.push('vitest (no report)');
}

check('build (electron-vite)', 'electron-vite', ['build']);

if (hasE2eTests()) {
  const chromium = ensureChromium();
  if (chromium === null) {
    totals.failed += 1;
    failures.push('chromium install');
  } else {
    const pwJson = join(reports, 'playwright.json');
    const pw = run('end-to-end tests (Playwright)', 'playwright', ['test', '--reporter=list,json'], {
      env: { PLAYWRIGHT_JSON_OUTPUT_NAME: pwJson, ...(chromium ? { PARLEY_CHROMIUM: chromium } : {}) },
    });
    if (existsSync(pwJson)) {
      const s = JSON.parse(readFileSync(pwJson, 'utf8')).stats;
      totals.passed += s.expected + s.flaky;
      totals.failed += s.unexpected;
      totals.skipped += s.skipped;
      if (s.unexpected > 0 || pw.status !== 0) failures.push('playwright');
      if (pw.status !== 0 && s.unexpected === 0) totals.failed += 1;
    } else {
      totals.failed += 1;
      failures.push('playwright (no report)');
    }
  }
}

if (vectorLines.length > 0) console.log(`\nPublished vector sets:\n${vectorLines.join('\n')}`);
if (failures.length > 0) console.log(`\nFailed: ${failures.join(', ')}`);
console.log(`\n${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(failures.length > 0 ? 1 : 0);

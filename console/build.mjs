#!/usr/bin/env node
// Builds the operator console (console/src → dist/console) when its inputs changed since the
// last build. Plain Node, no dependencies: the bootstrap calls it before the server starts and
// before the tests; browser tests call it too, so they never run against a stale build.
// Usage: node console/build.mjs [--force]
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const consoleDist = path.join(root, 'dist', 'console');
const stampFile = path.join(consoleDist, '.build-stamp');
const lockDir = path.join(root, 'dist', '.console-build.lock');
/** A lock older than this was left by a build that died. */
const STALE_LOCK_MS = 5 * 60_000;

/** Everything the bundle is made from: the app, the protocol it imports, the build config, the locked dependencies. */
const INPUTS = ['console/src', 'protocol', 'vite.config.ts', 'console/tsconfig.json', 'package-lock.json', 'console/build.mjs'];

function files(rel) {
  const abs = path.join(root, rel);
  if (!existsSync(abs)) return [];
  if (statSync(abs).isFile()) return [rel];
  return readdirSync(abs, { withFileTypes: true })
    .filter((d) => !d.name.endsWith('.test.ts'))
    .flatMap((d) => files(path.join(rel, d.name)));
}

/** A hash of the inputs' paths and contents (not mtimes: a fresh clone has new mtimes and the same sources). */
export function inputHash() {
  const h = createHash('sha256');
  for (const rel of INPUTS.flatMap(files).sort()) {
    h.update(rel).update('\0').update(readFileSync(path.join(root, rel))).update('\0');
  }
  return h.digest('hex');
}

const fresh = (hash) => existsSync(path.join(consoleDist, 'index.html')) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === hash;

async function withLock(fn) {
  mkdirSync(path.dirname(lockDir), { recursive: true });
  for (let waited = 0; ; waited += 200) {
    try {
      mkdirSync(lockDir);
      break;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      if (Date.now() - statSync(lockDir, { throwIfNoEntry: false })?.mtimeMs > STALE_LOCK_MS) rmSync(lockDir, { recursive: true, force: true });
      if (waited > STALE_LOCK_MS) throw new Error(`another console build holds ${lockDir}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

/**
 * Brotli and gzip copies of the scripts and styles, made once here, so the server sends
 * them compressed (@fastify/static preCompressed) without compressing on every request.
 */
function precompress(dir) {
  for (const name of readdirSync(dir)) {
    if (!/\.(js|css)$/.test(name)) continue;
    const file = path.join(dir, name);
    const data = readFileSync(file);
    writeFileSync(`${file}.br`, brotliCompressSync(data, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11 } }));
    writeFileSync(`${file}.gz`, gzipSync(data, { level: 9 }));
  }
}

/**
 * Builds unless the last build was made from the same inputs. Returns 'fresh' or 'built';
 * throws with vite's output when the build fails.
 */
export async function ensureConsoleBuilt({ force = false, log = () => undefined } = {}) {
  if (!force && fresh(inputHash())) return 'fresh';
  return withLock(() => {
    // Another process may have built it while this one waited for the lock.
    const hash = inputHash();
    if (!force && fresh(hash)) return 'fresh';
    const vite = path.join(root, 'node_modules', 'vite', 'bin', 'vite.js');
    if (!existsSync(vite)) {
      throw new Error('vite is not installed (npm ci installs it; an --omit=dev install cannot build the console)');
    }
    log('building the operator console (vite)…');
    const t0 = Date.now();
    // Always a production build: a caller's NODE_ENV (vitest sets "test") would make vite bundle React's development build.
    const r = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], { cwd: root, encoding: 'utf8', env: { ...process.env, NODE_ENV: 'production' } });
    if (r.status !== 0) throw new Error(`console build failed:\n${(r.stdout + r.stderr).trim()}`);
    precompress(path.join(consoleDist, 'assets'));
    writeFileSync(stampFile, hash);
    log(`operator console built in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    return 'built';
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  ensureConsoleBuilt({ force: process.argv.includes('--force'), log: (m) => process.stdout.write(`[console] ${m}\n`) })
    .then((result) => { if (result === 'fresh') process.stdout.write('[console] up to date\n'); })
    .catch((err) => {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    });
}

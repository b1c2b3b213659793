#!/usr/bin/env node
// The two entry commands' bootstrap. Plain Node with no dependencies, because its first
// job is to install them. Usage: bootstrap.mjs start | test | run -- <command...>
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Supervisor } from './supervisor.mjs';
import { recordSignIn, signInLines } from './sign-in.mjs';
import { ensureConsoleBuilt } from '../console/build.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dataDir = path.resolve(root, process.env.LIVEHOST_DATA_DIR ?? 'data');
const mode = process.argv[2] ?? 'start';
const say = (msg) => process.stdout.write(`[livehost] ${msg}\n`);

/** System programs each mode needs, and the Debian package that provides each. */
const PROGRAMS = {
  'redis-server': 'redis-server',
  'redis-cli': 'redis-tools',
  ffmpeg: 'ffmpeg',
  ffprobe: 'ffmpeg',
  flite: 'flite',
  'espeak-ng': 'espeak-ng',
  chromium: 'chromium',
  // The load-balancer test puts three server instances behind a local HAProxy.
  haproxy: 'haproxy',
};
const NEEDED = {
  start: ['redis-server', 'redis-cli', 'ffmpeg', 'ffprobe', 'flite', 'espeak-ng'],
  test: ['redis-server', 'redis-cli', 'ffmpeg', 'ffprobe', 'flite', 'espeak-ng', 'chromium', 'haproxy'],
  run: ['redis-server', 'redis-cli', 'ffmpeg', 'ffprobe', 'flite', 'espeak-ng'],
};
// Fonts are data, not programs: the reference renderer draws captions with them.
const PACKAGES = { start: ['fonts-dejavu-core'], test: ['fonts-dejavu-core'], run: ['fonts-dejavu-core'] };

// Debian puts haproxy in /usr/sbin, which is not on a normal user's PATH.
function which(program) {
  return spawnSync('sh', ['-c', `command -v ${program} || [ -x /usr/sbin/${program} ]`], { stdio: 'ignore' }).status === 0;
}
function hasPackage(pkg) {
  return spawnSync('dpkg', ['-s', pkg], { stdio: 'ignore' }).status === 0;
}

function ensureNodeModules() {
  const marker = path.join(root, 'node_modules', '.package-lock.json');
  const lock = path.join(root, 'package-lock.json');
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return;
  say('installing npm dependencies (npm ci)…');
  const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('npm ci failed');
}

/** Installs missing Debian packages when root; otherwise returns the command to run. */
function ensureSystem(kind) {
  const missingPrograms = NEEDED[kind].filter((p) => !which(p));
  const packages = new Set(missingPrograms.map((p) => PROGRAMS[p]));
  if (spawnSync('sh', ['-c', 'command -v dpkg'], { stdio: 'ignore' }).status === 0) {
    for (const pkg of PACKAGES[kind]) if (!hasPackage(pkg)) packages.add(pkg);
  }
  if (packages.size === 0) return null;
  const list = [...packages].join(' ');
  const command = `apt-get update && apt-get install -y --no-install-recommends ${list}`;
  if (process.getuid?.() === 0 && which('apt-get')) {
    say(`installing system packages: ${list}`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const up = spawnSync('apt-get', ['update'], { stdio: 'inherit', env });
    const inst = up.status === 0
      ? spawnSync('apt-get', ['install', '-y', '--no-install-recommends', ...packages], { stdio: 'inherit', env })
      : up;
    if (inst.status === 0) return null;
  }
  return `sudo sh -c '${command}'`;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function redisAnswers(port) {
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    let buf = '';
    sock.setTimeout(500, () => { sock.destroy(); resolve(false); });
    sock.on('connect', () => sock.write('PING\r\n'));
    sock.on('data', (d) => { buf += d; if (buf.includes('PONG')) { sock.end(); resolve(true); } });
    sock.on('error', () => resolve(false));
  });
}

/**
 * Starts the project's own redis-server (AOF on) on a free loopback port. The supervisor
 * restarts it with the same arguments — same port, same directory, same AOF — so a
 * killed Redis comes back with its data and every component reconnects to it.
 */
async function startRedis(dir, supervisor) {
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  supervisor.spawnChild('redis', 'redis-server', [
    '--port', String(port), '--bind', '127.0.0.1', '--dir', dir,
    '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '',
    '--protected-mode', 'yes', '--loglevel', 'warning',
  ], { stopOrder: 1 });
  for (let i = 0; i < 100; i++) {
    if (await redisAnswers(port)) return `redis://127.0.0.1:${port}`;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`redis-server did not answer on port ${port}`);
}

/** Secrets for one machine, generated once and kept with mode 0600. */
function loadSecrets() {
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, 'secrets.json');
  if (!existsSync(file)) {
    const secrets = {
      jwtSecret: randomBytes(32).toString('base64url'),
      publishSecret: randomBytes(32).toString('base64url'),
    };
    writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  }
  chmodSync(file, 0o600);
  return JSON.parse(readFileSync(file, 'utf8'));
}

/** Components that exist, in start order. Later issues add theirs by adding a main.ts. */
const COMPONENTS = [
  ['gateway', 'stream-gateway/main.ts'],
  ['server', 'server/main.ts'],
  ['workers', 'workers/main.ts'],
  ['render', 'render-bridge/main.ts'],
];

async function main() {
  ensureNodeModules();
  const install = ensureSystem(mode === 'test' ? 'test' : mode === 'run' ? 'run' : 'start');
  if (install) {
    if (mode !== 'test') {
      say(`missing system programs. Run:\n  ${install}\nthen try again.`);
      process.exit(1);
    }
    // Tests report each missing program as a failing test with this command in it.
    process.env.LIVEHOST_INSTALL_HINT = install;
  }

  const supervisor = new Supervisor({ log: say, pidFile: path.join(dataDir, 'pids.json') });
  supervisor.handleSignals();
  const secrets = loadSecrets();
  const env = {
    LIVEHOST_JWT_SECRET: secrets.jwtSecret,
    LIVEHOST_PUBLISH_SECRET: secrets.publishSecret,
    LIVEHOST_DATA_DIR: dataDir,
    // The stack is Node 20; the AWS SDK's notice that 2027 releases need Node 22 is in the
    // README, not in every start's log.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...process.env,
  };
  if (!process.env.REDIS_URL) {
    const dir = path.join(dataDir, mode === 'test' ? 'redis-test' : 'redis');
    env.REDIS_URL = await startRedis(dir, supervisor);
    say(`redis-server started at ${env.REDIS_URL} (AOF in ${path.relative(root, dir)})`);
  }
  const tsx = ['--import', 'tsx'];

  if (mode === 'test') {
    const steps = [
      ['typecheck', 'npx', ['tsc', '--noEmit', '-p', 'tsconfig.json']],
      ['typecheck console', 'npx', ['tsc', '--noEmit', '-p', 'console/tsconfig.json']],
      ['lint', 'npx', ['eslint', '.']],
      ['console build', process.execPath, ['console/build.mjs']],
      ['vitest', 'npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${path.join(dataDir, 'vitest-report.json')}`]],
    ];
    let failed = [];
    rmSync(path.join(dataDir, 'vitest-report.json'), { force: true });
    for (const [name, cmd, args] of steps) {
      say(`${name}…`);
      const code = await supervisor.runForeground(cmd, args, { env });
      if (code !== 0) failed.push(name);
    }
    await supervisor.stopAll();
    if (failed.length) say(`failed: ${failed.join(', ')}`);
    // One plain closing line with the counts, for readers that do not parse Vitest's output.
    try {
      const report = JSON.parse(readFileSync(path.join(dataDir, 'vitest-report.json'), 'utf8'));
      process.stdout.write(`${report.numPassedTests} passed, ${report.numFailedTests} failed\n`);
    } catch {
      process.stdout.write('0 passed, 1 failed\n');
    }
    process.exit(failed.length ? 1 : 0);
  }

  if (mode === 'run') {
    const cmd = process.argv.slice(process.argv.indexOf('--') + 1);
    const code = await supervisor.runForeground('npx', cmd, { env });
    await supervisor.stopAll();
    process.exit(code);
  }

  const issue = (...args) => {
    const r = spawnSync(process.execPath, [...tsx, 'server/issue-token.ts', ...args], { cwd: root, env, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`could not issue a token: ${r.stderr.trim()}`);
    return JSON.parse(r.stdout).token;
  };
  const adminToken = issue('--role', 'admin', '--label', 'bootstrap');
  // The local render host gets its own token, scoped to its host id.
  const port = env.PORT ?? '8080';
  const hostEnv = {
    ...env, LIVEHOST_HOST_TOKEN: env.LIVEHOST_HOST_TOKEN ?? issue('--role', 'render-host', '--host-id', 'local-1', '--label', 'local render host'),
    // The local host talks to this server, on whatever PORT it was given.
    LIVEHOST_SERVER_URL: env.LIVEHOST_SERVER_URL ?? `ws://127.0.0.1:${port}`,
  };

  await ensureConsoleBuilt({ log: say });
  const present = COMPONENTS.filter(([, entry]) => existsSync(path.join(root, entry)));
  // On one machine the render host would take the CPU synthesis and the server need: it runs niced.
  const renderNice = Number(env.LIVEHOST_RENDER_NICE ?? 5);
  for (const [name, entry] of present) {
    supervisor.spawnChild(name, process.execPath, [...tsx, entry], { env: name === 'render' ? hostEnv : env, cwd: root, nice: name === 'render' ? renderNice : 0 });
  }
  const base = `http://127.0.0.1:${port}`;
  await waitForServer(base);
  await seedDemoRoom(base, adminToken);
  const file = path.join(dataDir, 'bootstrap.json');
  const { consoleUrl } = recordSignIn({ file, base, adminToken });
  const where = path.relative(root, file) || file;
  for (const line of signInLines({ base, consoleUrl, where, terminal: Boolean(process.stdout.isTTY) })) say(line);
}

async function waitForServer(base) {
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`${base}/readyz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the server did not become ready at ${base}`);
}

/** A first run gets a demo show, so the page has something to watch and ask about. */
async function seedDemoRoom(base, token) {
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const { rooms } = await (await fetch(`${base}/api/rooms`, { headers })).json();
  if (rooms.length > 0) return;
  const demo = JSON.parse(readFileSync(path.join(root, 'scripts/demo-room.json'), 'utf8'));
  const created = await fetch(`${base}/api/rooms`, { method: 'POST', headers, body: JSON.stringify(demo.room) });
  if (!created.ok) return say(`could not create the demo room: ${await created.text()}`);
  await fetch(`${base}/api/rooms/${demo.room.id}/kb`, { method: 'PUT', headers, body: JSON.stringify(demo.kb) });
  // A library and a run of show, so a new user sees a show run by itself: go is pressed here.
  const steps = [
    ['POST', `/api/rooms/${demo.room.id}/library?mode=replace`, demo.library],
    ['PUT', `/api/rooms/${demo.room.id}/rundown`, demo.rundown],
    ['POST', `/api/rooms/${demo.room.id}/show`, { name: 'show.go' }],
  ];
  for (const [method, url, body] of steps) {
    const res = await fetch(`${base}${url}`, { method, headers, body: JSON.stringify(body) });
    if (!res.ok) return say(`could not prepare the demo show (${method} ${url}): ${await res.text()}`);
  }
  say(`created the demo room "${demo.room.id}": a knowledge base, a library and a rundown, on air now`);
}

main().catch((err) => {
  say(`bootstrap failed: ${err.message}`);
  process.exit(1);
});

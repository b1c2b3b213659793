import { afterEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { QUEUES, redisKeys, type QaJobData, type SegmentReady, type TtsJobData } from '../protocol/index.js';
import { startOpenAiServer, type OpenAiServer } from '../test/helpers/openai-server.js';
import { deletePrefix, redisUrl, testPrefix } from '../test/helpers/redis.js';

/**
 * The workers process as the supervisor runs it: `node --import tsx workers/main.ts`,
 * against real Redis, a real LLM endpoint (local), real flite and the local asset store.
 */
const root = path.resolve(import.meta.dirname, '..');

interface Child {
  proc: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

const children: Child[] = [];
const cleanups: Array<() => Promise<void> | void> = [];

function startWorkers(env: Record<string, string>): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'workers/main.ts'], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  proc.stderr!.on('data', (d: Buffer) => { out += d.toString(); });
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  const child = { proc, output: () => out, exited };
  children.push(child);
  return child;
}

async function until<T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

afterEach(async () => {
  for (const c of children.splice(0)) {
    if (c.proc.exitCode === null && c.proc.signalCode === null) {
      c.proc.kill('SIGKILL');
      await c.exited;
    }
  }
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

function fixture(): { prefix: string; dataDir: string } {
  const prefix = testPrefix('workers');
  const dataDir = mkdtempSync(path.join(tmpdir(), 'livehost-workers-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }), () => deletePrefix(prefix));
  return { prefix, dataDir };
}

describe('workers process', () => {
  it('refuses to start on bad configuration, naming the variable', async () => {
    const { prefix, dataDir } = fixture();
    const child = startWorkers({ LIVEHOST_REDIS_PREFIX: prefix, LIVEHOST_DATA_DIR: dataDir, LIVEHOST_QA_CONCURRENCY: 'lots' });
    expect(await child.exited).toBe(78);
    expect(child.output()).toContain('LIVEHOST_QA_CONCURRENCY');
  });

  it('stops cleanly on SIGTERM', async () => {
    const { prefix, dataDir } = fixture();
    const child = startWorkers({ LIVEHOST_REDIS_PREFIX: prefix, LIVEHOST_DATA_DIR: dataDir });
    await until('workers ready', () => child.output().includes('workers ready'));
    child.proc.kill('SIGTERM');
    expect(await child.exited).toBe(0);
    expect(child.output()).toContain('workers stopped');
  });

  it('after a SIGKILL mid-answer, a new process finishes it with exactly one segment per line', async () => {
    const { prefix, dataDir } = fixture();
    // Slow enough that the process is killed while the model is still writing line 2.
    const server: OpenAiServer = await startOpenAiServer({
      firstTokenMs: 50, tokensPerSecond: 10,
      reply: () => 'Hello and welcome. This second line arrives rather slowly indeed. Bye now.',
    });
    cleanups.push(() => server.close());
    const env = {
      LIVEHOST_REDIS_PREFIX: prefix, LIVEHOST_DATA_DIR: dataDir, OPENAI_BASE_URL: server.url, LIVEHOST_LLM_MODEL: 'test',
      // A short job lock so the second process takes the dead one's job over quickly.
      LIVEHOST_JOB_LOCK_MS: '1000', LIVEHOST_QA_CONCURRENCY: '1',
    };
    const connection = { url: redisUrl() };
    const bullPrefix = redisKeys(prefix).bullPrefix;
    const qa = new Queue<QaJobData>(QUEUES.qa, { connection, prefix: bullPrefix });
    const tts = new Queue<TtsJobData>(QUEUES.tts, { connection, prefix: bullPrefix });
    const segments = new Queue<SegmentReady>(QUEUES.segments, { connection, prefix: bullPrefix });
    cleanups.push(() => Promise.all([qa.close(), tts.close(), segments.close()]).then(() => undefined));
    const allStates = ['waiting', 'prioritized', 'active', 'completed', 'failed', 'delayed'] as const;

    const first = startWorkers(env);
    await until('workers ready', () => first.output().includes('workers ready'));
    await qa.add('answer', {
      room: 'room-1', questionId: 'q-crash', question: 'Hi?',
      context: {
        language: 'en-US', persona: 'A host.', answers: 'openai', fallbackLine: 'One moment.',
        blocklist: [], maxAnswerChars: 400, voice: { provider: 'flite', voice: 'en-US-male' },
      },
    }, { jobId: 'q-crash', attempts: 3 });

    await until('the first segment', async () => (await segments.getJobCounts(...allStates)).waiting! > 0 || (await segments.getJob('q-crash.0')));
    first.proc.kill('SIGKILL');
    await first.exited;
    expect(server.doneAt[0]).toBeUndefined(); // killed mid-answer

    const second = startWorkers(env);
    await until('the answer to complete', async () => (await qa.getJobState('q-crash')) === 'completed', 20_000);
    await until('three segments', async () => (await segments.getJobs([...allStates])).length >= 3);
    second.proc.kill('SIGTERM');
    await second.exited;

    const landed = await segments.getJobs([...allStates]);
    expect(landed.map((j) => j.data.segmentId).sort()).toEqual(['q-crash.0', 'q-crash.1', 'q-crash.2']);
    expect(landed.map((j) => j.id).sort()).toEqual(['q-crash.0', 'q-crash.1', 'q-crash.2']);
    const byId = Object.fromEntries(landed.map((j) => [j.data.segmentId, j.data]));
    expect(byId['q-crash.0']).toMatchObject({ text: 'Hello and welcome.', final: false });
    expect(byId['q-crash.2']).toMatchObject({ text: 'Bye now.', final: true });
    expect(byId['q-crash.0']!.durationMs).toBeGreaterThan(0);
    expect((await tts.getJobs([...allStates])).map((j) => j.id).sort()).toEqual(['q-crash.0', 'q-crash.1', 'q-crash.2']);
    // The job really ran twice: once in the killed process, once in its successor.
    expect(server.requests.length).toBe(2);
  });
});

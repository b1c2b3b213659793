import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { createRedis } from '../../protocol/redis-connection.js';
import { QUEUES, redisKeys } from '../../protocol/bus.js';
import { showKeys } from '../../server/show/show-keys.js';
import { startLocalSentinelSet, type LocalSentinelSet } from '../../scripts/local-redis/sentinel.js';
import { startServer, TEST_JWT_SECRET, TEST_PUBLISH_SECRET, type TestServer } from '../helpers/server.js';
import { testPrefix } from '../helpers/redis.js';
import { startPart, type Part } from '../helpers/processes.js';
import { TestClient } from '../helpers/ws-client.js';
import { FakeHost } from '../helpers/fake-host.js';

async function queueCounts(url: string, prefix: string): Promise<Record<string, Record<string, number>>> {
  const out: Record<string, Record<string, number>> = {};
  for (const name of Object.values(QUEUES)) {
    const q = new Queue(name, { connection: createRedis(url), prefix: redisKeys(prefix).bullPrefix });
    try {
      out[name] = await q.getJobCounts('wait', 'active', 'delayed', 'prioritized', 'completed', 'failed');
      out[`${name} workers`] = { count: (await q.getWorkers()).length };
    } finally {
      await q.close();
    }
  }
  return out;
}

type Ev = { kind: string; lineId?: string; interrupted?: boolean };
const ev = (f: Record<string, unknown>) => f.event as Ev;

// A primary, a replica and three sentinels (scripts/local-redis/sentinel.ts); the server and
// the workers know only REDIS_URL=redis+sentinel://…. The primary is killed with SIGKILL in
// the middle of a looping show; the sentinels promote the replica.
describe('a Redis primary killed mid-show behind Sentinel', () => {
  let set: LocalSentinelSet;
  let srv: TestServer;
  let workers: Part;
  let host: FakeHost;
  let op: TestClient;
  let dir: string;
  const texts = ['Line one of the loop.', 'Line two of the loop.', 'Line three of the loop.'];

  beforeAll(async () => {
    set = await startLocalSentinelSet({ downAfterMs: 1000 });
    dir = mkdtempSync(path.join(tmpdir(), 'livehost-sentinel-show-'));
    srv = await startServer({ redisUrl: set.url, directorLeaseMs: 3000 }, testPrefix('sentinel'));
    workers = await startPart('workers/main.ts', {
      REDIS_URL: set.url, LIVEHOST_REDIS_PREFIX: srv.prefix, LIVEHOST_DATA_DIR: dir, LIVEHOST_ANSWERS: 'kb',
      LIVEHOST_JWT_SECRET: TEST_JWT_SECRET, LIVEHOST_PUBLISH_SECRET: TEST_PUBLISH_SECRET,
    }, /workers ready/, 90_000);
  }, 150_000);

  afterAll(async () => {
    host?.close();
    op?.close();
    await workers?.stop('SIGKILL');
    await srv?.close().catch(() => undefined);
    await set?.stop();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('the show goes on after the failover; what was lost is counted exactly', async () => {
    const auth = { authorization: `Bearer ${srv.adminToken}` };
    expect((await srv.app.inject({ method: 'POST', url: '/api/rooms', headers: auth, payload: { id: 'show', name: 'Show' } })).statusCode).toBe(201);
    await srv.core.rooms.putKb('show', { qa: [{ question: 'Is the show still on?', answer: 'Yes, the show goes on.' }], facts: [] });
    const put = await srv.app.inject({
      method: 'PUT', url: '/api/rooms/show/rundown', headers: auth,
      payload: { version: 0, segments: [{ id: 'loop', title: 'Loop', plannedMs: 60_000, start: { rule: 'follow' }, loop: true, items: texts.map((text) => ({ kind: 'line', text })) }] },
    });
    expect(put.statusCode).toBe(200);
    host = await FakeHost.connect(srv.wsUrl, await srv.token({ role: 'render-host', hostId: 'h1' }), { playMs: () => 400 });
    op = await TestClient.connect(`${srv.wsUrl}/ws/operator`, srv.adminToken);
    op.send({ type: 'room.subscribe', id: 's', room: 'show' });
    await op.next((f) => f.type === 'ack' && f.ref === 's');
    const redis = createRedis(set.url);
    try {
      for (let i = 0; i < 600; i++) {
        const prepared = await redis.hvals(showKeys(srv.prefix, 'show').prepared);
        if (prepared.length === 3 && prepared.every((p) => JSON.parse(p).status === 'ready')) break;
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      redis.disconnect();
    }
    expect((await srv.app.inject({ method: 'POST', url: '/api/rooms/show/show', headers: auth, payload: { name: 'show.go' } })).statusCode).toBe(200);
    await host.waitPlayed(4, 60_000);

    // Mid-line: the primary dies without a word.
    await host.started(host.played.length);
    const old = await set.primary();
    const playedBefore = host.played.filter((p) => p.endedAt !== null).length;
    const killedAt = Date.now();
    await old.kill();
    const promoted = await set.failedOver(old, 60_000);
    const failoverMs = Date.now() - killedAt;
    await host.waitPlayed(playedBefore + 6, 90_000).catch(async (err: unknown) => {
      // Seen once in ~20 runs with both cores busy: the show stopped after the failover. Say where.
      const view = await srv.core.show.view('show').catch((e: Error) => `view failed: ${e.message}`);
      process.stdout.write(`[sentinel failover] the show stopped; promoted ${failoverMs} ms after the kill\n`
        + `directing here: ${JSON.stringify(srv.core.show.ownedRooms)}, loaded ${srv.core.show.local('show')?.loaded}\n`
        + `show ${JSON.stringify(view).slice(0, 3000)}\nhost played ${JSON.stringify(host.played.slice(-4))}\n`
        + `operator frames (tail) ${JSON.stringify(op.frames.slice(-15)).slice(0, 4000)}\n`);
      throw err;
    });

    // A command and a question after the failover: relayed, acknowledged, answered on air.
    // A client refused as `unavailable` sends again after a pause, as the protocol asks (seen
    // once with both cores busy: a connection of the server not back yet when the show was).
    const refused: string[] = [];
    const untilTaken = async (client: TestClient, frame: (id: string) => object, taken: string) => {
      for (let attempt = 0; ; attempt++) {
        const id = `after-${taken}-${attempt}`;
        client.send(frame(id));
        const reply = await client.next((f) => f.ref === id && (f.type === taken || f.type === 'error'), 30_000);
        if (reply.type !== 'error' || reply.code !== 'unavailable' || attempt === 20) return reply;
        refused.push(`${taken}: ${String(reply.message)}`);
        await new Promise((r) => setTimeout(r, 250 * Math.min(attempt + 1, 4)));
      }
    };
    expect(await untilTaken(op, (id) => ({ type: 'command', id, room: 'show', command: { name: 'caption', text: 'still here' } }), 'command.ack')).toMatchObject({ ok: true });
    const bot = await TestClient.connect(`${srv.wsUrl}/ws/bot`, await srv.token({ role: 'bot', rooms: ['show'] }));
    try {
      expect(await untilTaken(bot, (id) => ({ type: 'question', id, user: { id: 'v1', name: 'Ana' }, text: 'Is the show still on?' }), 'question.ack')).toMatchObject({ type: 'question.ack' });
      const answered = await bot.next((f) => f.type === 'question.answered', 90_000).catch(async (err: unknown) => {
        // Seen once in ~11 loaded runs: acknowledged, never answered. Say where the answer stopped.
        process.stdout.write(`[sentinel failover] no answer; queues ${JSON.stringify(await queueCounts(set.url, srv.prefix))}\n`
          + `bot frames ${JSON.stringify(bot.frames)}\nworkers' log (tail):\n${workers.output().slice(-6000)}\n`);
        throw err;
      });
      expect(answered).toMatchObject({ text: 'Yes, the show goes on.' });
    } finally {
      bot.close();
    }

    // The loop went on in its order; at most the line on air at the kill aired twice (the
    // director's record of it may not have reached the replica).
    const loop = host.played.filter((p) => p.priority === 'script');
    let repeats = 0;
    for (let i = 1; i < loop.length; i++) {
      const prev = texts.indexOf(loop[i - 1]!.text);
      const cur = texts.indexOf(loop[i]!.text);
      if (cur === prev) repeats++;
      else expect(cur).toBe((prev + 1) % 3);
    }
    expect(repeats).toBeLessThanOrEqual(1);
    let silence = 0;
    for (let i = 1; i < host.played.length; i++) silence = Math.max(silence, host.played[i]!.startedAt - (host.played[i - 1]!.endedAt ?? host.played[i]!.startedAt));
    // The as-run log is what the host reported: every line it finished is there, or it is one
    // of the writes the replica had not received when the primary died.
    const asRun = await srv.app.inject({ method: 'GET', url: '/api/rooms/show/as-run?limit=1000', headers: auth });
    expect(asRun.statusCode).toBe(200);
    const logged = new Set((asRun.json() as { entries: Array<{ lineId: string; startedAt: number }> }).entries.map((e) => `${e.lineId}@${e.startedAt}`));
    const finished = host.played.filter((p) => p.endedAt !== null && !p.interrupted);
    const finishedReports = op.frames.filter((f) => f.type === 'room.event' && ev(f).kind === 'speech.finished' && !ev(f).interrupted).length;
    const missing = Math.max(0, finished.length - logged.size);
    // Operator frames on one socket: numbered without a gap or a repeat across the failover.
    const seqs = op.frames.filter((f) => typeof f.seq === 'number').map((f) => f.seq as number);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => seqs[0]! + i));
    process.stdout.write(`[sentinel failover] primary 127.0.0.1:${old.port} killed; 127.0.0.1:${promoted.port} promoted after ${failoverMs} ms; `
      + `longest silence at the host ${silence} ms; loop lines aired twice: ${repeats}; lines finished ${finished.length}, reported to operators ${finishedReports}, `
      + `in the as-run log ${logged.size} (missing ${missing}); operator frames ${seqs.length}, none missing or repeated; `
      + `refused as unavailable after the failover, then sent again: ${refused.length ? refused.join('; ') : 'none'}; `
      + `workers replaced by the stuck-worker watchdog: ${workers.output().split('worker stopped taking jobs').length - 1}\n`);
    expect(missing).toBeLessThanOrEqual(1);
  }, 300_000);
});

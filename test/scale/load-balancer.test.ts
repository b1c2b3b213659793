import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis } from '../../protocol/redis-connection.js';
import { TokenService } from '../../server/auth/token-service.js';
import { showKeys } from '../../server/show/show-keys.js';
import { freePort } from '../../stream-gateway/free-port.js';
import { startLocalBalancer, type LocalBalancer } from '../../scripts/local-lb/haproxy.js';
import { until } from '../../scripts/local-redis/redis-process.js';
import { TEST_JWT_SECRET, TEST_PUBLISH_SECRET } from '../helpers/server.js';
import { deletePrefix, redisUrl, testPrefix } from '../helpers/redis.js';
import { startPart, type Part } from '../helpers/processes.js';
import { ResumingClient } from '../helpers/resuming-client.js';
import { FakeHost } from '../helpers/fake-host.js';

type Ev = { kind: string; segmentId?: string; interrupted?: boolean };
type Frame = Record<string, unknown> & { type: string };
const ev = (f: Frame) => f.event as Ev;
const isEvent = (kind: string) => (f: Frame) => f.type === 'room.event' && ev(f).kind === kind;

const texts = ['Line one of the loop.', 'Line two of the loop.', 'Line three of the loop.'];
const kb = {
  qa: [
    { question: 'Is the show still on?', answer: 'Yes, the show goes on.' },
    { question: 'Which instance answers me?', answer: 'Any of them, it does not matter.' },
    { question: 'What colour is the presenter wearing?', answer: 'A blue jacket today.' },
  ],
  facts: [],
};

/** A session's frames numbered without a gap or a repeat, across every socket it had. */
function expectContiguous(name: string, c: ResumingClient): void {
  const seqs = c.seqs();
  expect(seqs.length, `${name} received numbered frames`).toBeGreaterThan(0);
  expect(seqs, `${name}'s frame numbers`).toEqual(Array.from({ length: seqs.length }, (_, i) => seqs[0]! + i));
}

// Three server instances (real processes) on one Redis prefix with one workers process,
// behind Debian's HAProxy (scripts/local-lb/haproxy.ts). Operators, bots and the render host
// know only the balancer's address. The first instance starts alone, so it takes the room's
// director lease and the sockets of the host, an operator and a bot; the other two start
// after. That instance is then killed with SIGKILL in the middle of a line of a looping show.
describe('three server instances behind HAProxy, the directing one killed mid-show', () => {
  const prefix = testPrefix('lb');
  const parts: Part[] = [];
  const clients: ResumingClient[] = [];
  let lb: LocalBalancer;
  let redis: Redis;
  let dir: string;
  let ports: number[];
  let env: Record<string, string>;

  const server = async (i: number) => {
    const p = await startPart('server/main.ts', { ...env, PORT: String(ports[i]) }, /listening/, 120_000);
    parts.push(p);
    return p;
  };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'livehost-lb-'));
    redis = createRedis(redisUrl());
    ports = [await freePort('127.0.0.1'), await freePort('127.0.0.1'), await freePort('127.0.0.1')];
    lb = await startLocalBalancer({ backends: ports.map((port, i) => ({ name: `s${i + 1}`, host: '127.0.0.1', port })) });
    env = {
      REDIS_URL: redisUrl(), LIVEHOST_REDIS_PREFIX: prefix, LIVEHOST_DATA_DIR: dir,
      LIVEHOST_JWT_SECRET: TEST_JWT_SECRET, LIVEHOST_PUBLISH_SECRET: TEST_PUBLISH_SECRET,
      LIVEHOST_DIRECTOR_LEASE_MS: '3000', LIVEHOST_DRAIN_MS: '0',
    };
    const [workers] = await Promise.all([
      startPart('workers/main.ts', { ...env, LIVEHOST_ANSWERS: 'kb' }, /workers ready/, 120_000),
      server(0),
    ]);
    parts.push(workers);
  }, 240_000);

  afterAll(async () => {
    clients.forEach((c) => c.close());
    for (const p of parts.reverse()) await p.stop('SIGKILL');
    await lb?.stop();
    await deletePrefix(prefix).catch(() => undefined);
    await redis?.quit();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('every client resumes through the balancer on a surviving instance with nothing lost or repeated, and the director moves', async () => {
    // Only s1 is up: HAProxy's checks have taken the other two out (they start as UP).
    await lb.waitFor(['s1'], 'UP', 60_000);
    await lb.waitFor(['s2', 's3'], 'DOWN', 60_000);
    const tokens = new TokenService(TEST_JWT_SECRET, redis, prefix);
    const token = async (body: Parameters<TokenService['issue']>[0]) => (await tokens.issue(body)).token;
    const admin = await token({ role: 'admin' });
    const api = async (method: string, url: string, body?: unknown) => {
      const res = await fetch(`${lb.url}${url}`, {
        method, headers: { authorization: `Bearer ${admin}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      return { status: res.status, json: await res.json() as Record<string, unknown> };
    };
    const instanceAt = async (port: number) => (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json() as { instanceId: string }).instanceId;
    const s1 = await instanceAt(ports[0]!);

    expect((await api('POST', '/api/rooms', { id: 'show', name: 'Show' })).status).toBe(201);
    expect((await api('PUT', '/api/rooms/show/kb', kb)).status).toBe(200);
    const rundown = await api('PUT', '/api/rooms/show/rundown', {
      version: 0, segments: [{ id: 'loop', title: 'Loop', plannedMs: 60_000, start: { rule: 'follow' }, loop: true, items: texts.map((text) => ({ kind: 'line', text })) }],
    });
    expect(rundown.status).toBe(200);
    const lease = showKeys(prefix, 'show').lease;
    expect(await until('the room\'s director lease', async () => (await redis.get(lease)) ?? undefined, 30_000)).toBe(s1);

    const connect = async (hub: string, tok: string, o = {}) => {
      const c = await ResumingClient.connect(`${lb.wsUrl}/ws/${hub}`, tok, o);
      clients.push(c);
      return c;
    };
    let beats = 0;
    const hostLink = await connect('render-host', await token({ role: 'render-host', hostId: 'h1' }), {
      // The real host's heartbeat (render-bridge/client/server-client.ts), so the sweep keeps it.
      heartbeat: { frame: () => ({ type: 'host.heartbeat', id: `hb${++beats}`, rooms: ['show'] }), everyMs: 2000 },
    });
    // Lines of 1.5 s: long enough to kill an instance in the middle of one.
    const host = await FakeHost.attach(hostLink, { playMs: () => 1500 });
    const operator = async () => {
      const op = await connect('operator', await token({ role: 'operator', rooms: ['show'] }));
      op.send({ type: 'room.subscribe', id: 'sub', room: 'show' });
      await op.next((f) => f.type === 'ack' && f.ref === 'sub');
      return op;
    };
    const op1 = await operator();
    const bot1 = await connect('bot', await token({ role: 'bot', rooms: ['show'] }));
    for (const c of [hostLink, op1, bot1]) expect(c.instanceId).toBe(s1);

    // The other two instances come up; new clients go to them (least connections).
    await Promise.all([server(1), server(2)]);
    await lb.waitFor(['s1', 's2', 's3'], 'UP', 60_000);
    const survivors = new Set([await instanceAt(ports[1]!), await instanceAt(ports[2]!)]);
    const op2 = await operator();
    const bot2 = await connect('bot', await token({ role: 'bot', rooms: ['show'] }));
    for (const c of [op2, bot2]) expect(survivors.has(c.instanceId)).toBe(true);

    await until('the three lines prepared', async () => {
      const prepared = await redis.hvals(showKeys(prefix, 'show').prepared);
      return prepared.length === 3 && prepared.every((p) => JSON.parse(p).status === 'ready');
    }, 90_000, 100);
    expect((await api('POST', '/api/rooms/show/show', { name: 'show.go' })).status).toBe(200);
    await host.waitPlayed(3, 60_000);
    const ask = async (bot: ResumingClient, id: string, text: string) => {
      bot.send({ type: 'question', id, user: { id: `viewer-${id}`, name: 'Ana' }, text });
      const ack = await bot.next((f) => f.type === 'question.ack' && f.ref === id, 30_000);
      return bot.next((f) => f.type === 'question.answered' && f.questionId === ack.questionId, 120_000);
    };
    // A command relayed and a question answered before the kill: operator → s1 → host → s1 → operator.
    op1.send({ type: 'command', id: 'before', room: 'show', command: { name: 'caption', text: 'before the kill' } });
    expect(await op1.next((f) => f.type === 'command.ack' && f.ref === 'before', 30_000)).toMatchObject({ ok: true });
    const a0 = await ask(bot1, 'q0', 'What colour is the presenter wearing?');
    expect(a0).toMatchObject({ text: 'A blue jacket today.' });

    // Mid-line: the host has reported the line started and the director has told the
    // operators (so the report is in); the host says nothing more until the line ends.
    const onAir = await host.started(host.played.length, 30_000);
    await op1.next((f) => isEvent('speech.started')(f) && ev(f).segmentId === onAir.segmentId, 30_000);
    await op2.next((f) => isEvent('speech.started')(f) && ev(f).segmentId === onAir.segmentId, 30_000);
    const playedAtKill = host.played.length;
    const killedAt = Date.now();
    await parts[0]!.stop('SIGKILL');

    // Every client of s1 comes back through the balancer, on s2 or s3, with its session.
    const resumedAfter: Record<string, number> = {};
    for (const [name, c] of Object.entries({ host: hostLink, op1, bot1 })) {
      const run = await c.welcomed(2, 60_000);
      resumedAfter[name] = Date.now() - killedAt;
      expect(run.resumed, `${name} resumed its session`).toBe(true);
      expect(survivors.has(run.instanceId), `${name} is on a surviving instance`).toBe(true);
    }
    // The survivors' clients never dropped.
    for (const c of [op2, bot2]) expect(c.runs.length).toBe(1);
    const owner = await until('another instance to take the room', async () => {
      const o = await redis.get(lease);
      return o && o !== s1 ? o : undefined;
    }, 60_000);
    const movedAfter = Date.now() - killedAt;
    expect(survivors.has(owner)).toBe(true);
    await lb.waitFor(['s1'], 'DOWN', 30_000);

    // The show goes on, in order; commands and questions work from every client.
    await host.waitPlayed(playedAtKill + 4, 90_000);
    for (const [i, op] of [op1, op2].entries()) {
      op.send({ type: 'command', id: `after-${i}`, room: 'show', command: { name: 'caption', text: `after the kill ${i}` } });
      expect(await op.next((f) => f.type === 'command.ack' && f.ref === `after-${i}`, 30_000)).toMatchObject({ ok: true });
    }
    const [a1, a2] = await Promise.all([ask(bot1, 'q1', 'Is the show still on?'), ask(bot2, 'q2', 'Which instance answers me?')]);
    expect(a1).toMatchObject({ text: 'Yes, the show goes on.' });
    expect(a2).toMatchObject({ text: 'Any of them, it does not matter.' });
    await host.waitPlayed(host.played.filter((p) => p.endedAt !== null).length + 2, 60_000);

    // No line twice and none skipped: the loop's lines in order, none cut.
    const loop = host.played.filter((p) => p.priority === 'script').map((p) => p.text);
    if (loop.some((t, i) => t !== texts[i % 3]) || host.played.some((p) => p.interrupted)) {
      // Seen once in a full run under load: a loop line cut and aired again after the kill — an
      // answer taking back the next line between two of the host's reports (fixed in the speech
      // queue, server/show/speech-queue.ts; pinned by show-machine.test.ts). Say how if it comes back.
      const hostEvents = op2.frames.filter((f) => isEvent('host')(f) || isEvent('notice')(f)).map((f) => ({ at: f.at, event: f.event }));
      process.stdout.write(`[load balancer] the loop out of order; killed at ${killedAt}, clients resumed after ${JSON.stringify(resumedAfter)} ms\n`
        + `host played ${JSON.stringify(host.played.map((p) => ({ text: p.text, segmentId: p.segmentId, startedAt: p.startedAt, endedAt: p.endedAt, interrupted: p.interrupted })))}\n`
        + `host and notice events at op2 ${JSON.stringify(hostEvents).slice(0, 4000)}\n`);
    }
    loop.forEach((t, i) => expect(t).toBe(texts[i % 3]));
    expect(host.played.every((p) => !p.interrupted)).toBe(true);
    for (const answer of [a0.text, a1.text, a2.text]) expect(host.played.filter((p) => p.text === answer)).toHaveLength(1);

    // What every operator heard is what the host reported: each start and each end once, in order.
    const finished = () => host.played.filter((p) => p.endedAt !== null).map((p) => p.segmentId);
    for (const [name, op] of Object.entries({ op1, op2 })) {
      await until(`${name} to hear every line the host finished`, async () => {
        const heard = op.frames.filter(isEvent('speech.finished')).map((f) => ev(f).segmentId);
        const done = finished();
        return heard.length >= done.length && heard.slice(0, done.length).join() === done.join();
      }, 30_000);
      const started = op.frames.filter(isEvent('speech.started')).map((f) => ev(f).segmentId!);
      expect(started, `${name}'s speech.started events`).toEqual(host.played.map((p) => p.segmentId).slice(0, started.length));
      expect(started.length).toBeGreaterThanOrEqual(finished().length);
    }
    // The as-run log holds every line the host finished, once.
    await until('the as-run log to hold every finished line', async () => {
      const done = finished().length;
      const page = await api('GET', '/api/rooms/show/as-run?limit=1000');
      const entries = (page.json.entries as Array<{ lineId: string; startedAt: number }>);
      return entries.length === done && new Set(entries.map((e) => `${e.lineId}@${e.startedAt}`)).size === done;
    }, 30_000, 200);
    // Each session's frames numbered without a gap or a repeat, across the kill.
    for (const [name, c] of Object.entries({ host: hostLink, op1, op2, bot1, bot2 })) expectContiguous(name, c);
    for (const c of [op1, bot1]) expect(c.frames.filter((f) => f.type === 'welcome')).toHaveLength(2);

    let silence = 0;
    for (let i = 1; i < host.played.length; i++) silence = Math.max(silence, host.played[i]!.startedAt - (host.played[i - 1]!.endedAt ?? host.played[i]!.startedAt));
    process.stdout.write(`[load balancer] s1 (director; host, op1, bot1) killed mid-line; resumed after ${JSON.stringify(resumedAfter)} ms; `
      + `director on another instance after ${movedAfter} ms; longest silence at the host ${silence} ms; lines ${host.played.length} `
      + `(${loop.length} of the loop, in order), answers 3, each once; frames per session contiguous `
      + `(host ${hostLink.seqs().length}, op1 ${op1.seqs().length}, op2 ${op2.seqs().length}, bot1 ${bot1.seqs().length}, bot2 ${bot2.seqs().length})\n`);
  }, 420_000);
});

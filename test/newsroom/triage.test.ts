import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KnowledgeBase, QuestionInfo } from '../../protocol/index.js';
import { cleanup, startServer, type TestServer } from '../helpers/server.js';
import { redisUrl } from '../helpers/redis.js';
import { repoRoot, startPart, type Part } from '../helpers/processes.js';
import { TestClient } from '../helpers/ws-client.js';
import { FakeHost } from '../helpers/fake-host.js';

const shop = JSON.parse(readFileSync(path.join(repoRoot, 'retrieval/eval/sets/shop-en.json'), 'utf8')) as { kb: KnowledgeBase };
const paraphrases = JSON.parse(readFileSync(path.join(repoRoot, 'retrieval/eval/paraphrases.json'), 'utf8')) as {
  sets: Array<{ language: string; groups: Array<{ id: string; paraphrases: string[] }>; unrelated: string[] }>;
};
const shipping = paraphrases.sets.find((s) => s.language === 'en-US')!.groups.find((g) => g.id === 'shipping-time')!.paraphrases;

// Real Redis, real workers (the knowledge base answers, flite voices), bots and operators
// over real sockets, a render host that reports what it plays.
describe('the newsroom: chat, grouping by meaning, bans', () => {
  let srv: TestServer;
  let workers: Part;
  let dir: string;
  let host: FakeHost;
  let op: TestClient;
  const bots: TestClient[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'livehost-triage-'));
    srv = await startServer();
    workers = await startPart('workers/main.ts', { REDIS_URL: redisUrl(), LIVEHOST_REDIS_PREFIX: srv.prefix, LIVEHOST_DATA_DIR: dir, LIVEHOST_ANSWERS: 'kb' }, /workers ready/);
    await srv.core.rooms.create({ id: 'shop', name: 'Headphones' });
    await srv.core.rooms.putKb('shop', shop.kb);
    await srv.core.placement.place('shop');
    host = await FakeHost.connect(srv.wsUrl, await srv.token({ role: 'render-host', hostId: 'h1' }), { playMs: () => 100 });
    op = await TestClient.connect(`${srv.wsUrl}/ws/operator`, srv.adminToken);
    op.send({ type: 'room.subscribe', id: 's', room: 'shop' });
    await op.next((f) => f.type === 'ack');
    const token = await srv.token({ role: 'bot', rooms: ['shop'] });
    for (let i = 0; i < 6; i++) bots.push(await TestClient.connect(`${srv.wsUrl}/ws/bot`, token));
  }, 60_000);

  afterAll(async () => {
    for (const b of bots) b.close();
    host?.close();
    op?.close();
    await workers?.stop();
    await cleanup(srv);
    rmSync(dir, { recursive: true, force: true });
  });

  it('chat reaches a subscribed operator at once, and an operator who subscribes late gets the history', async () => {
    bots[0]!.send({ type: 'chat', id: 'c1', user: { id: 'u-chat', name: 'Lia' }, text: 'love these colours!', platform: 'youtube' });
    await bots[0]!.next((f) => f.type === 'ack' && f.ref === 'c1');
    const seen = await op.next((f) => f.type === 'room.event' && (f.event as { kind: string }).kind === 'chat');
    expect((seen.event as { message: object }).message).toMatchObject({ user: { id: 'u-chat', name: 'Lia' }, text: 'love these colours!', platform: 'youtube' });
    const late = await TestClient.connect(`${srv.wsUrl}/ws/operator`, srv.adminToken);
    late.send({ type: 'room.subscribe', id: 's2', room: 'shop' });
    const history = await late.next((f) => f.type === 'room.event' && (f.event as { kind: string }).kind === 'chat.history');
    expect((history.event as { messages: Array<{ text: string }> }).messages.map((m) => m.text)).toContain('love these colours!');
    late.close();
  });

  it('five ways of asking one thing become one group with five askers, all five hear the answer, and an unrelated question stays apart', async () => {
    const acks = [];
    for (let i = 0; i < 5; i++) {
      bots[i]!.send({ type: 'question', id: `p${i}`, user: { id: `viewer-${i}`, name: `Viewer ${i}` }, text: shipping[i]! });
      acks.push(await bots[i]!.next((f) => f.type === 'question.ack' && f.ref === `p${i}`));
    }
    const groupId = acks[0]!.questionId as string;
    expect(acks.map((a) => a.questionId)).toEqual(Array(5).fill(groupId));
    expect(acks.slice(1).map((a) => a.status)).toEqual(Array(4).fill('duplicate'));
    bots[5]!.send({ type: 'question', id: 'other', user: { id: 'viewer-x', name: 'X' }, text: 'who won the game last night' });
    const other = await bots[5]!.next((f) => f.type === 'question.ack' && f.ref === 'other');
    expect(other.questionId).not.toBe(groupId);

    for (let i = 0; i < 5; i++) {
      const answered = await bots[i]!.next((f) => f.type === 'question.answered' && f.questionId === groupId, 30_000);
      expect(answered.text).toMatch(/business days/);
    }
    const group = (await srv.core.questions.list('shop')).find((q: QuestionInfo) => q.questionId === groupId)!;
    expect(group).toMatchObject({ askedBy: 5, status: 'answered' });
  }, 60_000);

  it('a banned viewer’s questions and chat are dropped and counted', async () => {
    op.send({ type: 'user.ban', id: 'ban', room: 'shop', userId: 'troll', userName: 'Troll', reason: 'spam' });
    await op.next((f) => f.type === 'ack' && f.ref === 'ban');
    const before = (await srv.core.questions.list('shop')).length;
    const chatsBefore = op.frames.filter((f) => f.type === 'room.event' && (f.event as { kind: string }).kind === 'chat').length;
    bots[0]!.send({ type: 'question', id: 't1', user: { id: 'troll', name: 'Troll' }, text: 'what is the price?' });
    expect(await bots[0]!.next((f) => f.type === 'question.ack' && f.ref === 't1')).toMatchObject({ status: 'rejected' });
    bots[0]!.send({ type: 'chat', id: 't2', user: { id: 'troll', name: 'Troll' }, text: 'buy followers at spam dot com' });
    await bots[0]!.next((f) => f.type === 'ack' && f.ref === 't2');
    await new Promise((r) => setTimeout(r, 300));
    expect((await srv.core.questions.list('shop')).length).toBe(before);
    expect(op.frames.filter((f) => f.type === 'room.event' && (f.event as { kind: string }).kind === 'chat').length).toBe(chatsBefore);
    const res = await srv.app.inject({ method: 'GET', url: '/api/rooms/shop/bans', headers: { authorization: `Bearer ${srv.adminToken}` } });
    expect(res.json()).toMatchObject({ bans: [{ userId: 'troll', reason: 'spam' }], dropped: { banned: 2 } });
  });
});

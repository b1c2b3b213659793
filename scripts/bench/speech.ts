// npm run bench:speech — 200 viewer questions through the whole pipeline (bot WebSocket →
// server → qa worker → tts worker → director → render host WebSocket), in two setups:
//   1. embedded providers (knowledge base + flite): question → first segment at the host;
//   2. a local OpenAI-compatible server (first token after 300 ms, 40 tokens/s): pipeline
//      overhead = first segment − (the LLM's time to its first complete sentence + that
//      sentence's flite time).
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { cpus, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { deletePrefix } from '../../test/helpers/redis.js';
import { startPart, type Part } from '../../test/helpers/processes.js';
import { startOpenAiServer, toTokens } from '../../test/helpers/openai-server.js';
import { TestClient } from '../../test/helpers/ws-client.js';
import { FakeHost } from '../../test/helpers/fake-host.js';
import { TokenService } from '../../server/auth/token-service.js';
import { RoomStore } from '../../server/rooms/room-store.js';
import { placementKeys } from '../../server/rooms/placement.js';
import { FliteProvider } from '../../workers/tts/flite-provider.js';

const N = Number(process.env.BENCH_QUESTIONS ?? 200);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const out = (s: string) => process.stdout.write(`${s}\n`);
const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN; };

const PRODUCTS = ['kettle', 'lamp', 'backpack', 'camera', 'blender', 'scooter', 'jacket', 'speaker', 'tent', 'watch'];
const COLORS = ['red', 'blue', 'green', 'black', 'white', 'silver', 'orange', 'purple', 'yellow', 'grey'];
const NUMBERS = ['one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve', 'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen', 'twenty'];
/** Distinct, realistic questions and answers, so no answer is served from the TTS cache. */
function item(i: number) {
  const product = `${COLORS[i % 10]} ${PRODUCTS[Math.floor(i / 10) % 10]}`;
  const price = NUMBERS[i % 20]!;
  return {
    question: `How much does the ${product} model ${i} cost?`,
    answer: `The ${product} model ${i} costs ${price} dollars. It ships within ${NUMBERS[(i * 7) % 20]} days.`,
  };
}

async function withSystem<T>(answers: 'kb' | 'openai', llmUrl: string | null, body: (ctx: { bot: TestClient; host: TestClient }) => Promise<T>): Promise<T> {
  const prefix = `bench-${randomBytes(4).toString('hex')}`;
  const secret = randomBytes(32).toString('base64url');
  const dataDir = mkdtempSync(path.join(tmpdir(), 'livehost-bench-'));
  const env = {
    REDIS_URL, LIVEHOST_REDIS_PREFIX: prefix, LIVEHOST_JWT_SECRET: secret, LIVEHOST_PUBLISH_SECRET: randomBytes(32).toString('base64url'),
    LIVEHOST_DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'warn',
    LIVEHOST_ANSWERS: answers === 'kb' ? 'kb' : 'auto', ...(llmUrl ? { OPENAI_BASE_URL: llmUrl, OPENAI_API_KEY: 'bench' } : {}),
  };
  const redis = new Redis(REDIS_URL);
  const parts: Part[] = [];
  try {
    const server = await startPart('server/main.ts', { ...env, LOG_LEVEL: 'info' }, /listening at http:\/\/127\.0\.0\.1:\d+/i);
    parts.push(server);
    const port = Number(/listening at http:\/\/127\.0\.0\.1:(\d+)/i.exec(server.output())![1]);
    parts.push(await startPart('workers/main.ts', { ...env, LOG_LEVEL: 'info' }, /workers ready/));
    const tokens = new TokenService(secret, redis, prefix);
    const rooms = new RoomStore(redis, prefix);
    // Templated questions ("model 3", "model 4") are one meaning to the newsroom: each is its own group here.
    await rooms.create({ id: 'bench', answers, persona: 'A shop assistant.', groupThreshold: 1 });
    await rooms.putKb('bench', { qa: Array.from({ length: N }, (_, i) => item(i)), facts: [] });
    await redis.sadd(placementKeys(prefix).waiting, 'bench');
    // A host that reports each line started and finished, as a render host does: the director
    // puts the next answer on air once the one before was reported spoken.
    const client = await TestClient.connect(`ws://127.0.0.1:${port}/ws/render-host`, (await tokens.issue({ role: 'render-host', hostId: 'bench-host' })).token);
    const fake = await FakeHost.attach(client, { playMs: () => 30 });
    await client.next((f) => f.type === 'room.assign');
    const host = fake.client;
    const bot = await TestClient.connect(`ws://127.0.0.1:${port}/ws/bot`, (await tokens.issue({ role: 'bot', rooms: ['bench'] })).token);
    let result: T;
    // A render host heartbeats, or the server gives its room to another.
    const beat = setInterval(() => host.send({ type: 'host.heartbeat', id: 'hb', rooms: ['bench'] }), 2000);
    try {
      result = await body({ bot, host });
    } catch (err) {
      for (const p of parts) out(p.output().slice(-3000));
      throw err;
    } finally {
      clearInterval(beat);
    }
    bot.close();
    host.close();
    return result;
  } finally {
    for (const p of parts.reverse()) await p.stop();
    await deletePrefix(`${prefix}:`);
    await redis.quit();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * Asks question i and resolves with [sentAt, first segment's arrival at the host]; returns
 * once the whole answer was reported spoken, so the next question finds the room idle.
 */
async function ask(bot: TestClient, host: TestClient, i: number, text: string): Promise<{ sent: number; first: number }> {
  const sent = Date.now();
  bot.send({ type: 'question', id: `q${i}`, user: { id: `viewer-${i}`, name: `Viewer ${i}` }, text });
  const ack = await bot.next((f) => f.type === 'question.ack' && f.ref === `q${i}`);
  await host.next((f) => f.type === 'speech.segment' && (f.segment as { questionId?: string }).questionId === ack.questionId, 30_000);
  const first = Date.now();
  await bot.next((f) => f.type === 'question.answered' && f.questionId === ack.questionId, 30_000);
  return { sent, first };
}

out(`bench:speech — ${N} questions; ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`);

const embedded = await withSystem('kb', null, async ({ bot, host }) => {
  const latencies: number[] = [];
  for (let i = 0; i < N; i++) {
    const { sent, first } = await ask(bot, host, i, item(i).question);
    latencies.push(first - sent);
    await new Promise((r) => setTimeout(r, 20));
  }
  return latencies;
});
out(`1. embedded (kb + flite): question → first segment at host  p50=${pct(embedded, 50).toFixed(0)} ms  p95=${pct(embedded, 95).toFixed(0)} ms  max=${Math.max(...embedded).toFixed(0)} ms   goal p50 ≤ 150, p95 ≤ 300`);

const replies = new Map<string, string>();
const llm = await startOpenAiServer({
  firstTokenMs: 300, tokensPerSecond: 40,
  reply: (messages) => {
    const q = messages[messages.length - 1]?.content ?? '';
    const i = Number(/model (\d+)/.exec(q)?.[1] ?? 0);
    const r = `${item(i).answer} Thank you for asking about it, viewer ${NUMBERS[i % 20]}.`;
    replies.set(String(i), r);
    return r;
  },
});
const flite = new FliteProvider();
const overheads: number[] = [];
const firsts: number[] = [];
const LLM_N = Number(process.env.BENCH_LLM_QUESTIONS ?? N);
try {
  await withSystem('openai', llm.url, async ({ bot, host }) => {
    for (let i = 0; i < LLM_N; i++) {
      const before = llm.requests.length;
      const { sent, first } = await ask(bot, host, i, item(i).question);
      const req = llm.requests.findIndex((r, k) => k >= before && r.body.messages.some((m) => m.content.includes(`model ${i} `)));
      if (req < 0) throw new Error(`question ${i} did not reach the LLM`);
      // The token that completes the first sentence: count the first sentence's tokens.
      const firstSentence = item(i).answer.split(/(?<=\.)\s/)[0]!;
      const k = toTokens(firstSentence).length - 1;
      const sentenceDoneAt = llm.tokenTimes[req]![k]!;
      const llmMs = sentenceDoneAt - llm.requests[req]!.at;
      const t0 = performance.now();
      await flite.synthesize({ text: firstSentence, language: 'en-US', voice: 'en-US-female', prosody: {} });
      const ttsMs = performance.now() - t0;
      firsts.push(first - sent);
      overheads.push(first - sent - llmMs - ttsMs);
      await new Promise((r) => setTimeout(r, 20));
    }
  });
} finally {
  await llm.close();
}
out(`2. OpenAI-compatible stream (300 ms first token, 40 tok/s): question → first segment p50=${pct(firsts, 50).toFixed(0)} ms p95=${pct(firsts, 95).toFixed(0)} ms`);
out(`   pipeline overhead (first segment − LLM first-sentence time − its flite time)  p50=${pct(overheads, 50).toFixed(1)} ms  p95=${pct(overheads, 95).toFixed(1)} ms   goal p95 ≤ 30`);
process.exit(0);

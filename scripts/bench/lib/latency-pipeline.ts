import type { RoomEvent } from '../../../protocol/index.js';
import { ServerClient } from '../../../render-bridge/client/server-client.js';
import { RenderHost } from '../../../render-bridge/host/render-host.js';
import { silentLogger } from '../../../render-bridge/log.js';
import { FfmpegAudioDecoder } from '../../../render-bridge/media/audio-decoder.js';
import { PcmDecoder } from '../../../render-bridge/media/pcm-decoder.js';
import { ClockRoomFactory, type HostEvent } from './clock-room.js';
import type { EventLog } from './event-log.js';
import { epochOf, StageSamples } from './line-stages.js';
import { CpuMeter, redisCpuMs } from './proc-cpu.js';
import { knowledgeItem } from './stream-answers.js';
import type { BenchSystem } from './system.js';
import { WsLink } from './ws-link.js';

/**
 * bench:latency's second run, the speech pipeline alone — the case where render hosts are
 * machines of their own: the real server and workers as processes, and the render host's
 * real client, scheduler and decoder (RenderHost, ServerClient, PcmDecoder, the media
 * clock at 30 fps: clock-room.ts) in the bench process, drawing and encoding nothing. Timed:
 * a bot's question → the answer's first audio frame on the host's media clock, with the
 * first line's stages up to that frame.
 */

export interface PipelineLatencyResult {
  warmUpMs: number;
  /** Question sent → the first frame of its answer on the host's media clock, ms. */
  firstFrame: number[];
  breakdown: StageSamples;
  wrongAnswers: number;
  wallMs: number;
  cpuMs: Record<string, number>;
}

const ROOM = 'latency-pipeline';
const WAIT_MS = 20_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runPipelineLatency(sys: BenchSystem, questions: number, progress: (s: string) => void): Promise<PipelineLatencyResult> {
  const items = Array.from({ length: questions + 1 }, (_, i) => knowledgeItem(i));
  const logs = new Map<string, EventLog<HostEvent>>();
  const factory = new ClockRoomFactory({ decoder: new PcmDecoder({ fallback: new FfmpegAudioDecoder() }), log: silentLogger, logs });
  let client: ServerClient | null = null;
  const host = new RenderHost({
    capacity: 1, capabilities: { renderer: 'reference', resolutions: ['720p'], encoders: ['libx264'] },
    factory, log: silentLogger, send: (m) => client?.send(m),
  });
  client = new ServerClient({
    url: sys.wsUrl, token: await sys.token({ role: 'render-host', hostId: 'bench-pipeline-host' }), log: silentLogger,
    register: () => host.registration(), heartbeat: () => host.heartbeat(), onMessage: (m) => host.handle(m),
  });
  client.start();
  const links: WsLink[] = [];
  try {
    for (let i = 0; i < 500 && client.state !== 'open'; i++) await sleep(20);
    if (client.state !== 'open') throw new Error('the render host did not connect');
    await sys.api('POST', '/api/rooms', { id: ROOM, name: 'Latency, pipeline alone', language: 'en-US', review: 'auto', groupThreshold: 1 });
    await sys.api('PUT', `/api/rooms/${ROOM}/kb`, { qa: items, facts: [] });
    const op = await WsLink.connect(`${sys.wsUrl}/ws/operator`, await sys.token({ role: 'operator', rooms: [ROOM] }), 'operator', 'operator');
    links.push(op);
    await op.reply('sub', op.send({ type: 'room.subscribe', id: 'sub', room: ROOM }));
    const bot = await WsLink.connect(`${sys.wsUrl}/ws/bot`, await sys.token({ role: 'bot', rooms: [ROOM] }), 'bot', 'bot');
    links.push(bot);
    for (const until = Date.now() + WAIT_MS; !logs.has(ROOM) && Date.now() < until;) await sleep(20);
    const hostLog = logs.get(ROOM);
    if (!hostLog) throw new Error(`${ROOM} was never placed on the render host`);

    const ask = async (i: number) => {
      await sleep(300 + Math.random() * 500);
      const id = `q${i + 1}`;
      const asked = bot.send({ type: 'question', id, user: { id: `viewer-${i + 1}`, name: `Viewer ${i + 1}` }, text: items[i]!.question });
      const ack = await bot.reply(id, asked);
      if (ack.status !== 'queued') throw new Error(`question ${i + 1} was ${String(ack.status)}, not queued`);
      const questionId = String(ack.questionId);
      const seg = await hostLog.next(`question ${i + 1}: segment at the host`, asked, (e) => e.kind === 'segment' && e.segment.questionId === questionId, WAIT_MS) as Extract<HostEvent, { kind: 'segment' }>;
      const frame = await hostLog.next(`question ${i + 1}: first audio frame`, seg.at, (e) => (e.kind === 'audio' || e.kind === 'decode-failed') && e.segmentId === seg.segment.segmentId, WAIT_MS);
      if (frame.kind === 'decode-failed') throw new Error(`question ${i + 1}: the host could not decode its audio (${frame.error})`);
      const timed = await op.event(`question ${i + 1}: speech.timing`, asked, (e) => e.kind === 'speech.timing' && e.segmentId === seg.segment.segmentId, WAIT_MS);
      const outcome = await bot.log.next(`question ${i + 1}: answered`, asked, (x) => (x.frame.type === 'question.answered' || x.frame.type === 'question.unanswered') && x.frame.questionId === questionId, 30_000);
      if (outcome.frame.type !== 'question.answered') throw new Error(`question ${i + 1} was not answered on air: ${String(outcome.frame.reason)}`);
      const t = timed.event as Extract<RoomEvent, { kind: 'speech.timing' }>;
      const extra: Record<string, number> = t.timing.askedAt !== undefined ? { bot: t.timing.askedAt - epochOf(asked) } : {};
      return { firstFrame: frame.at - asked, stages: t.stages, extra, right: outcome.frame.text === items[i]!.answer };
    };

    const warm = await ask(questions);
    progress(`room placed on the in-process host; warm-up question on its clock after ${warm.firstFrame.toFixed(0)} ms; ${questions} questions`);
    const meter = new CpuMeter({ server: sys.part('server').pid, workers: sys.part('workers').pid, bench: process.pid });
    const redis0 = await redisCpuMs(sys.redis);
    meter.begin();
    const result: PipelineLatencyResult = { warmUpMs: warm.firstFrame, firstFrame: [], breakdown: new StageSamples(), wrongAnswers: 0, wallMs: 0, cpuMs: {} };
    for (let i = 0; i < questions; i++) {
      const r = await ask(i);
      result.firstFrame.push(r.firstFrame);
      result.breakdown.add(r.stages, r.extra);
      if (!r.right) result.wrongAnswers++;
      sys.assertAlive();
      if ((i + 1) % 4 === 0) progress(`${i + 1} of ${questions} questions`);
    }
    const { wallMs, cpuMs } = meter.read();
    cpuMs.redis = (await redisCpuMs(sys.redis)) - redis0;
    op.check();
    bot.check();
    return { ...result, wallMs, cpuMs };
  } finally {
    for (const l of links) l.close();
    await client.stop();
    await host.close();
  }
}

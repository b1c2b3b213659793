import { CpuMeter, redisCpuMs } from './proc-cpu.js';
import { PulledAudio, silenceFloor, type LevelWindow } from './stream-onset.js';
import type { BenchSystem } from './system.js';
import { WsLink } from './ws-link.js';

/**
 * bench:show's second part: one idle room (no rundown, so no fillers: the stream is
 * silent between answers) on the real render host, published through the real gateway.
 * A bot asks distinct questions from the room's knowledge base one at a time; the stream
 * is pulled from the gateway as a viewer's player pulls it, and each question is timed to
 * its answer's first audio in that stream.
 */

export interface StreamResult {
  questions: number;
  /** Question sent → the answer's onset in the pulled stream, ms. */
  onset: number[];
  /** Question sent → the first answer.sentence at the operator (the line handed to the host). */
  sentence: number[];
  /** Question sent → speech.started at the operator (the host's first frame of it, reported back). */
  started: number[];
  /** Answers that were not the knowledge base's entry for the question (timed all the same). */
  wrongAnswers: number;
  wallMs: number;
  cpuMs: Record<string, number>;
}

const ROOM = 'qa-stream';
/** An answer's onset: a 10 ms window louder than this (s16 RMS; about −40 dBFS), or 4× the floor. */
const ONSET_RMS = 300;
/** Between answers the pulled stream must stay under this (an idle avatar is digital silence). */
const SILENT_RMS = 30;
const WAIT_MS = 20_000;

const PRODUCTS = ['kettle', 'desk lamp', 'backpack', 'camera', 'blender', 'scooter', 'rain jacket', 'speaker', 'tent', 'watch'];
const NUMBERS = ['twelve', 'nineteen', 'twenty five', 'thirty', 'forty', 'fifty five', 'sixty', 'seventy nine', 'eighty', 'ninety nine'];
const COLORS = ['red', 'blue', 'green', 'black', 'white', 'silver', 'orange', 'purple', 'yellow', 'grey'];

/** Distinct questions and answers (no answer comes from the TTS cache), first sentences short as a host speaks. */
export function knowledgeItem(i: number): { question: string; answer: string } {
  const p = PRODUCTS[i % PRODUCTS.length]!;
  const n = NUMBERS[(i * 3) % NUMBERS.length]!;
  const c = COLORS[(i * 7) % COLORS.length]!;
  switch (Math.floor(i / PRODUCTS.length) % 5) {
    case 0: return { question: `How much does the ${p} cost?`, answer: `The ${p} costs ${n} dollars. That includes a two year warranty.` };
    case 1: return { question: `How long does shipping take for the ${p}?`, answer: `The ${p} ships within ${n} hours. Delivery is free this week.` };
    case 2: return { question: `Which colors does the ${p} come in?`, answer: `The ${p} comes in ${c} and black. The ${c} one sells fastest.` };
    case 3: return { question: `Is the ${p} waterproof?`, answer: `Yes, the ${p} is fully waterproof. You can rinse it under the tap.` };
    default: return { question: `How heavy is the ${p}?`, answer: `The ${p} weighs ${n} ounces. It fits in any bag.` };
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The loudest window of each 100 ms of arrival from `from` on, for a failure's message. */
function profile(windows: readonly LevelWindow[], from: number): string {
  const buckets = new Map<number, number>();
  for (const w of windows) {
    if (w.at < from) continue;
    const b = Math.floor((w.at - from) / 100);
    buckets.set(b, Math.max(buckets.get(b) ?? 0, w.rms));
  }
  return [...buckets].map(([b, level]) => `${(from + b * 100).toFixed(0)}:${level.toFixed(0)}`).join(' ');
}

export async function runStreamAnswers(sys: BenchSystem, questions: number, renderNice: number, progress: (s: string) => void): Promise<StreamResult> {
  if (sys.gatewayHttpPort === null) throw new Error('the stream part needs the gateway');
  const items = Array.from({ length: questions }, (_, i) => knowledgeItem(i));
  // The questions are templated (price, shipping, colors… of ten products), so grouping by
  // meaning would take "how much is the lamp" for "how much is the kettle": only the same
  // words group here. The grouping still runs for every question.
  await sys.api('POST', '/api/rooms', { id: ROOM, name: 'Questions on the stream', language: 'en-US', review: 'auto', groupThreshold: 1 });
  await sys.api('PUT', `/api/rooms/${ROOM}/kb`, { qa: items, facts: [] });
  const op = await WsLink.connect(`${sys.wsUrl}/ws/operator`, await sys.token({ role: 'operator', rooms: [ROOM] }), 'operator', 'operator');
  let bot: WsLink | null = null;
  let pulled: PulledAudio | null = null;
  try {
    const subscribed = op.send({ type: 'room.subscribe', id: 'sub', room: ROOM });
    await op.reply('sub', subscribed);
    await sys.startRenderBridge('bench-render', 1, renderNice);
    await op.event('stream live', 0, (e) => e.kind === 'stream' && e.state === 'live', 60_000);
    pulled = await PulledAudio.open(`http://127.0.0.1:${sys.gatewayHttpPort}/live/${ROOM}.flv`, { openTimeoutMs: 60_000 });
    // What the gateway had cached for a new player arrives in a burst: let it pass.
    await sleep(3000);
    bot = await WsLink.connect(`${sys.wsUrl}/ws/bot`, await sys.token({ role: 'bot', rooms: [ROOM] }), 'bot', 'bot');
    progress(`room on air, stream pulled; ${questions} questions`);

    const meter = new CpuMeter({
      server: sys.part('server').pid, workers: sys.part('workers').pid, render: sys.part('render').pid, gateway: sys.part('gateway').pid,
      bench: process.pid,
    });
    const redis0 = await redisCpuMs(sys.redis);
    meter.begin();
    const result: StreamResult = { questions, onset: [], sentence: [], started: [], wrongAnswers: 0, wallMs: 0, cpuMs: {} };
    let quietFrom = performance.now();
    for (let i = 0; i < questions; i++) {
      // A second of silence after the last answer, then a moment more: still silent? (A busy
      // machine can hold the end of an answer back in the stream for longer than a second.)
      let floor = Infinity;
      for (let tries = 0; floor > SILENT_RMS; tries++) {
        const quiet = await pulled.silence(quietFrom, SILENT_RMS, 1000, WAIT_MS);
        await sleep(300 + Math.random() * 500);
        floor = silenceFloor(pulled.windows, quiet.at, performance.now());
        if (floor > SILENT_RMS && tries === 4) {
          throw new Error(`question ${i + 1}: the stream was not silent before it (level ${floor.toFixed(0)}); `
            + `levels by 100 ms of arrival since the last answer (${quietFrom.toFixed(0)}):\n${profile(pulled.windows, quietFrom - 3000)}`);
        }
        quietFrom = performance.now();
      }
      const id = `q${i + 1}`;
      const asked = bot.send({ type: 'question', id, user: { id: `viewer-${i + 1}`, name: `Viewer ${i + 1}` }, text: items[i]!.question });
      const ack = await bot.reply(id, asked);
      if (ack.status !== 'queued') throw new Error(`question ${i + 1} was ${String(ack.status)}, not queued`);
      const questionId = String(ack.questionId);
      const onset = await pulled.onset(asked, Math.max(ONSET_RMS, 4 * floor), WAIT_MS);
      const sentence = await op.event(`question ${i + 1}: answer.sentence`, asked, (e) => e.kind === 'answer.sentence' && e.questionId === questionId, WAIT_MS);
      const started = await op.event(`question ${i + 1}: speech.started`, asked, (e) => e.kind === 'speech.started' && e.questionId === questionId, WAIT_MS);
      const outcome = await bot.log.next(`question ${i + 1}: answered`, asked, (x) => (x.frame.type === 'question.answered' || x.frame.type === 'question.unanswered') && x.frame.questionId === questionId, 30_000);
      if (outcome.frame.type !== 'question.answered') throw new Error(`question ${i + 1} was not answered on air: ${String(outcome.frame.reason)}`);
      if (outcome.frame.text !== items[i]!.answer) result.wrongAnswers++;
      // The onset must be this answer's: after its line reached the host, not long after it started.
      if (onset.at < sentence.at || onset.at > started.at + 2000) {
        throw new Error(`question ${i + 1}: an onset ${(onset.at - asked).toFixed(0)} ms after the question, the line at the host after ${(sentence.at - asked).toFixed(0)} ms: not this answer's audio`);
      }
      result.onset.push(onset.at - asked);
      result.sentence.push(sentence.at - asked);
      result.started.push(started.at - asked);
      quietFrom = outcome.at;
      sys.assertAlive();
      if ((i + 1) % 10 === 0) progress(`${i + 1} of ${questions} questions`);
    }
    const { wallMs, cpuMs } = meter.read();
    cpuMs.redis = (await redisCpuMs(sys.redis)) - redis0;
    op.check();
    bot.check();
    return { ...result, wallMs, cpuMs };
  } finally {
    pulled?.close();
    bot?.close();
    op.close();
  }
}

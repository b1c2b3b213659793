import type { LibraryDocument, Material, RoomEvent, RundownSegment } from '../../../protocol/index.js';
import { BenchTimeoutError } from './event-log.js';
import { epochOf, StageSamples } from './line-stages.js';
import { CpuMeter, redisCpuMs } from './proc-cpu.js';
import { knowledgeItem } from './stream-answers.js';
import { PulledAudio } from './stream-onset.js';
import type { BenchSystem } from './system.js';
import { WsLink } from './ws-link.js';

/**
 * bench:latency's first run, the one-machine case: an idle room on the real render host
 * (reference renderer, ffmpeg, RTMP) publishing through the real gateway, on this machine
 * with the server and workers. The stream is pulled from the gateway as a viewer's player
 * pulls it (stream-onset.ts). Timed in that stream: a bot's question → its answer's first
 * audio; an operator's interrupt → silence; show.go → the segment's first audio. Beside
 * each answer, its first line's `speech.timing` (the stages from the question to the
 * gateway's program feed) and what the bench measures around it (bot → server; gateway →
 * heard in the pulled stream).
 */

export interface StreamLatencyResult {
  /** The first question after the room went on air (excluded from the figures): JIT, a cold KB index. */
  warmUpMs: number;
  /** Question sent → its answer's onset in the pulled stream, ms. */
  onset: number[];
  breakdown: StageSamples;
  /** Answers that were not the question's own entry (timed all the same). */
  wrongAnswers: number;
  /** Answers whose first line had no speech.timing event (a build before issue 15). */
  untimed: number;
  /** Interrupt sent → the host's report of the cut, and → silence in the pulled stream. */
  interruptReported: number[];
  interruptSilence: number[];
  /** show.go sent → the segment's onset in the pulled stream, and its line's stages. */
  goOnset: number[];
  goBreakdown: StageSamples;
  wallMs: number;
  cpuMs: Record<string, number>;
}

export interface StreamLatencyOptions {
  questions: number;
  interrupts: number;
  gos: number;
  renderNice: number;
  progress: (s: string) => void;
}

const ROOM = 'latency';
/** An onset: a 10 ms window louder than this (s16 RMS; about −40 dBFS), or 4× the floor. */
const ONSET_RMS = 300;
/** Between lines the pulled stream is digital silence (an idle avatar); a cut must reach it. */
const SILENT_RMS = 30;
/**
 * Silence after an interrupt must last this long: no pause inside the line does (flite
 * breaks its phrases with pauses of a few hundred ms), and seconds of the line were left.
 */
const CUT_HOLD_MS = 1500;
const WAIT_MS = 20_000;

/** Long lines to interrupt: one sentence each (no pause between sentences to mistake for the cut). */
const NAMES = ['Aurora', 'Boreal', 'Cedar', 'Dune', 'Ember', 'Fjord', 'Glacier', 'Harbor', 'Iris', 'Juniper', 'Kestrel', 'Lagoon'];
const longLine = (i: number) => `The ${NAMES[i % NAMES.length]} collection number ${i + 1} started in a small workshop by the sea where two friends sewed every piece by hand and sold them at the weekend market until the orders came in from all over the world`;
/** Script lines for show.go, distinct and prepared ahead (the library). */
const scriptLine = (i: number) => `Welcome back to part ${i + 1} of the show, where the ${NAMES[(i + 5) % NAMES.length]} range is on the table.`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Event = Record<string, unknown>;
const is = <K extends RoomEvent['kind']>(kind: K) => (e: Event): e is Extract<RoomEvent, { kind: K }> & Event => e.kind === kind;

export async function runStreamLatency(sys: BenchSystem, o: StreamLatencyOptions): Promise<StreamLatencyResult> {
  if (sys.gatewayHttpPort === null) throw new Error('the stream run needs the gateway');
  const items = Array.from({ length: o.questions + 1 }, (_, i) => knowledgeItem(i));
  // Templated questions (price, shipping… of ten products): only the same words group, as in bench:show.
  await sys.api('POST', '/api/rooms', { id: ROOM, name: 'Latency', language: 'en-US', review: 'auto', groupThreshold: 1 });
  await sys.api('PUT', `/api/rooms/${ROOM}/kb`, { qa: items, facts: [] });
  const op = await WsLink.connect(`${sys.wsUrl}/ws/operator`, await sys.token({ role: 'operator', rooms: [ROOM] }), 'operator', 'operator');
  let bot: WsLink | null = null;
  let pulled: PulledAudio | null = null;
  try {
    await op.reply('sub', op.send({ type: 'room.subscribe', id: 'sub', room: ROOM }));
    await sys.startRenderBridge('bench-render', 1, o.renderNice);
    await op.event('stream live', 0, (e) => e.kind === 'stream' && e.state === 'live', 60_000);
    pulled = await PulledAudio.open(`http://127.0.0.1:${sys.gatewayHttpPort}/live/${ROOM}.flv`);
    // What the gateway had cached for a new player arrives in a burst: let it pass.
    await sleep(3000);
    bot = await WsLink.connect(`${sys.wsUrl}/ws/bot`, await sys.token({ role: 'bot', rooms: [ROOM] }), 'bot', 'bot');
    const audio = pulled;
    const viewer = bot;
    let quietFrom = performance.now();

    /** The operator's last room events (not show.state), for a failure's message. */
    const recent = () => op.log.all((x) => x.frame.type === 'room.event' && (x.frame.event as Event).kind !== 'show.state').slice(-12)
      .map((x) => {
        const e = x.frame.event as Event;
        return `  ${x.at.toFixed(0)} ${String(e.kind)} ${String(e.segmentId ?? '')} ${e.interrupted === undefined ? '' : `interrupted=${String(e.interrupted)}`} ${typeof e.text === 'string' ? e.text.slice(0, 40) : ''}`;
      }).join('\n') + `\n  now ${performance.now().toFixed(0)}`;

    /** The pulled stream's level since `from`, 100 ms a character (arrival time; '.' silent, digits: log level). */
    const levels = (from: number) => {
      let line = `  levels from ${from.toFixed(0)}: `;
      let bucket = from;
      let peak = 0;
      for (const w of audio.windows) {
        if (w.at < from) continue;
        while (w.at >= bucket + 100) {
          line += peak <= SILENT_RMS ? '.' : String(Math.min(9, Math.floor(Math.log2(peak / SILENT_RMS))));
          bucket += 100;
          peak = 0;
        }
        peak = Math.max(peak, w.rms);
      }
      return line;
    };

    /** Waits for a second of silence and a moment more; returns the level floor an onset must clear. */
    const quiet = async (what: string): Promise<number> => {
      // The stream can run seconds behind what the host reports (a starved host), and a line
      // decoded late leaves a gap inside an answer: quiet means a second of silence with
      // nothing after it. A few tries, then the run fails.
      for (let attempt = 0; attempt < 10; attempt++) {
        const q = await audio.silence(quietFrom, SILENT_RMS, 1000, WAIT_MS);
        await sleep(300 + Math.random() * 500);
        // By position in the stream, not arrival: one chunk holds the end of a sound and the silence after it.
        const floor = audio.windows.reduce((max, w) => (w.sample >= q.sample && w.rms > max ? w.rms : max), 0);
        // The onset threshold clears 4× the floor; a floor that high is something playing, not a codec's noise.
        if (floor <= ONSET_RMS / 4) return floor;
        if (process.env.BENCH_LATENCY_DEBUG) o.progress(`${what}: sound (level ${floor.toFixed(0)}) after a second of silence; waiting again\n${recent()}\n${levels(q.at - 6000)}`);
        quietFrom = performance.now();
      }
      throw new Error(`${what}: the stream never went quiet before it\n${recent()}`);
    };

    /** One question, timed to its onset in the pulled stream, with its first line's stages. */
    type Timed = Extract<RoomEvent, { kind: 'speech.timing' }>;
    const timing = (segmentId: string, after: number): Promise<Timed | null> =>
      op.event('speech.timing', after, (e) => is('speech.timing')(e) && e.segmentId === segmentId, 5000).then((x) => x.event as Timed, () => null);

    const ask = async (i: number): Promise<{ onset: number; stages: Array<{ stage: string; ms: number }> | null; extra: Record<string, number>; right: boolean }> => {
      const floor = await quiet(`question ${i + 1}`);
      const id = `q${i + 1}`;
      const asked = viewer.send({ type: 'question', id, user: { id: `viewer-${i + 1}`, name: `Viewer ${i + 1}` }, text: items[i]!.question });
      const ack = await viewer.reply(id, asked);
      if (ack.status !== 'queued') throw new Error(`question ${i + 1} was ${String(ack.status)}, not queued`);
      const questionId = String(ack.questionId);
      const onset = await audio.onset(asked, Math.max(ONSET_RMS, 4 * floor), WAIT_MS);
      const sentence = await op.event(`question ${i + 1}: answer.sentence`, asked, (e) => is('answer.sentence')(e) && e.questionId === questionId, WAIT_MS);
      const segmentId = String(sentence.event.segmentId);
      const outcome = await viewer.log.next(`question ${i + 1}: answered`, asked, (x) => (x.frame.type === 'question.answered' || x.frame.type === 'question.unanswered') && x.frame.questionId === questionId, 30_000);
      // Long there by now (it comes as the line's first packet reaches the gateway); a build without it is timed all the same.
      const timed = await timing(segmentId, asked);
      if (outcome.frame.type !== 'question.answered') throw new Error(`question ${i + 1} was not answered on air: ${String(outcome.frame.reason)}`);
      // The onset must be this answer's: after its line reached the host.
      if (onset.at < sentence.at) throw new Error(`question ${i + 1}: an onset ${(onset.at - asked).toFixed(0)} ms after the question, before its line reached the host: not this answer's audio`);
      quietFrom = outcome.at;
      const extra: Record<string, number> = {};
      if (timed?.timing.askedAt !== undefined) extra.bot = timed.timing.askedAt - epochOf(asked);
      if (timed?.timing.ingestAt !== undefined) extra.viewer = epochOf(onset.at) - timed.timing.ingestAt;
      return { onset: onset.at - asked, stages: timed?.stages ?? null, extra, right: outcome.frame.text === items[i]!.answer };
    };

    const warm = await ask(o.questions);
    o.progress(`room on air, stream pulled; warm-up question heard after ${warm.onset.toFixed(0)} ms; ${o.questions} questions`);
    const meter = new CpuMeter({
      server: sys.part('server').pid, workers: sys.part('workers').pid, render: sys.part('render').pid, gateway: sys.part('gateway').pid,
      bench: process.pid,
    });
    const redis0 = await redisCpuMs(sys.redis);
    meter.begin();
    const result: StreamLatencyResult = {
      warmUpMs: warm.onset, onset: [], breakdown: new StageSamples(), wrongAnswers: 0, untimed: 0, interruptReported: [], interruptSilence: [],
      goOnset: [], goBreakdown: new StageSamples(), wallMs: 0, cpuMs: {},
    };
    for (let i = 0; i < o.questions; i++) {
      const r = await ask(i);
      result.onset.push(r.onset);
      if (r.stages) result.breakdown.add(r.stages, r.extra);
      else result.untimed++;
      if (!r.right) result.wrongAnswers++;
      sys.assertAlive();
      if ((i + 1) % 4 === 0) o.progress(`${i + 1} of ${o.questions} questions`);
    }

    // Interrupts: a long line said by the operator, cut while it is heard.
    for (let i = 0; i < o.interrupts; i++) {
      const floor = await quiet(`interrupt ${i + 1}`);
      const sayId = op.nextId('say');
      const said = op.send({ type: 'say', id: sayId, room: ROOM, text: longLine(i) });
      await op.reply(sayId, said);
      const heard = await audio.onset(said, Math.max(ONSET_RMS, 4 * floor), WAIT_MS);
      const started = await op.event(`interrupt ${i + 1}: speech.started`, said, (e) => is('speech.started')(e) && e.text === longLine(i), WAIT_MS);
      await sleep(800 + Math.random() * 800);
      const intId = op.nextId('int');
      const sent = op.send({ type: 'speech.interrupt', id: intId, room: ROOM });
      await op.reply(intId, sent);
      const cut = await op.event(`interrupt ${i + 1}: speech.finished`, heard.at, (e) => is('speech.finished')(e) && e.segmentId === started.event.segmentId, WAIT_MS);
      if (cut.event.interrupted !== true) throw new Error(`interrupt ${i + 1}: the line ended by itself before the interrupt reached it`);
      const silent = await audio.silence(sent, SILENT_RMS, CUT_HOLD_MS, WAIT_MS);
      if (process.env.BENCH_LATENCY_DEBUG) o.progress(`interrupt ${i + 1}: sent ${sent.toFixed(0)}, heard ${heard.at.toFixed(0)}, silent ${silent.at.toFixed(0)}\n${levels(heard.at - 500)}`);
      result.interruptReported.push(cut.at - sent);
      result.interruptSilence.push(silent.at - sent);
      quietFrom = silent.at;
    }
    if (o.interrupts) o.progress(`${o.interrupts} interrupts`);

    // show.go: a rundown of manual segments, each a prepared line; the last never plays (the show waits for go).
    if (o.gos > 0) {
      const library: LibraryDocument = {
        format: 'livehost.library/1',
        materials: Array.from({ length: o.gos }, (_, i) => ({ id: `part-${i}`, title: `Part ${i + 1}`, text: scriptLine(i) })),
      };
      await sys.api('POST', `/api/rooms/${ROOM}/library?mode=replace`, library);
      const segment = (i: number): RundownSegment => ({
        id: `seg-${i}`, title: `Part ${i + 1}`, plannedMs: 10_000, start: { rule: 'manual' }, items: [{ kind: 'material', materialId: `part-${i % o.gos}` }],
      });
      await sys.api('PUT', `/api/rooms/${ROOM}/rundown`, { version: 0, segments: Array.from({ length: o.gos + 1 }, (_, i) => segment(i)) });
      for (const until = Date.now() + 120_000; ;) {
        const { materials } = await sys.api<{ materials: Material[] }>('GET', `/api/rooms/${ROOM}/materials`);
        const failed = materials.find((m) => m.status === 'failed');
        if (failed) throw new Error(`material ${failed.id} failed to synthesize: ${failed.error}`);
        if (materials.length === o.gos && materials.every((m) => m.status === 'ready')) break;
        if (Date.now() > until) throw new BenchTimeoutError('the show\'s materials were not synthesized in 120 s');
        await sleep(200);
      }
      for (let i = 0; i < o.gos; i++) {
        const floor = await quiet(`show.go ${i + 1}`);
        const id = op.nextId('go');
        const sent = op.send({ type: 'show.go', id, room: ROOM });
        await op.reply(id, sent);
        const onset = await audio.onset(sent, Math.max(ONSET_RMS, 4 * floor), WAIT_MS);
        const line = await op.event(`show.go ${i + 1}: answer.sentence`, sent, (e) => is('answer.sentence')(e) && e.text === scriptLine(i), WAIT_MS);
        if (onset.at < line.at) throw new Error(`show.go ${i + 1}: an onset before its line reached the host`);
        const done = await op.event(`show.go ${i + 1}: speech.finished`, sent, (e) => is('speech.finished')(e) && e.segmentId === line.event.segmentId, 30_000);
        const t = await timing(String(line.event.segmentId), sent);
        result.goOnset.push(onset.at - sent);
        if (t) {
          result.goBreakdown.add(t.stages, {
            ...(t.timing.sentAt !== undefined ? { go: t.timing.sentAt - epochOf(sent) } : {}),
            ...(t.timing.ingestAt !== undefined ? { viewer: epochOf(onset.at) - t.timing.ingestAt } : {}),
          });
        }
        quietFrom = done.at;
      }
      o.progress(`${o.gos} show.go`);
    }
    const { wallMs, cpuMs } = meter.read();
    cpuMs.redis = (await redisCpuMs(sys.redis)) - redis0;
    op.check();
    viewer.check();
    return { ...result, wallMs, cpuMs };
  } finally {
    pulled?.close();
    bot?.close();
    op.close();
  }
}

// npm run bench:show — the show's reaction times (issue 8), in two parts:
//   1. 50 rooms running shows on one render host at once (the real RenderHost and
//      ServerClient in this process, each room on the real media clock: SpeechScheduler on
//      a 30 fps FrameTicker with the real ffmpeg decoder, nothing drawn or encoded), each
//      driven by its own operator: show.go, an urgent material.play, speech.interrupt and an
//      urgent say, each timed to the segment (or stop) at the host and to its first audio
//      frame (first frame with the mouth closed); 200 runs each; an avatar command relayed
//      through the same server to the same host is the floor, measured in the same run;
//   2. an idle room on the real render host (render-bridge/main.ts, reference renderer,
//      ffmpeg, niced as the bootstrap runs it) publishing through the real gateway: a bot's
//      question → the answer's first audio in the HTTP-FLV stream pulled from the gateway,
//      over 50 distinct knowledge-base questions.
// The server and workers (and gateway, render host) are real processes on free ports with
// their own data dir and key prefix; CPU time of each comes from /proc. Any run that times
// out, or a line that never reaches the host or plays whole twice, fails the bench.
import { loadAverage, machineLine, sampleLoad } from './lib/machine.js';
import { runShowLoad, type LoadMeasure, type LoadResult } from './lib/show-load.js';
import { ms, percentile, summarize, table } from './lib/stats.js';
import { runStreamAnswers, type StreamResult } from './lib/stream-answers.js';
import { BenchSystem } from './lib/system.js';

const ROOMS = Number(process.env.BENCH_SHOW_ROOMS ?? 50);
const RUNS = Number(process.env.BENCH_SHOW_RUNS ?? 200);
const QUESTIONS = Number(process.env.BENCH_SHOW_QUESTIONS ?? 50);
const RENDER_NICE = Number(process.env.LIVEHOST_RENDER_NICE ?? 5);
const PARTS = (process.env.BENCH_SHOW_PARTS ?? 'load,stream').split(',');
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/** One frame at 30 fps: "on the next frame" (issue 8). */
const FRAME_MS = 1000 / 30;

const out = (s: string) => process.stdout.write(`${s}\n`);
const progress = (s: string) => out(`  … ${s}`);

const LOAD_ROWS: Array<{ measure: LoadMeasure; label: string; goal: string; met?: (p50: number, p99: number) => boolean }> = [
  { measure: 'goSegment', label: 'show.go → segment at the host', goal: '—' },
  { measure: 'goAudio', label: 'show.go → its first audio frame', goal: '—' },
  { measure: 'playSegment', label: 'material.play urgent (prepared) → segment at the host', goal: '—' },
  { measure: 'playAudio', label: 'material.play urgent → its first audio frame', goal: '—' },
  { measure: 'saySegment', label: 'say urgent (synthesized now) → segment at the host', goal: '—' },
  { measure: 'sayAudio', label: 'say urgent → its first audio frame', goal: '—' },
  { measure: 'decode', label: '  of the three: segment at the host → audio decoded (ffmpeg)', goal: '—' },
  { measure: 'decodedToFrame', label: '  of the three: audio decoded → first audio frame', goal: '—' },
  { measure: 'interruptStop', label: 'speech.interrupt → speech.stop at the host', goal: '—' },
  { measure: 'interruptClosed', label: 'speech.interrupt → first frame with the mouth closed', goal: '—' },
  { measure: 'stopToClosed', label: '  of which speech.stop at the host → mouth closed', goal: `≤ ${FRAME_MS.toFixed(1)} (next frame)`, met: (_p50, p99) => p99 <= FRAME_MS },
  { measure: 'cutToClosed', label: 'urgent line cuts the one on air: stop at host → mouth closed', goal: `≤ ${FRAME_MS.toFixed(1)} (next frame)`, met: (_p50, p99) => p99 <= FRAME_MS },
  { measure: 'command', label: 'baseline: avatar command → host (no director)', goal: '—' },
];

function cpuLine(cpuMs: Record<string, number>, wallMs: number, names: Record<string, string>): string {
  const parts = Object.entries(names).map(([k, label]) => `${label} ${(cpuMs[k]! / 1000).toFixed(1)} s (${((100 * cpuMs[k]!) / wallMs).toFixed(0)} % of a core)`);
  return `CPU over ${(wallMs / 1000).toFixed(0)} s: ${parts.join(', ')}`;
}

function printLoad(r: LoadResult): void {
  out('');
  out(`1. ${r.rooms} rooms running shows on one render host (media clocks only), ${r.rooms * r.cycles} runs of each`);
  const rows = [['measure', 'n', 'p50', 'p99', 'max', 'goal (ms)', '']];
  for (const row of LOAD_ROWS) {
    const s = summarize(r.samples[row.measure]);
    rows.push([row.label, String(s.n), ms(s.p50, 1), ms(s.p99, 1), ms(s.max, 1), row.goal, row.met ? (row.met(s.p50, s.p99) ? 'met' : 'missed') : '']);
  }
  out(table(rows));
  const base = r.samples.command;
  const ratio = (m: LoadMeasure) => `p50 ${(percentile(r.samples[m], 50) / percentile(base, 50)).toFixed(1)}×, p99 ${(percentile(r.samples[m], 99) / percentile(base, 99)).toFixed(1)}×`;
  out(`against the baseline (same run): show.go → host ${ratio('goSegment')}; material.play → host ${ratio('playSegment')}; interrupt → stop at host ${ratio('interruptStop')}`);
  out(`${r.sayCuts} of ${r.samples.sayAudio.length} urgent says were synthesized before the script line on air ended and cut it; the rest aired after it`);
  out(cpuLine(r.cpuMs, r.wallMs, { server: 'server', workers: 'workers (+ flite)', bench: 'bench process (load + 50 media clocks + decoders)', redis: 'redis' }));
  out(`bench process event-loop delay: p99 ${r.loopDelay.p99.toFixed(1)} ms, max ${r.loopDelay.max.toFixed(1)} ms`);
}

function printStream(r: StreamResult): void {
  out('');
  out(`2. an idle room on the real render host and gateway: ${r.questions} distinct questions, answers from the knowledge base`);
  const onset = summarize(r.onset);
  const rows = [['measure', 'n', 'p50', 'p95', 'max', 'goal', '']];
  rows.push(['question → first answer audio in the pulled stream', String(onset.n), ms(onset.p50), ms(onset.p95), ms(onset.max), 'p50 ≤ 500 ms', onset.p50 <= 500 ? 'met' : 'missed']);
  for (const [label, xs] of [['  question → answer.sentence at the operator (line at the host)', r.sentence], ['  question → speech.started at the operator', r.started]] as const) {
    const s = summarize(xs);
    rows.push([label, String(s.n), ms(s.p50), ms(s.p95), ms(s.max), '', '']);
  }
  out(table(rows));
  out('(hosted avatar APIs advertise 0.5–1 s from a user\'s turn to the avatar speaking)');
  if (r.wrongAnswers) out(`${r.wrongAnswers} of ${r.questions} answers were not the question's own entry (timed all the same)`);
  out(cpuLine(r.cpuMs, r.wallMs, { server: 'server', workers: 'workers (+ flite)', render: 'render host (+ ffmpeg)', gateway: 'gateway', bench: 'bench (bot + pull ffmpeg)', redis: 'redis' }));
}

out(`bench:show — ${machineLine()}`);
out(`redis ${REDIS_URL.replace(/\/\/[^@]*@/, '//…@')}`);
let failed = false;
const cycles = Math.ceil(RUNS / ROOMS);
if (PARTS.includes('load')) {
  const sys = await BenchSystem.start({ redisUrl: REDIS_URL });
  try {
    const load = sampleLoad();
    printLoad(await runShowLoad(sys, ROOMS, cycles, progress));
    out(load.stop());
  } catch (err) {
    failed = true;
    out(`\nFAILED (rooms under load): ${(err as Error).stack ?? String(err)}`);
    for (const p of sys.parts) out(`--- ${p.name} (last output)\n${p.output().slice(-1500)}`);
  } finally {
    await sys.stop();
  }
}
if (!failed && PARTS.includes('stream')) {
  const sys = await BenchSystem.start({ redisUrl: REDIS_URL, gateway: true });
  try {
    const load = sampleLoad();
    printStream(await runStreamAnswers(sys, QUESTIONS, RENDER_NICE, progress));
    out(load.stop());
  } catch (err) {
    failed = true;
    out(`\nFAILED (stream): ${(err as Error).stack ?? String(err)}`);
    for (const p of sys.parts) out(`--- ${p.name} (last output)\n${p.output().slice(-1500)}`);
  } finally {
    await sys.stop();
  }
}
out(`\nload average at the end: ${loadAverage()}`);
process.exit(failed ? 1 : 0);

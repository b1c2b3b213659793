// npm run bench:latency — what a viewer gets (issue 15), in two runs:
//   1. the one-machine case: server, workers (knowledge base + flite), the real render host
//      (reference renderer, ffmpeg, RTMP; niced as the bootstrap runs it) and the real gateway,
//      all on this machine; the stream pulled from the gateway as a player pulls it and its
//      audio decoded: a bot's question → the answer's first audio, interrupt → silence,
//      show.go → first audio, each with the line's stages (speech.timing) beside it;
//   2. the speech pipeline alone (render hosts as machines of their own): the same server and
//      workers, the render host's client, scheduler and decoder in the bench process on the
//      real media clock, nothing drawn or encoded: question → first audio frame on that clock.
// Every part is a real process on free ports with its own data dir and key prefix; CPU time
// of each comes from /proc. Settings: BENCH_LATENCY_QUESTIONS (12), BENCH_LATENCY_INTERRUPTS
// (8), BENCH_LATENCY_GOS (8), BENCH_LATENCY_RUNS (stream,pipeline), LIVEHOST_RENDER_NICE (5).
import { execFileSync } from 'node:child_process';
import type { PipelineLatencyResult } from './lib/latency-pipeline.js';
import type { StreamLatencyResult } from './lib/latency-stream.js';
import { loadAverage, machineLine } from './lib/machine.js';
import { ms, summarize, table } from './lib/stats.js';
import { BenchSystem } from './lib/system.js';

const QUESTIONS = Number(process.env.BENCH_LATENCY_QUESTIONS ?? 12);
const INTERRUPTS = Number(process.env.BENCH_LATENCY_INTERRUPTS ?? 8);
const GOS = Number(process.env.BENCH_LATENCY_GOS ?? 8);
const RUNS = (process.env.BENCH_LATENCY_RUNS ?? 'stream,pipeline').split(',');
const RENDER_NICE = Number(process.env.LIVEHOST_RENDER_NICE ?? 5);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

const out = (s: string) => process.stdout.write(`${s}\n`);
const progress = (s: string) => out(`  … ${s}`);
const uptime = () => {
  try {
    return execFileSync('uptime', { encoding: 'utf8' }).trim();
  } catch {
    return `load average ${loadAverage()}`;
  }
};

function cpuLine(cpuMs: Record<string, number>, wallMs: number, names: Record<string, string>): string {
  const parts = Object.entries(names).map(([k, label]) => `${label} ${(cpuMs[k]! / 1000).toFixed(1)} s (${((100 * cpuMs[k]!) / wallMs).toFixed(0)} % of a core)`);
  return `CPU over ${(wallMs / 1000).toFixed(0)} s: ${parts.join(', ')}`;
}

type Row = [label: string, samples: number[], goal: string, met?: (p50: number, p95: number) => boolean];
function figures(rows: Row[]): string {
  const lines = [['measure', 'n', 'p50', 'p95', 'max', 'goal', '']];
  for (const [label, xs, goal, met] of rows) {
    const s = summarize(xs);
    lines.push([label, String(s.n), ms(s.p50), ms(s.p95), ms(s.max), goal, met && s.n ? (met(s.p50, s.p95) ? 'met' : 'missed') : '']);
  }
  return table(lines);
}

function printStream(r: StreamLatencyResult): void {
  out('');
  out(`1. one machine: server, workers, the real render host (nice ${RENDER_NICE}) and gateway; an idle room, distinct questions answered from the knowledge base`);
  out(figures([
    ['question → first answer audio in the pulled stream', r.onset, 'p50 ≤ 500, p95 ≤ 800', (p50, p95) => p50 <= 500 && p95 <= 800],
    ['interrupt → silence in the pulled stream', r.interruptSilence, 'p95 ≤ 300', (_p50, p95) => p95 <= 300],
    ['  interrupt → the host\'s report of the cut (operator)', r.interruptReported, ''],
    ['show.go → first audio in the pulled stream', r.goOnset, ''],
  ]));
  out(`(the first question after the room went on air, not counted: ${r.warmUpMs.toFixed(0)} ms; hosted avatar APIs advertise 0.5–1 s from a user's turn to the avatar speaking)`);
  if (r.wrongAnswers) out(`${r.wrongAnswers} of ${r.onset.length} answers were not the question's own entry (timed all the same)`);
  if (r.untimed) out(`${r.untimed} answers came without a speech.timing event`);
  out('');
  out('where an answer\'s first line spent its time (speech.timing; bot and viewer measured by the bench):');
  out(r.breakdown.table(summarize(r.onset).p50));
  if (r.goOnset.length) {
    out('');
    out('where a show.go line spent its time:');
    out(r.goBreakdown.table(summarize(r.goOnset).p50));
  }
  out(cpuLine(r.cpuMs, r.wallMs, { server: 'server', workers: 'workers (+ flite)', render: 'render host (+ ffmpeg)', gateway: 'gateway', bench: 'bench (bot, operator, pull ffmpeg)', redis: 'redis' }));
}

function printPipeline(r: PipelineLatencyResult): void {
  out('');
  out('2. the speech pipeline alone: server and workers as processes, the render host\'s client, scheduler and decoder on the media clock in the bench process (nothing drawn or encoded)');
  out(figures([['question → first audio frame on the host\'s media clock', r.firstFrame, '']]));
  out(`(the first question, not counted: ${r.warmUpMs.toFixed(0)} ms)`);
  if (r.wrongAnswers) out(`${r.wrongAnswers} of ${r.firstFrame.length} answers were not the question's own entry (timed all the same)`);
  out(r.breakdown.table(summarize(r.firstFrame).p50));
  out(cpuLine(r.cpuMs, r.wallMs, { server: 'server', workers: 'workers (+ flite)', bench: 'bench (bot, operator, host clock + decoder)', redis: 'redis' }));
}

out(`bench:latency — ${machineLine()}`);
out(`uptime at the start: ${uptime()}`);
out('this machine is shared: other engineers\' tests and benches run on the same 2 vCPUs (the load above); every part measured here competes with them');
out(`redis ${REDIS_URL.replace(/\/\/[^@]*@/, '//…@')}`);
let failed = false;
if (RUNS.includes('stream')) {
  const sys = await BenchSystem.start({ redisUrl: REDIS_URL, gateway: true });
  try {
    const { runStreamLatency } = await import('./lib/latency-stream.js');
    printStream(await runStreamLatency(sys, { questions: QUESTIONS, interrupts: INTERRUPTS, gos: GOS, renderNice: RENDER_NICE, progress }));
  } catch (err) {
    failed = true;
    out(`\nFAILED (one machine): ${(err as Error).stack ?? String(err)}`);
    for (const p of sys.parts) out(`--- ${p.name} (last output)\n${p.output().slice(-1500)}`);
  } finally {
    await sys.stop();
  }
  out(`uptime after run 1: ${uptime()}`);
}
if (!failed && RUNS.includes('pipeline')) {
  const sys = await BenchSystem.start({ redisUrl: REDIS_URL });
  try {
    const { runPipelineLatency } = await import('./lib/latency-pipeline.js');
    printPipeline(await runPipelineLatency(sys, QUESTIONS, progress));
  } catch (err) {
    failed = true;
    out(`\nFAILED (pipeline alone): ${(err as Error).stack ?? String(err)}`);
    for (const p of sys.parts) out(`--- ${p.name} (last output)\n${p.output().slice(-1500)}`);
  } finally {
    await sys.stop();
  }
}
out(`\nuptime at the end: ${uptime()}`);
process.exit(failed ? 1 : 0);

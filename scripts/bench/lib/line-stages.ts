import { LINE_STAGES, type StageDuration } from '../../../protocol/index.js';
import { ms, percentile, table } from './stats.js';

/** What each stage of a line's path is, for the breakdown beside the figures (protocol/timing.ts). */
const LABELS: Record<string, string> = {
  bot: 'bot → server (the question over its WebSocket)',
  go: 'operator\'s show.go → the director sends the prepared line',
  intake: 'server: moderation, grouping → qa job queued',
  qa_wait: 'qa job waiting for a worker',
  answer: 'qa worker: the knowledge base answering (first sentence)',
  check: 'output check on the sentence',
  tts_wait: 'tts job waiting for a worker',
  synthesis: 'tts worker: flite (3 runs) and the timeline, stored',
  segment_wait: 'ready segment → the room\'s director',
  director: 'director: order, then sent to the host',
  to_host: 'server → render host (WebSocket)',
  decode: 'host: audio decoded to 48 kHz',
  schedule: 'host: waiting for its frame on the media clock',
  render: 'host: the frame drawn and written to ffmpeg',
  encode: 'ffmpeg: x264 + AAC → its first audio packet out',
  publish: 'RTMP host → gateway ingest',
  program: 'gateway: program feed passes it on (IVS, recorder)',
  viewer: 'gateway → heard in the pulled stream (relay, player decode, 30 ms lead-in)',
};

/** Stage durations of many lines, by stage (plus any extra stages a bench measures itself). */
export class StageSamples {
  readonly byStage = new Map<string, number[]>();
  lines = 0;

  add(stages: readonly StageDuration[] | ReadonlyArray<{ stage: string; ms: number }>, extra: Record<string, number> = {}): void {
    this.lines++;
    for (const { stage, ms: d } of [...stages, ...Object.entries(extra).map(([stage, d]) => ({ stage, ms: d }))]) {
      const list = this.byStage.get(stage) ?? [];
      list.push(d);
      this.byStage.set(stage, list);
    }
  }

  /** p50 / p95 per stage in path order, with the share of the total's p50 each stage's p50 is. */
  table(totalP50: number): string {
    const order = ['bot', 'go', ...LINE_STAGES, 'viewer'].filter((s) => this.byStage.has(s));
    const rows = [['stage', 'n', 'p50', 'p95', 'max', 'share of p50', 'what']];
    for (const stage of order) {
      const xs = this.byStage.get(stage)!;
      const p50 = percentile(xs, 50);
      rows.push([stage, String(xs.length), ms(p50, 1), ms(percentile(xs, 95), 1), ms(Math.max(...xs), 1),
        Number.isFinite(totalP50) && totalP50 > 0 ? `${((100 * p50) / totalP50).toFixed(0)} %` : '', LABELS[stage] ?? '']);
    }
    return table(rows);
  }
}

/** performance.now() of this process as wall-clock ms since the epoch (the parts' stamps are Date.now()). */
export const epochOf = (perfNow: number): number => performance.timeOrigin + perfNow;

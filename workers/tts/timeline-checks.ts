import { compile, SpeechTimeline, type Viseme } from '../../protocol/index.js';

const validator = compile(SpeechTimeline);

/** The viseme showing at time t (each holds until the next). */
export function visemeAt(timeline: SpeechTimeline, t: number): Viseme {
  let current: Viseme = 'sil';
  for (const v of timeline.visemes) {
    if (v.timeMs > t) break;
    current = v.viseme;
  }
  return current;
}

/** Everything wrong with a timeline against the protocol's rules; empty when it is sound. */
export function timelineProblems(timeline: SpeechTimeline): string[] {
  const problems: string[] = [];
  const valid = validator.check(timeline);
  if (!valid.ok) problems.push(`schema: ${valid.error}`);
  let last = -1;
  for (const v of timeline.visemes) {
    if (v.timeMs < last) problems.push(`viseme ${v.viseme}@${v.timeMs} is before ${last}`);
    if (v.timeMs < 0 || v.timeMs >= timeline.durationMs) problems.push(`viseme ${v.viseme}@${v.timeMs} outside 0..${timeline.durationMs}`);
    last = v.timeMs;
  }
  for (const w of timeline.words) {
    if (w.startMs < 0 || w.startMs + w.durationMs > timeline.durationMs + 0.1) problems.push(`word ${w.text} outside the audio`);
  }
  if (timeline.visemes[timeline.visemes.length - 1]?.viseme !== 'sil') problems.push('the mouth does not close at the end');
  return problems;
}

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FfmpegAudioDecoder } from './audio-decoder.js';
import { SpeechScheduler, type SpeechEvent } from './speech-scheduler.js';
import { mouthOpenness } from './mouth-timeline.js';
import { SAMPLES_PER_FRAME } from './media-timing.js';
import { makeSegment, writeToneWav } from '../test-helpers/segments.js';

const dir = mkdtempSync(join(tmpdir(), 'sched-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const wav = (name: string, ms: number) => writeToneWav(join(dir, `${name}.wav`), ms);

/** Ticks frames, yielding to the event loop so decodes can finish, until `done` or a cap. */
async function run(s: SpeechScheduler, from: number, frames: number, onFrame?: (f: number, r: ReturnType<SpeechScheduler['tick']>) => void) {
  for (let f = from; f < from + frames; f++) {
    const r = s.tick(f);
    onFrame?.(f, r);
    await new Promise((res) => setTimeout(res, 2));
  }
  return from + frames;
}

describe('speech scheduler', () => {
  it('plays segments in seq order when they arrive out of order and ignores duplicates', async () => {
    const events: SpeechEvent[] = [];
    const s = new SpeechScheduler({ decoder: new FfmpegAudioDecoder(), onEvent: (e) => events.push(e), settleFrames: 3 });
    const url = wav('short', 200);
    const a = makeSegment({ id: 'a', seq: 1, url, durationMs: 200 });
    const b = makeSegment({ id: 'b', seq: 2, url, durationMs: 200 });
    const c = makeSegment({ id: 'c', seq: 3, url, durationMs: 200 });
    expect(s.enqueue(c)).toBe('queued');
    expect(s.enqueue(b)).toBe('queued');
    expect(s.enqueue(b)).toBe('duplicate');
    expect(s.enqueue(a)).toBe('queued');
    await s.decoded();
    await run(s, 0, 60);
    expect(s.enqueue(a)).not.toBe('queued'); // a replay after playing is ignored too
    await run(s, 60, 20);
    const started = events.filter((e) => e.type === 'started').map((e) => e.segmentId);
    expect(started).toEqual(['a', 'b', 'c']);
    expect(events.filter((e) => e.type === 'finished').map((e) => e.segmentId)).toEqual(['a', 'b', 'c']);
    // Back to back at frame boundaries: each starts on the frame after the previous one's last sample.
    const times = events.map((e) => e.mediaTimeMs);
    expect(times[1]! - times[0]!).toBeCloseTo(200, 0);
  });

  it('waits for a missing seq, then skips it after the gap timeout', async () => {
    const events: SpeechEvent[] = [];
    const s = new SpeechScheduler({ decoder: new FfmpegAudioDecoder(), onEvent: (e) => events.push(e), settleFrames: 0, gapTimeoutFrames: 15 });
    const url = wav('gap', 100);
    s.enqueue(makeSegment({ id: 'a', seq: 1, url, durationMs: 100 }));
    s.enqueue(makeSegment({ id: 'c', seq: 3, url, durationMs: 100 }));
    await s.decoded();
    const next = await run(s, 0, 10);
    expect(events.map((e) => `${e.type}:${e.segmentId}`)).toEqual(['started:a', 'finished:a']);
    await run(s, next, 20);
    expect(events.map((e) => `${e.type}:${e.segmentId}`)).toContain('started:c');
  });

  it('moves the mouth through intermediate openness between two visemes and carries the audio sample-exact', async () => {
    const s = new SpeechScheduler({ decoder: new FfmpegAudioDecoder(), settleFrames: 0 });
    // sil at 0, aa at 100 ms: the frame at 100 ms lies on the boundary → half open.
    s.enqueue(makeSegment({
      id: 'm', seq: 1, url: wav('mouth', 400), durationMs: 400,
      visemes: [{ viseme: 'sil', timeMs: 0 }, { viseme: 'aa', timeMs: 100 }, { viseme: 'sil', timeMs: 300 }],
      words: [{ text: 'hello', startMs: 0, durationMs: 150 }, { text: 'there', startMs: 150, durationMs: 150 }],
    }));
    await s.decoded();
    const open: number[] = [];
    const captions: Array<string | null> = [];
    let samples = 0;
    let start = -1;
    await run(s, 0, 25, (f, r) => {
      if (r.speaking && start < 0) start = f;
      if (start >= 0) {
        open.push(mouthOpenness(r.mouth));
        captions.push(r.caption);
        expect(r.audio.length).toBe(SAMPLES_PER_FRAME);
        if (r.speaking) samples += r.audio.length;
      }
    });
    expect(start).toBeGreaterThanOrEqual(0);
    expect(open[0]).toBe(0);
    expect(open[3]).toBeCloseTo(0.5, 5); // 100 ms = frame 3
    expect(open.some((o) => o > 0.05 && o < 0.95)).toBe(true);
    expect(Math.max(...open)).toBe(1);
    expect(captions[0]).toBe('hello');
    expect(captions[6]).toBe('hello there');
    // 400 ms at 48 kHz = 19200 samples = 12 frames exactly.
    expect(samples).toBe(12 * SAMPLES_PER_FRAME);
  });

  it('an interrupt closes the mouth and silences audio on the next frame and drops the named queued segments', async () => {
    const events: SpeechEvent[] = [];
    const s = new SpeechScheduler({ decoder: new FfmpegAudioDecoder(), onEvent: (e) => events.push(e), settleFrames: 0 });
    const url = wav('long', 1000);
    const vis = [{ viseme: 'aa' as const, timeMs: 0 }];
    s.enqueue(makeSegment({ id: 'p', seq: 1, url, durationMs: 1000, visemes: vis }));
    s.enqueue(makeSegment({ id: 'q1', seq: 2, url, durationMs: 1000 }));
    s.enqueue(makeSegment({ id: 'q2', seq: 3, url, durationMs: 1000 }));
    await s.decoded();
    let f = 0;
    s.tick(f++);
    expect(s.playingSegmentId).toBe('p');
    f = await run(s, f, 5);
    expect(mouthOpenness(s.tick(f++).mouth)).toBeGreaterThan(0.9);
    s.stop(['p', 'q1']);
    expect(s.queuedSegmentIds).toEqual(['q2']);
    const after = s.tick(f++);
    expect(after.mouth).toEqual({ from: 'sil', to: 'sil', weight: 0 });
    expect(after.audio.every((x) => x === 0)).toBe(true);
    expect(events.find((e) => e.type === 'finished' && e.segmentId === 'p')).toMatchObject({ interrupted: true });
    await run(s, f, 10);
    expect(events.filter((e) => e.type === 'started').map((e) => e.segmentId)).toEqual(['p', 'q2']);
    s.stop();
    expect(s.tick(f + 11).speaking).toBe(false);
    expect(s.queuedSegmentIds).toEqual([]);
  });

  it('starts a segment the director marks as the head on the first frame, without the settle wait, and stamps its timing', async () => {
    let clock = 1_000;
    const events: SpeechEvent[] = [];
    const s = new SpeechScheduler({ decoder: new FfmpegAudioDecoder(), onEvent: (e) => events.push(e), settleFrames: 6, now: () => clock });
    const url = wav('head', 200);
    s.enqueue({ ...makeSegment({ id: 'h', seq: 7, url, durationMs: 200 }), head: true, timing: { sentAt: 900, hostReceivedAt: 950 } });
    await s.decoded();
    clock = 1_050;
    s.tick(0);
    expect(s.playingSegmentId).toBe('h');
    const started = events.find((e) => e.type === 'started')!;
    expect(started).toMatchObject({ segmentId: 'h', mediaTimeMs: 0, timing: { sentAt: 900, hostReceivedAt: 950, onAirAt: 1_050 } });
    const t = (started as Extract<SpeechEvent, { type: 'started' }>).timing!;
    expect(t.decodedAt).toBeGreaterThanOrEqual(1_000);
    expect(t.decodedAt).toBeLessThanOrEqual(t.onAirAt!);

    // Not marked: a fresh host still waits the settle frames for an earlier seq.
    const other = new SpeechScheduler({ decoder: new FfmpegAudioDecoder(), settleFrames: 6 });
    other.enqueue(makeSegment({ id: 'n', seq: 7, url, durationMs: 200 }));
    await other.decoded();
    for (let f = 0; f < 6; f++) {
      other.tick(f);
      expect(other.playingSegmentId).toBeNull();
    }
    other.tick(6);
    expect(other.playingSegmentId).toBe('n');
  });
});

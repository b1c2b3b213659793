import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LevelMeter, PULL_SAMPLE_RATE, PulledAudio, findOnset, findSilence, silenceFloor, type LevelWindow } from './stream-onset.js';

const win = (at: number, level: number): LevelWindow => ({ at, sample: at * 48, rms: level });

describe('levels of arriving PCM', () => {
  it('cuts chunks of any size, odd bytes included, into whole windows at their stream position', () => {
    const meter = new LevelMeter(4);
    const pcm = Int16Array.from([0, 0, 0, 0, 100, -100, 100, -100, 7, 7]);
    const bytes = Buffer.from(pcm.buffer);
    const a = meter.push(bytes.subarray(0, 3), 1);
    const b = meter.push(bytes.subarray(3, 17), 2);
    const c = meter.push(bytes.subarray(17), 3);
    expect(a).toEqual([]);
    expect(b).toEqual([{ at: 2, sample: 0, rms: 0 }, { at: 2, sample: 4, rms: 100 }]);
    expect(c).toEqual([]); // two samples left over, not a window yet
  });

  it('finds the first loud window after a moment, never one before it', () => {
    const w = [win(0, 900), win(10, 0), win(20, 3), win(30, 400), win(40, 800)];
    expect(findOnset(w, 5, 50)).toEqual(w[3]);
    expect(findOnset(w, 35, 50)).toEqual(w[4]);
    expect(findOnset(w, 45, 50)).toBeNull();
    expect(silenceFloor(w, 5, 30)).toBe(3);
  });

  it('finds where the level drops and stays down, not a short dip', () => {
    const w = [win(0, 800), win(10, 0), win(20, 800), win(30, 2), win(40, 1), win(50, 0), win(60, 900)];
    expect(findSilence(w, 0, 10, 30)).toEqual(w[3]);
    expect(findSilence(w, 0, 10, 40)).toBeNull();
  });
});

describe('a stream pulled through ffmpeg', () => {
  let dir: string;
  let flv: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'livehost-onset-'));
    flv = path.join(dir, 'tone.flv');
    // 1 s of silence, 0.5 s of a tone, 1 s of silence, as AAC in FLV (what the gateway serves).
    execFileSync('ffmpeg', [
      '-v', 'error', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=0.5,volume=0.5,adelay=1000,apad=pad_dur=1',
      '-c:a', 'aac', '-b:a', '128k', '-f', 'flv', '-y', flv,
    ]);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('puts the onset and the silence after it where they are in the stream', async () => {
    const pulled = await PulledAudio.open(flv);
    await pulled.ended;
    const w = pulled.windows;
    expect(w.length).toBeGreaterThan(240); // ≥ 2.4 s of 10 ms windows
    const floor = silenceFloor(w, -Infinity, Infinity);
    expect(floor).toBeGreaterThan(1000); // the tone is there
    const onset = findOnset(w, -Infinity, 300)!;
    // Within two AAC frames of 1.000 s (the decoder may keep the encoder's priming samples).
    expect(onset.sample / PULL_SAMPLE_RATE).toBeGreaterThanOrEqual(0.98);
    expect(onset.sample / PULL_SAMPLE_RATE).toBeLessThan(1.05);
    // A file arrives all at once, so positions, not arrival times, say what follows the onset.
    const after = w.filter((x) => x.sample >= onset.sample);
    const quiet = findSilence(after, -Infinity, 300, 200)!;
    const end = after.find((x) => x.rms <= 300)!;
    expect(quiet.sample).toBe(end.sample);
    expect(quiet.sample / PULL_SAMPLE_RATE).toBeGreaterThan(1.45);
    expect(quiet.sample / PULL_SAMPLE_RATE).toBeLessThan(1.56);
  });
});

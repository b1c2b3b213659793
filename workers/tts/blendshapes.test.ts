import { describe, expect, it } from 'vitest';
import { BlendshapeTrack, compile } from '../../protocol/index.js';
import { blendshapeTrack, MOUTH_BLENDSHAPES } from './blendshapes.js';
import { buildTimeline } from './timeline.js';

describe('blendshapeTrack', () => {
  const timeline = buildTimeline(1000, [], [
    { viseme: 'sil', timeMs: 0 }, { viseme: 'aa', timeMs: 200 }, { viseme: 'PP', timeMs: 500 }, { viseme: 'ou', timeMs: 600 }, { viseme: 'sil', timeMs: 800 },
  ]);
  const track = blendshapeTrack(timeline);
  const at = (ms: number, name: (typeof MOUTH_BLENDSHAPES)[number]) => track.frames[Math.floor((ms / 1000) * 60)]![MOUTH_BLENDSHAPES.indexOf(name)]!;

  it('gives one frame per 1/60 s, every value within 0..1, matching the protocol schema', () => {
    expect(track.fps).toBe(60);
    expect(track.frames).toHaveLength(60);
    expect(track.names).toEqual([...MOUTH_BLENDSHAPES]);
    expect(compile(BlendshapeTrack).check(track).ok).toBe(true);
  });

  it('opens the jaw on open vowels and closes it in silence', () => {
    expect(at(100, 'jawOpen')).toBe(0);
    expect(at(450, 'jawOpen')).toBeGreaterThan(0.6);
    expect(at(560, 'mouthPressLeft')).toBeGreaterThan(0.3);
    expect(at(760, 'mouthPucker')).toBeGreaterThan(0.6);
    expect(at(990, 'jawOpen')).toBeLessThan(0.05);
  });

  it('smooths: the jaw does not jump to its target in one frame', () => {
    const i = Math.floor(((200 - 30) / 1000) * 60); // the frame where anticipation starts the vowel
    const jaw = MOUTH_BLENDSHAPES.indexOf('jawOpen');
    const step = track.frames[i + 1]![jaw]! - track.frames[i]![jaw]!;
    expect(step).toBeGreaterThan(0);
    expect(step).toBeLessThan(0.7);
  });
});

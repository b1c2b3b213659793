import { describe, expect, it } from 'vitest';
import { AUDIO_PACKET_MS, LINE_STAGES, LINE_STAMPS, lineSpan, lineStages, LineTiming, packetCarries, STAGE_ENDING_AT } from './timing.js';
import { compile } from './validate.js';

describe('a line\'s timing record', () => {
  it('names one stage per stamp after the first, each once', () => {
    expect(LINE_STAGES).toHaveLength(LINE_STAMPS.length - 1);
    expect(new Set(LINE_STAGES).size).toBe(LINE_STAGES.length);
    expect(Object.keys(STAGE_ENDING_AT)).toEqual(LINE_STAMPS.slice(1));
  });

  it('turns stamps into stages in path order, each from the stamp before it', () => {
    const t = { askedAt: 1000, qaQueuedAt: 1004, qaStartedAt: 1010, sentenceAt: 1012, ttsQueuedAt: 1013, ttsStartedAt: 1015, synthesizedAt: 1080 };
    expect(lineStages(t)).toEqual([
      { stage: 'intake', ms: 4 }, { stage: 'qa_wait', ms: 6 }, { stage: 'answer', ms: 2 }, { stage: 'check', ms: 1 },
      { stage: 'tts_wait', ms: 2 }, { stage: 'synthesis', ms: 65 },
    ]);
    expect(lineSpan(t)).toEqual({ from: 'askedAt', to: 'synthesizedAt', ms: 80 });
  });

  it('folds a missing stamp into the next stage, so the stages still add up to the whole', () => {
    // A say line (no question) from a host that reported no encoder packet.
    const t = { ttsQueuedAt: 0, ttsStartedAt: 5, synthesizedAt: 70, readyAt: 75, sentAt: 80, hostReceivedAt: 82, decodedAt: 90, onAirAt: 100, writtenAt: 108, ingestAt: 160 };
    const stages = lineStages(t);
    expect(stages.map((s) => s.stage)).toEqual(['tts_wait', 'synthesis', 'segment_wait', 'director', 'to_host', 'decode', 'schedule', 'render', 'publish']);
    expect(stages.find((s) => s.stage === 'publish')!.ms).toBe(52);
    expect(stages.reduce((sum, s) => sum + s.ms, 0)).toBe(lineSpan(t)!.ms);
    expect(lineSpan({ sentAt: 5 })).toBeNull();
  });

  it('is validated at the boundary: unknown fields, negative stamps and free-form provider names are refused', () => {
    const valid = compile(LineTiming);
    expect(valid.check({ askedAt: 1, voice: 'flite', answers: 'kb', cached: false, index: 0, streamTimeMs: 33.3 }).ok).toBe(true);
    expect(valid.check({ askedAt: -1 }).ok).toBe(false);
    expect(valid.check({ somethingElse: 1 }).ok).toBe(false);
    expect(valid.check({ voice: 'Flite; DROP' }).ok).toBe(false);
  });

  it('finds the audio packet that carries a line\'s first sample the same way on the host and at the gateway', () => {
    // AAC-LC at 48 kHz: packets of 21.33 ms; a line starting at 1000 ms is in the packet stamped 981.33.
    expect(AUDIO_PACKET_MS).toBeCloseTo(21.333, 3);
    const packets = [960, 981, 1003, 1024];
    expect(packets.find((ts) => packetCarries(ts, 1000))).toBe(981);
    expect(packets.find((ts) => packetCarries(ts, 1003))).toBe(1003);
  });
});

import { describe, expect, it } from 'vitest';
import { BadAudioError } from './errors.js';
import { applyGainDb, decodeWav, encodeWav } from './wav.js';

describe('wav', () => {
  const samples = Int16Array.from([0, 1000, -1000, 32767, -32768]);

  it('round-trips PCM s16le mono', () => {
    const wav = encodeWav(samples, 22050);
    expect(wav.length).toBe(44 + 10);
    expect(decodeWav(wav)).toEqual({ sampleRate: 22050, samples });
  });

  it('reads a streamed WAV whose data size is unknown (0xFFFFFFFF)', () => {
    const wav = encodeWav(samples, 24000);
    wav.writeUInt32LE(0xffffffff, 40);
    expect(decodeWav(wav).samples).toEqual(samples);
  });

  it('downmixes stereo to mono', () => {
    const stereo = encodeWav(Int16Array.from([100, 300, -200, -400]), 16000, 2);
    expect(Array.from(decodeWav(stereo).samples)).toEqual([200, -300]);
  });

  it('refuses what is not 16-bit PCM WAV', () => {
    expect(() => decodeWav(Buffer.from('ID3 mp3 data here'))).toThrow(BadAudioError);
    const float = encodeWav(samples, 16000);
    float.writeUInt16LE(3, 20);
    float.writeUInt16LE(32, 34);
    expect(() => decodeWav(float)).toThrow(BadAudioError);
  });

  it('applies gain with clipping instead of wrap-around', () => {
    expect(Array.from(applyGainDb(Int16Array.from([1000, 30000, -30000]), 6))).toEqual([1995, 32767, -32768]);
  });
});

import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { SpeechSegment, VisemeTiming, WordTiming } from '../../protocol/index.js';

/** Writes a mono s16le WAV of a sine tone (amplitude 0.5) and returns its file:// URL. */
export function writeToneWav(path: string, ms: number, sampleRate = 22_050, freq = 440): string {
  const n = Math.round((sampleRate * ms) / 1000);
  const data = Buffer.alloc(n * 2);
  for (let i = 0; i < n; i++) data.writeInt16LE(Math.round(16_000 * Math.sin((2 * Math.PI * freq * i) / sampleRate)), i * 2);
  const h = Buffer.alloc(44);
  h.write('RIFF', 0); h.writeUInt32LE(36 + data.length, 4); h.write('WAVE', 8);
  h.write('fmt ', 12); h.writeUInt32LE(16, 16); h.writeUInt16LE(1, 20); h.writeUInt16LE(1, 22);
  h.writeUInt32LE(sampleRate, 24); h.writeUInt32LE(sampleRate * 2, 28); h.writeUInt16LE(2, 32); h.writeUInt16LE(16, 34);
  h.write('data', 36); h.writeUInt32LE(data.length, 40);
  writeFileSync(path, Buffer.concat([h, data]));
  return pathToFileURL(path).toString();
}

export function makeSegment(p: {
  id: string; seq: number; url: string; durationMs: number; room?: string;
  visemes?: VisemeTiming[]; words?: WordTiming[]; text?: string;
}): SpeechSegment {
  return {
    segmentId: p.id, room: p.room ?? 'room-a', segmentSeq: p.seq, text: p.text ?? `segment ${p.id}`,
    language: 'en-US', priority: 'answer', final: true, durationMs: p.durationMs,
    audio: { key: `k-${p.id}`, url: p.url, format: 'wav', sampleRate: 22_050, channels: 1 },
    timeline: {
      durationMs: p.durationMs,
      words: p.words ?? [],
      visemes: p.visemes ?? [{ viseme: 'sil', timeMs: 0 }, { viseme: 'aa', timeMs: 100 }, { viseme: 'sil', timeMs: p.durationMs - 50 }],
    },
  };
}

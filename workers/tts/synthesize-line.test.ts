import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PollyClient, SynthesizeSpeechCommand } from '@aws-sdk/client-polly';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compile, SegmentReady, type TtsJobData } from '../../protocol/index.js';
import { LocalDiskStore } from '../../assets/local-disk-store.js';
import { EmptyTextError } from './errors.js';
import { EspeakProvider } from './espeak-provider.js';
import { FliteProvider } from './flite-provider.js';
import { PollyProvider } from './polly-provider.js';
import { synthesizeLine } from './synthesize-line.js';
import { VoiceProviderSet } from './voice-provider-set.js';
import type { SynthesisRequest, VoiceProvider } from './voice-provider.js';
import { decodeWav } from './wav.js';

const validSegment = compile(SegmentReady);

/** A real provider that counts its calls. */
function counted(provider: VoiceProvider): VoiceProvider & { calls: SynthesisRequest[] } {
  const calls: SynthesisRequest[] = [];
  return {
    name: provider.name,
    supports: (l) => provider.supports(l),
    synthesize: (req) => {
      calls.push(req);
      return provider.synthesize(req);
    },
    calls,
  };
}

const job = (over: Partial<TtsJobData> = {}): TtsJobData => ({
  room: 'demo',
  segmentId: 'q1.0',
  answerId: 'q1',
  index: 0,
  final: true,
  text: 'Welcome to the show.',
  language: 'en-US',
  voice: {},
  priority: 'answer',
  ...over,
});

describe('synthesizeLine', () => {
  let dataDir: string;
  let store: LocalDiskStore;
  const polly = mockClient(PollyClient);
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'lh-line-'));
    store = new LocalDiskStore(dataDir);
  });
  afterEach(async () => {
    polly.reset();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('synthesizes a repeated line once and serves the repeats from the store', async () => {
    const flite = counted(new FliteProvider());
    const providers = new VoiceProviderSet([flite, new EspeakProvider()]);
    const first = await synthesizeLine(job(), { store, providers });
    const again = await synthesizeLine(job({ segmentId: 'q2.0', answerId: 'q2' }), { store, providers });
    const [c1, c2] = await Promise.all([
      synthesizeLine(job({ segmentId: 'q3.0', answerId: 'q3' }), { store, providers }),
      synthesizeLine(job({ segmentId: 'q4.0', answerId: 'q4' }), { store, providers }),
    ]);
    expect(flite.calls).toHaveLength(1);
    for (const seg of [first, again, c1, c2]) {
      expect(validSegment.check(seg)).toEqual({ ok: true, value: seg });
      expect(seg.audio.key).toBe(first.audio.key);
      expect(seg.timeline).toEqual(first.timeline);
    }
    expect(again.segmentId).toBe('q2.0');
    expect(first.audio.key).toMatch(/^[a-f0-9]{64}\.wav$/);
    expect(first.voice).toEqual({ provider: 'flite', voice: 'en-US-female', prosody: { speed: 'medium', pitch: 0, volumeDb: 0 } });
    const wav = decodeWav((await store.get(first.audio.key))!);
    expect(wav.sampleRate).toBe(first.audio.sampleRate);
    expect(fileURLToPath(first.audio.url)).toBe(join(dataDir, 'assets', first.audio.key));
    expect(first.durationMs).toBe(first.timeline.durationMs);
  });

  it('synthesizes again when the voice or speed differs', async () => {
    const flite = counted(new FliteProvider());
    const providers = new VoiceProviderSet([flite, new EspeakProvider()]);
    await synthesizeLine(job(), { store, providers });
    await synthesizeLine(job({ voice: { voice: 'en-US-male' } }), { store, providers });
    await synthesizeLine(job({ voice: { prosody: { speed: 'fast' } } }), { store, providers });
    expect(flite.calls).toHaveLength(3);
  });

  it('cleans the text before any voice sees it, and refuses a line with nothing to say', async () => {
    const flite = counted(new FliteProvider());
    const providers = new VoiceProviderSet([flite, new EspeakProvider()]);
    const seg = await synthesizeLine(job({ text: '<speak>Hello <break time="9s"/>there 🎉</speak>' }), { store, providers });
    expect(seg.text).toBe('Hello there');
    expect(flite.calls[0]!.text).toBe('Hello there');
    await expect(synthesizeLine(job({ text: ' <b></b> 🎉 ' }), { store, providers })).rejects.toBeInstanceOf(EmptyTextError);
    expect(flite.calls).toHaveLength(1);
  });

  it('uses espeak-ng for Chinese when the job names no provider', async () => {
    const espeak = counted(new EspeakProvider());
    const providers = new VoiceProviderSet([new FliteProvider(), espeak]);
    const seg = await synthesizeLine(job({ language: 'zh-CN', text: '欢迎来到直播间。' }), { store, providers });
    expect(seg.voice.provider).toBe('espeak');
    expect(seg.voice.voice).toBe('zh-CN-female');
    expect(espeak.calls).toHaveLength(1);
    expect(validSegment.check(seg).ok).toBe(true);
  });

  it('falls back to the embedded voice when the cloud provider fails', async () => {
    polly.on(SynthesizeSpeechCommand).rejects(Object.assign(new Error('Service unavailable'), { name: 'ServiceFailureException' }));
    const providers = new VoiceProviderSet([new PollyProvider({ client: new PollyClient({ region: 'eu-west-1' }) }), new FliteProvider(), new EspeakProvider()]);
    const seg = await synthesizeLine(job({ voice: { provider: 'polly', voice: 'en-US-male' } }), { store, providers });
    expect(polly.commandCalls(SynthesizeSpeechCommand).length).toBeGreaterThan(0);
    expect(seg.voice.provider).toBe('flite');
    expect(await store.has(seg.audio.key)).toBe(true);
  });

  it('adds 60 fps blendshape frames when the job asks for them', async () => {
    const providers = new VoiceProviderSet([new FliteProvider(), new EspeakProvider()]);
    const seg = await synthesizeLine(job({ blendshapes: true }), { store, providers });
    expect(seg.timeline.blendshapes?.fps).toBe(60);
    expect(seg.timeline.blendshapes?.frames.length).toBe(Math.ceil((seg.durationMs / 1000) * 60));
    expect(validSegment.check(seg).ok).toBe(true);
  });
});

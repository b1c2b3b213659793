import { PollyClient, SynthesizeSpeechCommand, type SynthesizeSpeechCommandOutput } from '@aws-sdk/client-polly';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { VoiceProviderError } from './errors.js';
import { marksToTimeline, parseSpeechMarks, PollyProvider } from './polly-provider.js';
import { timelineProblems } from './timeline-checks.js';
import { decodeWav } from './wav.js';

const polly = mockClient(PollyClient);
afterEach(() => polly.reset());

const body = (bytes: Uint8Array | string) =>
  ({ transformToByteArray: async () => (typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes) }) as unknown as SynthesizeSpeechCommandOutput['AudioStream'];

const MARKS = [
  '{"time":0,"type":"sentence","start":45,"end":57,"value":"Hello world."}',
  '{"time":6,"type":"word","start":45,"end":50,"value":"Hello"}',
  '{"time":6,"type":"viseme","value":"k"}',
  '{"time":60,"type":"viseme","value":"@"}',
  '{"time":140,"type":"viseme","value":"t"}',
  '{"time":200,"type":"viseme","value":"o"}',
  '{"time":320,"type":"word","start":51,"end":56,"value":"world"}',
  '{"time":320,"type":"viseme","value":"u"}',
  '{"time":400,"type":"viseme","value":"r"}',
  '{"time":480,"type":"viseme","value":"t"}',
  '{"time":560,"type":"viseme","value":"sil"}',
  '{"time":600,"type":"viseme"', // torn
  '',
].join('\n');

function pcm(ms: number): Uint8Array {
  const samples = Math.round((16000 * ms) / 1000);
  const b = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++) b.writeInt16LE(Math.round(8000 * Math.sin(i / 5)), i * 2);
  return b;
}

function answer() {
  polly.on(SynthesizeSpeechCommand, { OutputFormat: 'pcm' }).resolves({ AudioStream: body(pcm(700)), ContentType: 'audio/pcm' });
  polly.on(SynthesizeSpeechCommand, { OutputFormat: 'json' }).resolves({ AudioStream: body(MARKS), ContentType: 'application/x-json-stream' });
}

describe('PollyProvider', () => {
  it('sends escaped SSML twice, for PCM audio and for word, viseme and sentence marks', async () => {
    answer();
    const provider = new PollyProvider({ client: new PollyClient({ region: 'eu-west-1' }) });
    await provider.synthesize({
      text: 'Tom & Jerry\'s "show" <break time="5s"/> 1 < 2',
      language: 'en-GB',
      voice: 'en-GB-male',
      prosody: { speed: 'slow', pitch: 20, volumeDb: -3 },
    });
    const ssml = '<speak><prosody rate="85%" volume="-3dB">Tom &amp; Jerry&apos;s &quot;show&quot; &lt;break time=&quot;5s&quot;/&gt; 1 &lt; 2</prosody></speak>';
    const inputs = polly.commandCalls(SynthesizeSpeechCommand).map((c) => c.args[0].input);
    expect(inputs).toHaveLength(2);
    expect(inputs).toContainEqual({
      Engine: 'neural', Text: ssml, TextType: 'ssml', VoiceId: 'Brian', OutputFormat: 'pcm', SampleRate: '16000',
    });
    expect(inputs).toContainEqual({
      Engine: 'neural', Text: ssml, TextType: 'ssml', VoiceId: 'Brian', OutputFormat: 'json', SpeechMarkTypes: ['sentence', 'word', 'viseme'],
    });
  });

  it('sends pitch only to standard voices, which accept it', async () => {
    answer();
    const provider = new PollyProvider({ client: new PollyClient({ region: 'eu-west-1' }), engine: 'standard' });
    await provider.synthesize({ text: 'Hi', language: 'zh-CN', voice: 'zh-CN-female', prosody: { pitch: 10, speed: 'x-fast' } });
    const input = polly.commandCalls(SynthesizeSpeechCommand)[0]!.args[0].input;
    expect(input.Text).toBe('<speak><prosody rate="135%" pitch="+10%" volume="+0dB">Hi</prosody></speak>');
    expect(input.VoiceId).toBe('Zhiyu');
    expect(input.Engine).toBe('standard');
  });

  it('wraps the PCM in a 16 kHz WAV and builds the timeline from the speech marks', async () => {
    answer();
    const provider = new PollyProvider({ client: new PollyClient({ region: 'eu-west-1' }) });
    const result = await provider.synthesize({ text: 'Hello world.', language: 'en-US', voice: 'en-US-female', prosody: {} });
    const wav = decodeWav(result.audio);
    expect(wav.sampleRate).toBe(16000);
    expect(wav.samples.length).toBe(11200);
    expect(result.timeline.durationMs).toBe(700);
    expect(result.timeline.words).toEqual([
      { text: 'Hello', startMs: 6, durationMs: 314 },
      { text: 'world', startMs: 320, durationMs: 240 },
    ]);
    expect(result.timeline.visemes).toEqual([
      { viseme: 'sil', timeMs: 0 }, { viseme: 'kk', timeMs: 6 }, { viseme: 'aa', timeMs: 60 }, { viseme: 'DD', timeMs: 140 },
      { viseme: 'oh', timeMs: 200 }, { viseme: 'ou', timeMs: 320 }, { viseme: 'RR', timeMs: 400 }, { viseme: 'DD', timeMs: 480 },
      { viseme: 'sil', timeMs: 560 },
    ]);
    expect(timelineProblems(result.timeline)).toEqual([]);
  });

  it('skips torn mark lines and unescapes word values', () => {
    const marks = parseSpeechMarks('{"time":1,"type":"word","value":"Tom&amp;Jerry"}\n{"time":2,"ty\nnot json\n');
    expect(marks).toHaveLength(1);
    expect(marksToTimeline(marks, 500).words).toEqual([{ text: 'Tom&Jerry', startMs: 1, durationMs: 499 }]);
  });

  it('reports a Polly failure as a provider error', async () => {
    polly.on(SynthesizeSpeechCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    const provider = new PollyProvider({ client: new PollyClient({ region: 'eu-west-1' }) });
    const err = await provider.synthesize({ text: 'Hi', language: 'de-DE', voice: 'de-DE-female', prosody: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VoiceProviderError);
    expect((err as VoiceProviderError).code).toBe('provider_failed');
  });
});

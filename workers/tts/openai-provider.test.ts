import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VoiceProviderError } from './errors.js';
import { OpenAiProvider } from './openai-provider.js';
import { timelineProblems, visemeAt } from './timeline-checks.js';
import { decodeWav } from './wav.js';

const run = promisify(execFile);

describe('OpenAiProvider (against a local /audio/speech server)', () => {
  let server: Server;
  let baseURL: string;
  let wav: Buffer;
  let status = 200;
  const requests: { url: string; auth: string | undefined; body: Record<string, unknown> }[] = [];

  beforeAll(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lh-openai-'));
    // A real speech WAV with a pause in the middle, as the server's answer.
    await run('flite', ['-voice', 'slt', '-t', 'Good evening everyone. Welcome to the show.', '-o', join(dir, 'a.wav')]);
    wav = await readFile(join(dir, 'a.wav'));
    await rm(dir, { recursive: true, force: true });
    server = createServer((req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        requests.push({ url: req.url ?? '', auth: req.headers.authorization, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> });
        if (status !== 200) {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: { message: 'overloaded', type: 'server_error' } }));
          return;
        }
        res.writeHead(200, { 'content-type': 'audio/wav' });
        res.end(wav);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
  });

  const provider = () => new OpenAiProvider({
    client: new OpenAI({ apiKey: 'sk-test-key', baseURL, maxRetries: 0, timeout: 5000 }),
    model: 'tts-1',
  });

  it('asks for WAV with the catalog voice and speed, and estimates a timeline from the audio', async () => {
    status = 200;
    requests.length = 0;
    const result = await provider().synthesize({
      text: 'Good evening everyone. Welcome to the show.', language: 'en-US', voice: 'en-US-male', prosody: { speed: 'fast' },
    });
    expect(requests).toEqual([{
      url: '/v1/audio/speech',
      auth: 'Bearer sk-test-key',
      body: { model: 'tts-1', voice: 'onyx', input: 'Good evening everyone. Welcome to the show.', response_format: 'wav', speed: 1.15 },
    }]);
    const original = decodeWav(wav);
    expect(result.sampleRate).toBe(original.sampleRate);
    expect(decodeWav(result.audio).samples.length).toBe(original.samples.length);

    const { timeline } = result;
    expect(timelineProblems(timeline)).toEqual([]);
    expect(timeline.words.map((w) => w.text)).toEqual(['Good', 'evening', 'everyone', 'Welcome', 'to', 'the', 'show']);
    const open = timeline.visemes.filter((v) => ['aa', 'E', 'oh'].includes(v.viseme));
    expect(open.length).toBeGreaterThan(3);
    // The sentence pause: the gap between "everyone" and "Welcome" is silent.
    const before = timeline.words[2]!;
    const after = timeline.words[3]!;
    expect(after.startMs).toBeGreaterThan(before.startMs + before.durationMs);
    expect(visemeAt(timeline, (before.startMs + before.durationMs + after.startMs) / 2)).toBe('sil');
  });

  it('reports a server error as a provider error without the API key', async () => {
    status = 503;
    const err = await provider().synthesize({ text: 'Hi', language: 'en-US', voice: 'en-US-female', prosody: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VoiceProviderError);
    expect(String((err as Error).message)).not.toContain('sk-test-key');
  });
});

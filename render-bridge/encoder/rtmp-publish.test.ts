import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childCommandLines } from '../../media/rtmp/test-support.js';
import { previewUrl, publishUrl, signPublishKey } from '../../protocol/publish-key.js';
import { SECRET, captureLogger, inOneMinute, probe, startHarness, waitFor, type Harness } from '../../stream-gateway/test-support.js';
import { SAMPLES_PER_FRAME } from '../media/media-timing.js';
import { FfmpegEncoder } from './ffmpeg-encoder.js';

const W = 320;
const H = 180;

function encoder(output: string, log = captureLogger()) {
  const enc = new FfmpegEncoder({
    settings: { width: W, height: H, fps: 30, keyframeSeconds: 1, codec: 'libx264', videoKbps: 500, audioKbps: 64, output },
    maxQueuedFrames: 30, log: log.logger, restartDelayMs: 100, maxBackoffMs: 400,
  });
  return { enc, lines: log.lines };
}

/** Feeds frames at about real time (a moving bar and a tone) until `feeding.done` is set. */
async function feed(enc: FfmpegEncoder, feeding: { done: boolean }): Promise<void> {
  const audio = new Int16Array(SAMPLES_PER_FRAME);
  const t0 = Date.now();
  for (let f = 0; !feeding.done && f < 30 * 30; f++) {
    const rgba = Buffer.alloc(W * H * 4, 40);
    const row = (f * 3) % (H - 4);
    rgba.fill(220, row * W * 4, (row + 4) * W * 4);
    for (let i = 0; i < audio.length; i++) audio[i] = Math.round(8000 * Math.sin((2 * Math.PI * 440 * (f * SAMPLES_PER_FRAME + i)) / 48_000));
    enc.writeFrame(rgba, audio);
    await new Promise((r) => setTimeout(r, Math.max(0, t0 + ((f + 1) * 1000) / 30 - Date.now())));
  }
}

describe('RTMP publishing', () => {
  let h: Harness;
  const rtmp = () => `rtmp://127.0.0.1:${h.gateway.rtmpPort}/live`;

  beforeAll(async () => { h = await startHarness(false); });
  afterAll(async () => { await h?.stop(); });

  it('publishes to the gateway with the signed key while no process has the key in its arguments', async () => {
    const key = signPublishKey(SECRET, 'enc-1', inOneMinute());
    const { enc, lines } = encoder(publishUrl(rtmp(), 'enc-1', key));
    enc.start();
    const control = { done: false };
    const feeding = feed(enc, control);
    await waitFor('live event', () => h.events.find((e) => e.room === 'enc-1' && e.state === 'live'), 15_000);

    const commands = childCommandLines();
    expect(commands.some((c) => c.includes('ffmpeg') && c.includes('pipe:4'))).toBe(true);
    for (const c of commands) expect(c).not.toContain(key);
    expect((await probe(previewUrl(`http://127.0.0.1:${h.gateway.httpPort}/live`, 'enc-1'))).codecs.sort()).toEqual(['aac', 'h264']);

    control.done = true;
    await feeding;
    await enc.stop();
    await waitFor('offline event', () => h.events.find((e) => e.room === 'enc-1' && e.state === 'offline'));
    expect(lines.join('\n')).not.toContain(key);
    expect(lines.some((l) => l.includes('"msg":"publishing"'))).toBe(true);
  });

  it('a refused key ends the run with the reason and a retry, and the key appears in no log line', async () => {
    const key = signPublishKey('not-the-gateway-secret-0123456789abcdef', 'enc-2', inOneMinute());
    const { enc, lines } = encoder(publishUrl(rtmp(), 'enc-2', key));
    const exits: number[] = [];
    enc.on('exit', ({ ranMs }) => exits.push(ranMs));
    enc.start();
    const control = { done: false };
    const feeding = feed(enc, control);
    await waitFor('two exits', () => exits.length >= 2, 15_000);
    control.done = true;
    await feeding;
    await enc.stop();
    const restarts = lines.filter((l) => l.includes('encoder exited; restarting')).map((l) => JSON.parse(l) as { reason: string; output: string });
    expect(restarts.length).toBeGreaterThanOrEqual(2);
    expect(restarts[0]!.reason).toMatch(/refused|closed the connection/);
    expect(restarts[0]!.output).toBe(`${rtmp()}/***`);
    expect(lines.join('\n')).not.toContain(key);
    expect(h.events.some((e) => e.room === 'enc-2' && e.state === 'live')).toBe(false);
  });
});

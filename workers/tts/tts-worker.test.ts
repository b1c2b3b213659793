import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compile, QUEUES, redisKeys, SegmentReady, type TtsJobData } from '../../protocol/index.js';
import { deletePrefix, redisUrl, testPrefix } from '../../test/helpers/redis.js';
import { LocalDiskStore } from '../../assets/local-disk-store.js';
import { EspeakProvider } from './espeak-provider.js';
import { FliteProvider } from './flite-provider.js';
import { timelineProblems } from './timeline-checks.js';
import { segmentJobId, startTtsWorker, type TtsWorkerHandle } from './tts-worker.js';
import { VoiceProviderSet } from './voice-provider-set.js';

const validSegment = compile(SegmentReady);

const line = (over: Partial<TtsJobData> = {}): TtsJobData => ({
  room: 'demo', segmentId: 'a1.0', answerId: 'a1', index: 0, final: true,
  text: 'Thanks for the question.', language: 'en-US', voice: {}, priority: 'answer', ...over,
});

describe('tts worker (real Redis, real flite)', () => {
  let prefix: string;
  let dataDir: string;
  let handle: TtsWorkerHandle;
  let producer: Redis;
  let tts: Queue;

  beforeEach(async () => {
    prefix = testPrefix('tts');
    dataDir = await mkdtemp(join(tmpdir(), 'lh-ttsw-'));
    handle = await startTtsWorker({
      connection: redisUrl(),
      prefix,
      store: new LocalDiskStore(dataDir),
      providers: new VoiceProviderSet([new FliteProvider(), new EspeakProvider()]),
      concurrency: 1,
      logger: pino({ level: 'silent' }),
    });
    producer = new Redis(redisUrl(), { maxRetriesPerRequest: null });
    tts = new Queue(QUEUES.tts, { connection: producer, prefix: redisKeys(prefix).bullPrefix });
  });
  afterEach(async () => {
    await handle.close();
    await tts.close();
    await producer.quit();
    await deletePrefix(prefix);
    await rm(dataDir, { recursive: true, force: true });
  });

  const settled = (jobId: string) => new Promise<{ ok: boolean; reason?: string }>((resolve) => {
    const onDone = (job: Job) => { if (job.id === jobId) resolve({ ok: true }); };
    const onFail = (job: Job | undefined, err: Error) => { if (job?.id === jobId) resolve({ ok: false, reason: err.message }); };
    handle.worker.on('completed', onDone);
    handle.worker.on('failed', onFail);
  });

  it('turns a tts job into exactly one segments job whose id is the segment id', async () => {
    const done = settled('a1.0');
    await tts.add('line', line(), { jobId: 'a1.0' });
    expect(await done).toEqual({ ok: true });

    const segments = await handle.segments.getJobs(['waiting', 'active', 'completed', 'delayed']);
    expect(segments.map((j) => j.id)).toEqual(['a1.0']);
    const seg = segments[0]!.data as SegmentReady;
    expect(validSegment.check(seg).ok).toBe(true);
    expect(seg.segmentId).toBe('a1.0');
    expect(seg.voice.provider).toBe('flite');
    expect(timelineProblems(seg.timeline)).toEqual([]);
    expect(seg.timeline.words.map((w) => w.text)).toEqual(['Thanks', 'for', 'the', 'question']);
  });

  it('never yields a second segment when the same line is processed again', async () => {
    const first = settled('a1.0');
    await tts.add('line', line(), { jobId: 'a1.0' });
    await first;
    // A retry after a crash between "segment queued" and "job completed" looks like this: the same data again.
    const retry = settled('a1.0-retry');
    await tts.add('line', line(), { jobId: 'a1.0-retry' });
    expect(await retry).toEqual({ ok: true });
    expect(await handle.segments.getJobCountByTypes('waiting', 'active', 'completed', 'delayed')).toBe(1);
  });

  it('fails an invalid job at once, without retries and without a segment', async () => {
    const done = settled('bad');
    await tts.add('line', { ...line(), room: '../etc' }, { jobId: 'bad', attempts: 3 });
    const result = await done;
    expect(result.ok).toBe(false);
    expect(result.reason).toMatch(/^invalid_job: \/room/);
    const job = await tts.getJob('bad');
    expect(job?.attemptsMade).toBe(1);
    expect(await handle.segments.getJobCountByTypes('waiting', 'active', 'completed', 'delayed')).toBe(0);
  });

  it('fails a line with nothing speakable without retrying', async () => {
    const done = settled('empty');
    await tts.add('line', line({ text: '  🎉 <br/> ' }), { jobId: 'empty', attempts: 3 });
    expect((await done).reason).toMatch(/^empty_text/);
    expect((await tts.getJob('empty'))?.attemptsMade).toBe(1);
  });
});

describe('segmentJobId', () => {
  it('keeps ordinary ids and maps ids BullMQ would refuse one-to-one', () => {
    expect(segmentJobId('q-12.3')).toBe('q-12.3');
    expect(segmentJobId('room:q1.0')).toBe('room+q1.0');
    expect(segmentJobId('42')).toBe('~42');
    expect(segmentJobId(':42')).toBe('+42');
  });
});

import type { JobsOptions } from 'bullmq';
import type { SegmentPriority } from '../../protocol/index.js';
import { segmentJobId } from '../tts/tts-worker.js';

/** A line's segment id: deterministic, so a retried answer re-adds the same ids. */
export const segmentIdFor = (answerId: string, index: number): string => `${answerId}.${index}`;

/**
 * How long a finished tts job is kept. BullMQ dedupes a job id only while the job
 * exists, so this is the window in which a retried or duplicated qa job cannot voice
 * a line twice; it outlasts any qa retry (attempts, stalled-job recovery).
 */
export const TTS_DEDUPE_WINDOW_S = 3600;

/**
 * BullMQ priority on QUEUES.tts, the same scale as the server's say-requests
 * (server/show/speech-queues.ts): urgent lines jump the queue, the rest keep FIFO.
 * Unprioritized jobs would run before every prioritized one, so every producer sets one.
 */
export const ttsBullPriority = (priority: SegmentPriority): number => (priority === 'urgent' ? 1 : 5);

export const ttsJobOptions = (segmentId: string, priority: SegmentPriority): JobsOptions => ({
  // The same id mapping as the tts worker's segment jobs (':' is BullMQ's separator).
  jobId: segmentJobId(segmentId),
  priority: ttsBullPriority(priority),
  // A provider hiccup is retried quickly; the tts worker fails bad text unrecoverably.
  attempts: 3,
  backoff: { type: 'fixed', delay: 250 },
  removeOnComplete: { age: TTS_DEDUPE_WINDOW_S, count: 50_000 },
  removeOnFail: { age: 24 * 3600 },
});

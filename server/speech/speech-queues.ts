import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { QUEUES, redisKeys, type QaJobData, type TtsJobData } from '../../protocol/index.js';

/**
 * The server's side of the speech pipeline's queues: it only adds jobs. Job ids are
 * deterministic, so adding the same question or line twice never speaks it twice.
 */
export class SpeechQueues {
  readonly qa: Queue<QaJobData>;
  readonly tts: Queue<TtsJobData>;

  constructor(connection: Redis, prefix: string) {
    const opts = {
      connection, prefix: redisKeys(prefix).bullPrefix,
      defaultJobOptions: { attempts: 3, backoff: { type: 'exponential', delay: 200 }, removeOnComplete: { age: 3600, count: 1000 }, removeOnFail: { age: 24 * 3600 } },
    };
    this.qa = new Queue<QaJobData>(QUEUES.qa, opts);
    this.tts = new Queue<TtsJobData>(QUEUES.tts, opts);
  }

  async answer(job: QaJobData): Promise<void> {
    await this.qa.add('answer', job, { jobId: job.questionId });
  }

  async say(job: TtsJobData): Promise<void> {
    await this.tts.add('line', job, { jobId: job.segmentId, priority: job.priority === 'urgent' ? 1 : 5 });
  }

  async close(): Promise<void> {
    await Promise.all([this.qa.close(), this.tts.close()]);
  }
}

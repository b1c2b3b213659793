import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { redisKeys } from '../../protocol/index.js';

const WAITING = new Set(['waiting', 'prioritized', 'delayed', 'waiting-children']);

/**
 * Calls off an answer everywhere it is still being made: a flag every worker checks
 * before it works on the answer, a message that aborts the qa worker's LLM stream at
 * once, and the removal of its qa job and tts jobs still waiting. The director drops any
 * line of it that arrives anyway, so nothing of it reaches air.
 */
export class AnswerCanceller {
  private readonly keys;

  constructor(private readonly redis: Redis, prefix: string, private readonly qa: Queue, private readonly tts: Queue) {
    this.keys = redisKeys(prefix);
  }

  async cancel(answerId: string): Promise<void> {
    await this.redis.set(this.keys.answerCancelled(answerId), '1', 'EX', 3600);
    await this.redis.publish(this.keys.answerCancelEvents, answerId);
    const ids = await this.redis.smembers(this.keys.answerTtsJobs(answerId));
    await Promise.all([answerId, ...ids].map(async (id) => {
      const queue = id === answerId ? this.qa : this.tts;
      const job = await queue.getJob(id);
      if (!job) return;
      const state = await job.getState();
      // An active job cannot be removed while its worker holds the lock; the flag and the abort stop it.
      if (WAITING.has(state)) await job.remove().catch(() => undefined);
    }));
  }
}

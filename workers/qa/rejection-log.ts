import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { redisKeys, rejectionFields, REJECTION_LOG_MAX, type RejectionRecord } from '../../protocol/index.js';

/**
 * Appends to a room's rejection log: one Redis stream entry per answer line the output
 * check held back or flagged, capped at about REJECTION_LOG_MAX entries (MAXLEN ~, so Redis
 * trims whole macro nodes cheaply). Writing it must never fail an answer: an error is
 * logged and swallowed.
 */
export function rejectionLog(redis: Redis, prefix: string, log: Logger) {
  const keys = redisKeys(prefix);
  return async (record: RejectionRecord): Promise<void> => {
    try {
      await redis.xadd(keys.rejections(record.room), 'MAXLEN', '~', REJECTION_LOG_MAX, '*', ...rejectionFields(record));
    } catch (err) {
      log.warn({ room: record.room, questionId: record.questionId, err: err instanceof Error ? err.message : String(err) }, 'could not record a rejected line');
    }
  };
}

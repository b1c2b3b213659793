import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { redisKeys, REJECTION_LOG_MAX, type RejectionRecord } from '../../protocol/index.js';

/**
 * Appends to a room's rejection log: one Redis stream entry per answer line the output
 * check held back or flagged, capped at about REJECTION_LOG_MAX entries (MAXLEN ~, so Redis
 * trims whole macro nodes cheaply). Writing it must never fail an answer: an error is
 * logged once per call and swallowed.
 */
export function rejectionLog(redis: Redis, prefix: string, log: Logger) {
  const keys = redisKeys(prefix);
  return async (record: RejectionRecord): Promise<void> => {
    const fields = Object.entries(record).flatMap(([k, v]) => [k, String(v)]);
    try {
      await redis.xadd(keys.rejections(record.room), 'MAXLEN', '~', REJECTION_LOG_MAX, '*', ...fields);
    } catch (err) {
      log.warn({ room: record.room, questionId: record.questionId, err: err instanceof Error ? err.message : String(err) }, 'could not record a rejected line');
    }
  };
}

/** Reads a stream entry's fields back into a RejectionRecord (numbers parsed). */
export function parseRejection(fields: readonly string[]): RejectionRecord {
  const o: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) o[fields[i]!] = fields[i + 1]!;
  return {
    room: o.room!, questionId: o.questionId!, index: Number(o.index), reason: o.reason as RejectionRecord['reason'],
    action: o.action as RejectionRecord['action'], detail: o.detail ?? '', text: o.text ?? '', at: Number(o.at),
  };
}

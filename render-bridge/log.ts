import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(): Logger {
  return pino({ name: 'render-bridge', level: process.env.LOG_LEVEL ?? 'info' });
}

/** A silent logger for code paths that are given none (tests, benches). */
export const silentLogger: Logger = pino({ level: 'silent' });

/**
 * An RTMP URL as it may be logged: protocol's one redaction rule (no `user:password@`, no
 * stream key, no query, nothing after a backslash).
 */
export { redactTarget as redactStreamUrl } from '../protocol/destinations.js';

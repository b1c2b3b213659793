import type { Logger } from 'pino';
import type { NmsLogger } from './nms-types.js';

/**
 * node-media-server writes its own lines with console.log through one module-level
 * logger. Route them into pino instead, so the gateway logs JSON only. Its "info" lines
 * are per-session chatter (connect, close), so they go out at debug.
 */
export function routeNmsLogs(nmsLogger: NmsLogger, log: Logger): void {
  nmsLogger.log = (message: string, level = 'info') => {
    const line = String(message);
    switch (level) {
      case 'error': log.error({ source: 'nms' }, line); break;
      case 'warn': log.warn({ source: 'nms' }, line); break;
      case 'trace': log.trace({ source: 'nms' }, line); break;
      default: log.debug({ source: 'nms' }, line);
    }
  };
}

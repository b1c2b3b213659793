import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(): Logger {
  return pino({ name: 'render-bridge', level: process.env.LOG_LEVEL ?? 'info' });
}

/** A silent logger for code paths that are given none (tests, benches). */
export const silentLogger: Logger = pino({ level: 'silent' });

/** An RTMP URL with its last path element (the stream key, a secret) masked. */
export function redactStreamUrl(url: string): string {
  const i = url.lastIndexOf('/');
  if (i < 0 || !/^rtmps?:\/\//.test(url)) return url.replace(/[^/]+$/, '***');
  return `${url.slice(0, i)}/***`;
}

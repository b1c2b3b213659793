import { describe, expect, it } from 'vitest';
import { loadGatewayConfig } from './config.js';

const SECRET = 's'.repeat(32);

describe('gateway config', () => {
  it('defaults to RTMP 1935, HTTP 8000, play auth off and the livehost prefix', () => {
    expect(loadGatewayConfig({ LIVEHOST_PUBLISH_SECRET: SECRET })).toMatchObject({
      host: '0.0.0.0', rtmpPort: 1935, httpPort: 8000, playAuth: false,
      redisUrl: 'redis://127.0.0.1:6379', redisPrefix: 'livehost', dataDir: './data', publishGraceMs: 3000,
    });
  });

  it('reads every variable it documents', () => {
    expect(loadGatewayConfig({
      LIVEHOST_PUBLISH_SECRET: SECRET, LIVEHOST_RTMP_PORT: '2935', LIVEHOST_GATEWAY_HTTP_PORT: '9000',
      LIVEHOST_PLAY_AUTH: 'on', REDIS_URL: 'redis://redis:6379/2', LIVEHOST_REDIS_PREFIX: 'lh',
      LIVEHOST_GATEWAY_HOST: '127.0.0.1', LIVEHOST_DATA_DIR: '/var/lh', LIVEHOST_PUBLISH_GRACE_MS: '0',
    })).toMatchObject({
      host: '127.0.0.1', rtmpPort: 2935, httpPort: 9000, playAuth: true, redisUrl: 'redis://redis:6379/2',
      redisPrefix: 'lh', dataDir: '/var/lh', publishGraceMs: 0,
    });
  });

  it('refuses a missing or short publish secret, naming the variable', () => {
    expect(() => loadGatewayConfig({})).toThrow(/LIVEHOST_PUBLISH_SECRET/);
    expect(() => loadGatewayConfig({ LIVEHOST_PUBLISH_SECRET: 'short' })).toThrow(/LIVEHOST_PUBLISH_SECRET/);
  });

  it('reports every bad value at once, each with its variable', () => {
    let message = '';
    try {
      loadGatewayConfig({ LIVEHOST_PUBLISH_SECRET: SECRET, LIVEHOST_RTMP_PORT: 'x', LIVEHOST_GATEWAY_HTTP_PORT: '70000', LIVEHOST_PLAY_AUTH: 'maybe', REDIS_URL: 'http://r' });
    } catch (err) {
      message = (err as Error).message;
    }
    for (const name of ['LIVEHOST_RTMP_PORT', 'LIVEHOST_GATEWAY_HTTP_PORT', 'LIVEHOST_PLAY_AUTH', 'REDIS_URL']) expect(message).toContain(name);
    expect(message).not.toContain(SECRET);
  });
});

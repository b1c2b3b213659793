import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

describe('render bridge config', () => {
  it('applies defaults when only the token is given', () => {
    expect(loadConfig({ LIVEHOST_HOST_TOKEN: 't' })).toEqual({
      serverUrl: 'ws://127.0.0.1:8080', hostToken: 't', capacity: 2, renderer: 'reference', resolution: '720p',
      keyframeSeconds: 2, encoder: 'auto', externalRendererPort: 7070, standby: false,
    });
  });

  it('refuses a missing token or a bad value with a message naming the variable', () => {
    expect(() => loadConfig({})).toThrow(/LIVEHOST_HOST_TOKEN/);
    expect(() => loadConfig({ LIVEHOST_HOST_TOKEN: 't', LIVEHOST_RESOLUTION: '4k' })).toThrow(/LIVEHOST_RESOLUTION/);
    expect(() => loadConfig({ LIVEHOST_HOST_TOKEN: 't', LIVEHOST_HOST_CAPACITY: '-1' })).toThrow(/LIVEHOST_HOST_CAPACITY/);
    expect(() => loadConfig({ LIVEHOST_HOST_TOKEN: 't', LIVEHOST_SERVER_URL: 'http://x' })).toThrow(/LIVEHOST_SERVER_URL/);
    expect(loadConfig({ LIVEHOST_HOST_TOKEN: 't', LIVEHOST_KEYFRAME_SECONDS: '1', LIVEHOST_ENCODER: 'libx264' }))
      .toMatchObject({ keyframeSeconds: 1, encoder: 'libx264' });
  });
});

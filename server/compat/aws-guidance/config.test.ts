import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config.js';

const SECRETS = { LIVEHOST_JWT_SECRET: 'j'.repeat(32), LIVEHOST_PUBLISH_SECRET: 'p'.repeat(32) };

describe('the AWS guidance adapter\'s settings', () => {
  it('are off by default, under the original\'s stage path', () => {
    const c = loadConfig(SECRETS);
    expect(c).toMatchObject({ compatAwsGuidance: false, compatAwsGuidancePrefix: '/compat/aws-guidance/prod/', compatAwsGuidanceModules: {}, compatAwsGuidanceCorsOrigins: [] });
  });

  it('read the switch, the vr_module map and the CORS origins from the environment', () => {
    const c = loadConfig({
      ...SECRETS, LIVEHOST_COMPAT_AWS_GUIDANCE: 'on', LIVEHOST_COMPAT_AWS_GUIDANCE_MODULES: '0001=mall, 0002 = expo',
      LIVEHOST_COMPAT_AWS_GUIDANCE_CORS_ORIGINS: 'https://console.example, http://127.0.0.1:3000', LIVEHOST_COMPAT_AWS_GUIDANCE_PREFIX: '/prod/',
      LIVEHOST_COMPAT_AWS_GUIDANCE_PUBLIC_URL: 'https://live.example.com',
    });
    expect(c).toMatchObject({
      compatAwsGuidance: true, compatAwsGuidanceModules: { '0001': 'mall', '0002': 'expo' }, compatAwsGuidancePrefix: '/prod/',
      compatAwsGuidanceCorsOrigins: ['https://console.example', 'http://127.0.0.1:3000'], compatAwsGuidancePublicUrl: 'https://live.example.com',
    });
  });

  it.each([
    [{ LIVEHOST_COMPAT_AWS_GUIDANCE: 'maybe' }, 'LIVEHOST_COMPAT_AWS_GUIDANCE is invalid'],
    [{ LIVEHOST_COMPAT_AWS_GUIDANCE_MODULES: '0001=Not A Room' }, 'LIVEHOST_COMPAT_AWS_GUIDANCE_MODULES is invalid'],
    [{ LIVEHOST_COMPAT_AWS_GUIDANCE_MODULES: '0001' }, 'LIVEHOST_COMPAT_AWS_GUIDANCE_MODULES is invalid'],
    [{ LIVEHOST_COMPAT_AWS_GUIDANCE_MODULES: '../x=mall' }, 'LIVEHOST_COMPAT_AWS_GUIDANCE_MODULES is invalid'],
    [{ LIVEHOST_COMPAT_AWS_GUIDANCE_PREFIX: 'compat' }, 'LIVEHOST_COMPAT_AWS_GUIDANCE_PREFIX is invalid'],
    [{ LIVEHOST_COMPAT_AWS_GUIDANCE_CORS_ORIGINS: 'console.example' }, 'LIVEHOST_COMPAT_AWS_GUIDANCE_CORS_ORIGINS is invalid'],
    [{ LIVEHOST_COMPAT_AWS_GUIDANCE_PUBLIC_URL: 'https://live.example.com/' }, 'LIVEHOST_COMPAT_AWS_GUIDANCE_PUBLIC_URL is invalid'],
    [{ LIVEHOST_COMPAT_AWS_GUIDANCE: '1' }, 'LIVEHOST_COMPAT_AWS_GUIDANCE_MODULES must map at least one vr_module'],
  ])('refuse %j at boot, naming the variable', (env, message) => {
    expect(() => loadConfig({ ...SECRETS, ...env })).toThrow(ConfigError);
    expect(() => loadConfig({ ...SECRETS, ...env })).toThrow(message);
  });
});

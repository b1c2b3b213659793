import { IvsClient } from '@aws-sdk/client-ivs';
import { IVSRealTimeClient } from '@aws-sdk/client-ivs-realtime';
import { secretKeyFromEnv } from '../../protocol/secret-box.js';
import type { ServerCore } from '../core.js';
import type { RetryOptions } from '../../protocol/aws-retry.js';
import { DestinationStore } from './destination-store.js';
import { IvsProvisioner } from './ivs-provisioner.js';

export interface DistributionOptions {
  /** AES key for stream keys; default: derived from LIVEHOST_SECRETS_KEY, else the publish secret. */
  secretKey?: Buffer;
  ivs?: IvsClient;
  realtime?: IVSRealTimeClient;
  retry?: RetryOptions;
  /** Where recordings live; default `${dataDir}/recordings`. */
  recordingsDir?: string;
}

export interface Distribution {
  store: DestinationStore;
  provisioner: IvsProvisioner;
  ivs: IvsClient;
  realtime: IVSRealTimeClient;
  recordingsDir: string;
}

/**
 * The server side of distribution, built once per instance. AWS clients take the standard
 * AWS_REGION / credentials chain; the SDK's own retries are off (maxAttempts 1) because
 * retryThrottled does them with a visible policy, and doubling both would multiply waits.
 */
export function createDistribution(core: ServerCore, options: DistributionOptions = {}): Distribution {
  const secretKey = options.secretKey ?? secretKeyFromEnv(process.env, core.config.publishSecret);
  const region = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
  const ivs = options.ivs ?? new IvsClient({ region, maxAttempts: 1 });
  const realtime = options.realtime ?? new IVSRealTimeClient({ region, maxAttempts: 1 });
  return {
    store: new DestinationStore(core.redis, core.config.redisPrefix, secretKey),
    provisioner: new IvsProvisioner(ivs, realtime, options.retry),
    ivs, realtime,
    recordingsDir: options.recordingsDir ?? `${core.config.dataDir.replace(/\/+$/, '')}/recordings`,
  };
}

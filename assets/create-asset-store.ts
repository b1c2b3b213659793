import { S3Client } from '@aws-sdk/client-s3';
import type { AssetStore } from './asset-store.js';
import { LocalDiskStore } from './local-disk-store.js';
import { S3Store } from './s3-store.js';

export class AssetConfigError extends Error {
  readonly code = 'invalid_config';
  constructor(readonly variable: string, message: string) {
    super(`${variable}: ${message}`);
    this.name = 'AssetConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The asset store the environment asks for, checked at start:
 * - LIVEHOST_ASSET_STORE: `local` (default) or `s3`
 * - LIVEHOST_DATA_DIR: local store root (default ./data; assets go in its `assets/`)
 * - LIVEHOST_S3_BUCKET (required for s3), LIVEHOST_S3_PREFIX (default `assets/`),
 *   AWS_REGION, LIVEHOST_ASSET_BASE_URL (public http(s) base for render hosts)
 */
export function createAssetStore(env: Env = process.env, deps: { s3Client?: S3Client } = {}): AssetStore {
  const kind = (env.LIVEHOST_ASSET_STORE ?? 'local').trim() || 'local';
  if (kind === 'local') return new LocalDiskStore(env.LIVEHOST_DATA_DIR?.trim() || './data');
  if (kind !== 's3') throw new AssetConfigError('LIVEHOST_ASSET_STORE', `must be "local" or "s3", got ${JSON.stringify(kind.slice(0, 20))}`);

  const bucket = env.LIVEHOST_S3_BUCKET?.trim();
  if (!bucket) throw new AssetConfigError('LIVEHOST_S3_BUCKET', 'required when LIVEHOST_ASSET_STORE=s3');
  // S3 bucket naming rules: 3–63 chars, lowercase letters, digits, dots and hyphens.
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) throw new AssetConfigError('LIVEHOST_S3_BUCKET', 'is not a valid bucket name');
  const prefix = env.LIVEHOST_S3_PREFIX ?? 'assets/';
  if (prefix && (!/^[A-Za-z0-9!_.*'()/-]*$/.test(prefix) || prefix.startsWith('/') || prefix.includes('..'))) {
    throw new AssetConfigError('LIVEHOST_S3_PREFIX', 'may hold only letters, digits and !_.*\'()/- and must not start with / or contain ..');
  }
  const baseUrl = env.LIVEHOST_ASSET_BASE_URL?.trim();
  if (baseUrl) {
    let ok = false;
    try {
      ok = ['http:', 'https:'].includes(new URL(baseUrl).protocol);
    } catch { /* reported below */ }
    if (!ok) throw new AssetConfigError('LIVEHOST_ASSET_BASE_URL', 'must be an http(s) URL');
  }
  const region = env.AWS_REGION?.trim() || env.AWS_DEFAULT_REGION?.trim();
  if (!deps.s3Client && !region) throw new AssetConfigError('AWS_REGION', 'required when LIVEHOST_ASSET_STORE=s3');
  const client = deps.s3Client ?? new S3Client({ region });
  return new S3Store({ client, bucket, prefix, publicBaseUrl: baseUrl || undefined });
}

import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { assertAssetKey } from './asset-key.js';
import type { AssetStore } from './asset-store.js';

export interface S3StoreOptions {
  client: S3Client;
  bucket: string;
  /** Object key prefix, e.g. "livehost/assets/" (LIVEHOST_S3_PREFIX). */
  prefix?: string;
  /**
   * Public base URL render hosts fetch from (CloudFront or the bucket's HTTPS endpoint),
   * LIVEHOST_ASSET_BASE_URL. Without it url() is `s3://bucket/key`, which only hosts
   * with S3 credentials can read.
   */
  publicBaseUrl?: string;
}

/** Content-addressed assets are immutable: caches may keep them for a year. */
const CACHE_CONTROL = 'public, max-age=31536000, immutable';

export class S3Store implements AssetStore {
  readonly kind = 's3' as const;
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly publicBaseUrl: string | undefined;

  constructor(opts: S3StoreOptions) {
    this.client = opts.client;
    this.bucket = opts.bucket;
    this.prefix = opts.prefix ?? '';
    this.publicBaseUrl = opts.publicBaseUrl?.replace(/\/+$/, '');
  }

  async put(key: string, data: Buffer, contentType: string): Promise<void> {
    assertAssetKey(key);
    // A single PutObject is atomic: readers see the old object, none, or the whole new one.
    await this.client.send(new PutObjectCommand({
      Bucket: this.bucket,
      Key: this.objectKey(key),
      Body: data,
      ContentType: contentType,
      CacheControl: CACHE_CONTROL,
    }));
  }

  async get(key: string): Promise<Buffer | undefined> {
    assertAssetKey(key);
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
      if (!out.Body) return undefined;
      return Buffer.from(await out.Body.transformToByteArray());
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async has(key: string): Promise<boolean> {
    assertAssetKey(key);
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  url(key: string): string {
    assertAssetKey(key);
    const objectKey = this.objectKey(key);
    return this.publicBaseUrl ? `${this.publicBaseUrl}/${objectKey}` : `s3://${this.bucket}/${objectKey}`;
  }

  private objectKey(key: string): string {
    return `${this.prefix}${key}`;
  }
}

function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NotFound' || e?.name === 'NoSuchKey' || e?.$metadata?.httpStatusCode === 404;
}

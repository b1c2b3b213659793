import { S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { AssetConfigError, createAssetStore } from './create-asset-store.js';
import { LocalDiskStore } from './local-disk-store.js';
import { S3Store } from './s3-store.js';

describe('createAssetStore', () => {
  it('defaults to a local store under LIVEHOST_DATA_DIR', () => {
    const store = createAssetStore({ LIVEHOST_DATA_DIR: '/tmp/lh-data' });
    expect(store).toBeInstanceOf(LocalDiskStore);
    expect((store as LocalDiskStore).dir).toBe('/tmp/lh-data/assets');
  });

  it('builds an S3 store from the environment', () => {
    const store = createAssetStore({
      LIVEHOST_ASSET_STORE: 's3', LIVEHOST_S3_BUCKET: 'my-bucket', AWS_REGION: 'us-east-1', LIVEHOST_ASSET_BASE_URL: 'https://cdn.example.com',
    });
    expect(store).toBeInstanceOf(S3Store);
    expect(store.url(`${'e'.repeat(64)}.wav`)).toBe(`https://cdn.example.com/assets/${'e'.repeat(64)}.wav`);
  });

  it.each([
    [{ LIVEHOST_ASSET_STORE: 'ftp' }, 'LIVEHOST_ASSET_STORE'],
    [{ LIVEHOST_ASSET_STORE: 's3', AWS_REGION: 'us-east-1' }, 'LIVEHOST_S3_BUCKET'],
    [{ LIVEHOST_ASSET_STORE: 's3', LIVEHOST_S3_BUCKET: 'Bad_Bucket', AWS_REGION: 'us-east-1' }, 'LIVEHOST_S3_BUCKET'],
    [{ LIVEHOST_ASSET_STORE: 's3', LIVEHOST_S3_BUCKET: 'ok-bucket' }, 'AWS_REGION'],
    [{ LIVEHOST_ASSET_STORE: 's3', LIVEHOST_S3_BUCKET: 'ok-bucket', AWS_REGION: 'x', LIVEHOST_S3_PREFIX: '../up' }, 'LIVEHOST_S3_PREFIX'],
    [{ LIVEHOST_ASSET_STORE: 's3', LIVEHOST_S3_BUCKET: 'ok-bucket', AWS_REGION: 'x', LIVEHOST_ASSET_BASE_URL: 'javascript:alert(1)' }, 'LIVEHOST_ASSET_BASE_URL'],
  ])('refuses %j naming %s', (env, variable) => {
    expect(() => createAssetStore(env)).toThrow(AssetConfigError);
    expect(() => createAssetStore(env)).toThrow(new RegExp(`^${variable}:`));
  });

  it('uses an injected S3 client without needing a region', () => {
    const store = createAssetStore({ LIVEHOST_ASSET_STORE: 's3', LIVEHOST_S3_BUCKET: 'ok-bucket' }, { s3Client: new S3Client({ region: 'eu-west-1' }) });
    expect(store.url(`${'a'.repeat(64)}.json`)).toBe(`s3://ok-bucket/assets/${'a'.repeat(64)}.json`);
  });
});

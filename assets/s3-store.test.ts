import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client, type GetObjectCommandOutput } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidAssetKeyError } from './asset-key.js';
import { S3Store } from './s3-store.js';

const s3 = mockClient(S3Client);
afterEach(() => s3.reset());

const KEY = `${'cd'.repeat(32)}.json`;
const notFound = (name: string) => Object.assign(new Error(name), { name, $metadata: { httpStatusCode: 404 } });
const store = (publicBaseUrl?: string) => new S3Store({ client: new S3Client({ region: 'eu-west-1' }), bucket: 'lh-assets', prefix: 'prod/assets/', publicBaseUrl });

describe('S3Store', () => {
  it('puts an immutable object under the prefix with its content type', async () => {
    s3.on(PutObjectCommand).resolves({});
    await store().put(KEY, Buffer.from('{}'), 'application/json');
    const calls = s3.commandCalls(PutObjectCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input).toEqual({
      Bucket: 'lh-assets',
      Key: `prod/assets/${KEY}`,
      Body: Buffer.from('{}'),
      ContentType: 'application/json',
      CacheControl: 'public, max-age=31536000, immutable',
    });
  });

  it('gets the object bytes, and undefined for a missing key', async () => {
    s3.on(GetObjectCommand, { Key: `prod/assets/${KEY}` }).resolves({
      Body: { transformToByteArray: async () => new TextEncoder().encode('{"a":1}') } as unknown as GetObjectCommandOutput['Body'],
    });
    expect((await store().get(KEY))?.toString()).toBe('{"a":1}');
    expect(s3.commandCalls(GetObjectCommand)[0]!.args[0].input).toEqual({ Bucket: 'lh-assets', Key: `prod/assets/${KEY}` });
    s3.reset();
    s3.on(GetObjectCommand).rejects(notFound('NoSuchKey'));
    expect(await store().get(KEY)).toBeUndefined();
  });

  it('answers has() with HeadObject', async () => {
    s3.on(HeadObjectCommand).resolves({});
    expect(await store().has(KEY)).toBe(true);
    expect(s3.commandCalls(HeadObjectCommand)[0]!.args[0].input).toEqual({ Bucket: 'lh-assets', Key: `prod/assets/${KEY}` });
    s3.reset();
    s3.on(HeadObjectCommand).rejects(notFound('NotFound'));
    expect(await store().has(KEY)).toBe(false);
  });

  it('passes other S3 errors on', async () => {
    s3.on(HeadObjectCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }));
    await expect(store().has(KEY)).rejects.toThrow('denied');
  });

  it('builds URLs from the public base URL, or s3:// without one', () => {
    expect(store('https://cdn.example.com/').url(KEY)).toBe(`https://cdn.example.com/prod/assets/${KEY}`);
    expect(store().url(KEY)).toBe(`s3://lh-assets/prod/assets/${KEY}`);
  });

  it('refuses invalid keys before calling S3', async () => {
    await expect(store().put('../x.wav', Buffer.from(''), 'audio/wav')).rejects.toBeInstanceOf(InvalidAssetKeyError);
    expect(s3.calls()).toHaveLength(0);
  });
});

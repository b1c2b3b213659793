import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidAssetKeyError } from './asset-key.js';
import { LocalDiskStore } from './local-disk-store.js';

const KEY = `${'ab'.repeat(32)}.wav`;

describe('LocalDiskStore', () => {
  let dataDir: string;
  let store: LocalDiskStore;
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'lh-assets-'));
    store = new LocalDiskStore(dataDir);
  });
  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('stores under <data dir>/assets and reads back what was put', async () => {
    expect(await store.has(KEY)).toBe(false);
    expect(await store.get(KEY)).toBeUndefined();
    await store.put(KEY, Buffer.from('RIFF data'), 'audio/wav');
    expect(await store.has(KEY)).toBe(true);
    expect((await store.get(KEY))?.toString()).toBe('RIFF data');
    expect(await readdir(join(dataDir, 'assets'))).toEqual([KEY]);
  });

  it('gives a file:// URL to the stored file', async () => {
    await store.put(KEY, Buffer.from('x'), 'audio/wav');
    const url = store.url(KEY);
    expect(url.startsWith('file://')).toBe(true);
    expect(fileURLToPath(url)).toBe(join(dataDir, 'assets', KEY));
  });

  it('leaves no temporary files behind after concurrent writes of the same key', async () => {
    await Promise.all(Array.from({ length: 8 }, (_, i) => store.put(KEY, Buffer.from(`v${i}`), 'audio/wav')));
    expect(await readdir(join(dataDir, 'assets'))).toEqual([KEY]);
    expect((await store.get(KEY))?.toString()).toMatch(/^v[0-7]$/);
  });

  it('refuses keys that could name a path outside the store', async () => {
    for (const key of ['../etc/passwd', `../${KEY}`, 'a.wav', `${KEY}\u0000`]) {
      await expect(store.put(key, Buffer.from('x'), 'audio/wav')).rejects.toBeInstanceOf(InvalidAssetKeyError);
      await expect(store.get(key)).rejects.toBeInstanceOf(InvalidAssetKeyError);
      await expect(store.has(key)).rejects.toBeInstanceOf(InvalidAssetKeyError);
      expect(() => store.url(key)).toThrow(InvalidAssetKeyError);
    }
  });
});

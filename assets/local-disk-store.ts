import { randomUUID } from 'node:crypto';
import { access, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { assertAssetKey } from './asset-key.js';
import type { AssetStore } from './asset-store.js';

/**
 * Assets as files under `${dataDir}/assets`, for one machine. Writes go to a temporary
 * file in the same directory and are renamed into place (rename is atomic on POSIX), so
 * a reader racing a writer sees the whole file or none.
 */
export class LocalDiskStore implements AssetStore {
  readonly kind = 'local' as const;
  readonly dir: string;

  constructor(dataDir: string) {
    this.dir = resolve(dataDir, 'assets');
  }

  async put(key: string, data: Buffer, _contentType: string): Promise<void> {
    assertAssetKey(key);
    // Every time, not once: an operator may clear the data directory while workers run.
    await mkdir(this.dir, { recursive: true });
    const tmp = join(this.dir, `.${key}.${randomUUID()}.tmp`);
    try {
      await writeFile(tmp, data);
      await rename(tmp, this.path(key));
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }

  async get(key: string): Promise<Buffer | undefined> {
    assertAssetKey(key);
    try {
      return await readFile(this.path(key));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  async has(key: string): Promise<boolean> {
    assertAssetKey(key);
    try {
      await access(this.path(key));
      return true;
    } catch {
      return false;
    }
  }

  url(key: string): string {
    assertAssetKey(key);
    return pathToFileURL(this.path(key)).href;
  }

  private path(key: string): string {
    return join(this.dir, key);
  }
}

/**
 * Where synthesized audio and timelines live, addressed by content (see asset-key.ts).
 * Keys are validated by every implementation, so a key can never name a path or an
 * object outside the store.
 */
export interface AssetStore {
  readonly kind: 'local' | 's3';
  /** Stores `data` under `key`; readers never see a partly written asset. */
  put(key: string, data: Buffer, contentType: string): Promise<void>;
  /** The bytes, or undefined when the key is not stored. */
  get(key: string): Promise<Buffer | undefined>;
  has(key: string): Promise<boolean>;
  /** Where a render host fetches the asset. */
  url(key: string): string;
}

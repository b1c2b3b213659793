import { createCanvas, loadImage } from '@napi-rs/canvas';
import { BridgeError } from '../errors.js';

export interface DecodedImage {
  width: number;
  height: number;
  rgba: Uint8Array;
}

export interface ImageLoader {
  load(url: string): Promise<DecodedImage>;
}

export interface HttpImageLoaderOptions {
  timeoutMs?: number;
  maxBytes?: number;
  /** Larger images are scaled down to fit: the panel never needs more, and RGBA is big. */
  maxSide?: number;
}

/** Fetches a panel image over http(s) and decodes it to RGBA with @napi-rs/canvas. */
export class HttpImageLoader implements ImageLoader {
  private readonly o: Required<HttpImageLoaderOptions>;

  constructor(options: HttpImageLoaderOptions = {}) {
    this.o = { timeoutMs: 5000, maxBytes: 10 * 1024 * 1024, maxSide: 1024, ...options };
  }

  async load(url: string): Promise<DecodedImage> {
    if (!/^https?:\/\//i.test(url)) throw new BridgeError('unsupported_url', 'panel images are fetched over http(s) only');
    let bytes: Buffer;
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(this.o.timeoutMs), redirect: 'follow' });
      if (!res.ok) throw new BridgeError('image_fetch', `image fetch answered ${res.status}`);
      const declared = Number(res.headers.get('content-length') ?? 0);
      if (declared > this.o.maxBytes) throw new BridgeError('image_fetch', 'image too large');
      bytes = Buffer.from(await res.arrayBuffer());
    } catch (err) {
      if (err instanceof BridgeError) throw err;
      throw new BridgeError('image_fetch', `image fetch failed: ${(err as Error).message}`, { cause: err });
    }
    if (bytes.length > this.o.maxBytes) throw new BridgeError('image_fetch', 'image too large');
    let img: Awaited<ReturnType<typeof loadImage>>;
    try {
      img = await loadImage(bytes);
    } catch (err) {
      throw new BridgeError('image_fetch', 'image could not be decoded', { cause: err });
    }
    const scale = Math.min(1, this.o.maxSide / Math.max(img.width, img.height));
    const width = Math.max(1, Math.round(img.width * scale));
    const height = Math.max(1, Math.round(img.height * scale));
    const canvas = createCanvas(width, height);
    const ctx = canvas.getContext('2d');
    ctx.drawImage(img, 0, 0, width, height);
    const data = ctx.getImageData(0, 0, width, height).data;
    return { width, height, rgba: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
  }
}

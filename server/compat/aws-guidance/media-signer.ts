import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signs the URLs the adapter hands out for media a client fetches or sends without a
 * header (an `<audio src>`, the render module's download, a presigned-style upload): the
 * URL is the capability for that one file, and no token ever goes into it.
 */
export class MediaSigner {
  private readonly key: Buffer;

  constructor(secret: string) {
    // A key of its own, derived: a media signature can never pass for anything else.
    this.key = createHmac('sha256', secret).update('livehost:compat:aws-guidance:media').digest();
  }

  sign(what: string): string {
    return createHmac('sha256', this.key).update(what).digest('base64url').slice(0, 32);
  }

  check(what: string, sig: unknown): boolean {
    if (typeof sig !== 'string' || sig.length !== 32) return false;
    return timingSafeEqual(Buffer.from(sig), Buffer.from(this.sign(what)));
  }

  /** Where an MP3 is fetched, relative to the adapter's prefix. */
  mp3Path(digest: string): string {
    return `media/mp3/${digest}.mp3?sig=${this.sign(`mp3:${digest}`)}`;
  }
}

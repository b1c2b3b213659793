import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

/** Long enough to start a download; a download that has started runs to its end. */
export const DOWNLOAD_LINK_TTL_S = 300;

/** What one link opens: one file of one recording of one room, nothing else. */
export interface DownloadTarget {
  room: string;
  id: string;
  file: string;
}

export type LinkVerdict = 'ok' | 'expired' | 'invalid';

/**
 * Short-lived signed download links. A browser cannot put a bearer header on a download,
 * and a recording may be gigabytes, too much to fetch into page memory; so an authenticated
 * request mints a link whose query carries an HMAC over room, recording, file and expiry.
 * The key is derived from the server's secret for this use alone (HKDF), so a link's MAC is
 * worth nothing anywhere else, and no token ever appears in a URL.
 */
export class DownloadLinks {
  private readonly key: Buffer;

  constructor(secret: string, private readonly now: () => number = Date.now) {
    this.key = Buffer.from(hkdfSync('sha256', secret, '', 'livehost recording download links v1', 32));
  }

  // Room, recording id and file name cannot contain a newline (their schemas), so the message is unambiguous.
  private mac(t: DownloadTarget, expires: number): Buffer {
    return createHmac('sha256', this.key).update(`${t.room}\n${t.id}\n${t.file}\n${expires}`).digest();
  }

  sign(t: DownloadTarget, ttlS = DOWNLOAD_LINK_TTL_S): { expires: number; sig: string } {
    const expires = Math.floor(this.now() / 1000) + ttlS;
    return { expires, sig: this.mac(t, expires).toString('base64url') };
  }

  check(t: DownloadTarget, expires: number, sig: string): LinkVerdict {
    const given = Buffer.from(sig, 'base64url');
    const expected = this.mac(t, expires);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'invalid';
    return expires * 1000 <= this.now() ? 'expired' : 'ok';
  }
}

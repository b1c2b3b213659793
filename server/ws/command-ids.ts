import { createHash, hash } from 'node:crypto';

/** HMAC-SHA256's block size (RFC 2104): the key is padded (or first hashed) to it. */
const BLOCK = 64;
/** Longest message the fast path takes; longer ones (none today) are hashed from a fresh buffer. */
const MAX_BODY = 512;

/**
 * HMAC-SHA256 (RFC 2104) with the key's padded blocks computed once and the message written
 * into a kept buffer: two one-shot hashes and no allocation but the digests. `createHmac`
 * costs twice as much per call (an object, a key schedule), and a relayed command needs
 * one MAC on the way out and one on the ack's way back.
 */
class FastHmac {
  private readonly inner = Buffer.alloc(BLOCK + MAX_BODY);
  private readonly outer = Buffer.alloc(BLOCK + 32);

  constructor(secret: string) {
    let key = Buffer.from(secret, 'utf8');
    if (key.length > BLOCK) key = createHash('sha256').update(key).digest();
    for (let i = 0; i < BLOCK; i++) {
      const k = key[i] ?? 0;
      this.inner[i] = k ^ 0x36;
      this.outer[i] = k ^ 0x5c;
    }
  }

  /** The MAC's first 9 bytes, base64url (12 characters). */
  mac9(message: string): string {
    const n = Buffer.byteLength(message, 'utf8');
    const innerInput = n <= MAX_BODY
      ? (this.inner.write(message, BLOCK, 'utf8'), this.inner.subarray(0, BLOCK + n))
      : Buffer.concat([this.inner.subarray(0, BLOCK), Buffer.from(message, 'utf8')]);
    hash('sha256', innerInput, 'buffer').copy(this.outer, BLOCK);
    // 9 bytes are exactly 12 base64 characters: the digest's first 12 are its first 9 bytes.
    return hash('sha256', this.outer, 'base64url').slice(0, 12);
  }
}

/**
 * A relayed command's id carries its way home: the operator session, the operator's own
 * message id and the time it arrived, MAC'd so a render host cannot forge an ack into
 * another operator's session. The ack can then be routed without a lookup.
 */
export class CommandIds {
  private readonly hmac: FastHmac;

  constructor(secret: string) {
    this.hmac = new FastHmac(secret);
  }

  make(sessionId: string, ref: string, receivedAt: number): string {
    const body = `${sessionId}:${receivedAt}:${ref}`;
    return `${this.hmac.mac9(body)}:${body}`;
  }

  parse(commandId: string): { sessionId: string; ref: string; receivedAt: number } | null {
    const m = /^([A-Za-z0-9_-]{12}):([A-Za-z0-9-]+):(\d+):(.+)$/.exec(commandId);
    if (!m) return null;
    const [, mac = '', sessionId = '', at = '', ref = ''] = m;
    if (!sameInConstantTime(mac, this.hmac.mac9(`${sessionId}:${at}:${ref}`))) return null;
    return { sessionId, ref, receivedAt: Number(at) };
  }
}

/** Compares two MACs without stopping at the first difference (no timing hint to a forger). */
function sameInConstantTime(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { SealedSecret } from './destinations.js';

/**
 * AES-256-GCM for secrets kept in Redis (destination stream keys). Shared by the server,
 * which seals what REST receives, and the stream gateway, which opens it to push. Node-only
 * (node:crypto), so not re-exported from protocol/index.ts.
 *
 * The key is derived with HKDF-SHA256 from LIVEHOST_SECRETS_KEY, or from
 * LIVEHOST_PUBLISH_SECRET when no separate key is set (both processes already hold it).
 * Associated data binds a ciphertext to its place (room/destination), so a sealed key
 * copied to another destination does not open.
 */
const INFO = 'livehost-secret-box-v1';

export class SecretBoxError extends Error {
  override readonly name = 'SecretBoxError';
  readonly code = 'secret_unreadable';
}

export function deriveSecretKey(material: string): Buffer {
  if (material.length < 32) throw new TypeError('secret key material must be at least 32 characters (LIVEHOST_SECRETS_KEY or LIVEHOST_PUBLISH_SECRET)');
  return Buffer.from(hkdfSync('sha256', material, 'livehost', INFO, 32));
}

/** The key material from the environment: LIVEHOST_SECRETS_KEY, else LIVEHOST_PUBLISH_SECRET. */
export function secretKeyFromEnv(env: NodeJS.ProcessEnv = process.env, fallback?: string): Buffer {
  const own = env.LIVEHOST_SECRETS_KEY;
  if (own !== undefined && own !== '') {
    if (own.length < 32) throw new TypeError('LIVEHOST_SECRETS_KEY must be at least 32 characters');
    return deriveSecretKey(own);
  }
  const shared = fallback ?? env.LIVEHOST_PUBLISH_SECRET ?? '';
  if (shared.length < 32) throw new TypeError('LIVEHOST_SECRETS_KEY or LIVEHOST_PUBLISH_SECRET (at least 32 characters) is required to seal stream keys');
  return deriveSecretKey(shared);
}

export function seal(key: Buffer, plaintext: string, aad: string): SealedSecret {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad));
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return { v: 1, iv: iv.toString('base64url'), tag: cipher.getAuthTag().toString('base64url'), data: data.toString('base64url') };
}

export function open(key: Buffer, sealed: SealedSecret, aad: string): string {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64url'));
    decipher.setAAD(Buffer.from(aad));
    decipher.setAuthTag(Buffer.from(sealed.tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    // Never echo the ciphertext or the key: only that it did not open.
    throw new SecretBoxError('a sealed secret could not be opened (wrong key or tampered data)');
  }
}

/** The associated data of a destination's sealed URL. */
export const destinationAad = (room: string, id: string): string => `destination:${room}:${id}`;

import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { Redis } from 'ioredis';
import { ProtocolError } from '../../auth/auth-error.js';
import type { CompatKeys } from './keys.js';
import type { MediaSigner } from './media-signer.js';

/** What an upload may be: the type is signed into the URL and checked against the bytes. */
export const PICTURE_TYPES = {
  'image/jpeg': { ext: 'jpg', magic: (b: Buffer) => b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  'image/png': { ext: 'png', magic: (b: Buffer) => b.length > 8 && b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) },
  'image/webp': { ext: 'webp', magic: (b: Buffer) => b.length > 12 && b.toString('ascii', 0, 4) === 'RIFF' && b.toString('ascii', 8, 12) === 'WEBP' },
} as const;
export type PictureType = keyof typeof PICTURE_TYPES;

/** A 1920×1080 JPEG (the console's size) is well under this. */
export const MAX_PICTURE_BYTES = 5 * 1024 * 1024;
/** As long as the original's presigned URLs lived. */
export const UPLOAD_TTL_S = 300;
const NAME = /^[a-f0-9]{32}\.(jpg|png|webp)$/;
/** Where the original's console puts pictures; it builds image_url as its picture base + Key. */
export const KEY_FOLDER = 'material/image/';

export interface S3Uploads {
  client: S3Client;
  bucket: string;
  /** Object key prefix (LIVEHOST_S3_PREFIX); the Key handed out is under it. */
  prefix: string;
}

export function pictureType(value: string | undefined): PictureType {
  const type = value ?? 'image/jpeg';
  if (Object.hasOwn(PICTURE_TYPES, type)) return type as PictureType;
  throw new ProtocolError('invalid_message', `content_type ${JSON.stringify(type.slice(0, 64))} is not a picture type this takes; known: ${Object.keys(PICTURE_TYPES).join(', ')}`);
}

/** A presigned S3 PUT: S3 refuses another Content-Type, and with `size` another length. */
export function presignS3Put(s3: S3Uploads, objectKey: string, type: PictureType, size?: number): Promise<string> {
  return getSignedUrl(s3.client, new PutObjectCommand({
    Bucket: s3.bucket, Key: objectKey, ContentType: type, ...(size !== undefined ? { ContentLength: size } : {}),
  }), { expiresIn: UPLOAD_TTL_S, signableHeaders: new Set(['content-type', ...(size !== undefined ? ['content-length'] : [])]) });
}

/**
 * Picture uploads for items (their image_url). With S3 configured, a presigned S3 PUT;
 * otherwise a one-time signed PUT URL served by the adapter, the picture then kept under
 * the data directory and served at a random, unguessable name (as the original's
 * CloudFront served its bucket).
 */
export class Pictures {
  constructor(
    private readonly redis: Redis,
    private readonly keys: CompatKeys,
    private readonly signer: MediaSigner,
    readonly dir: string,
    private readonly s3: S3Uploads | null,
  ) {}

  /** A new upload: its URL (absolute; `base` is the adapter's) and its Key. */
  async create(base: string, type: PictureType, size: number | undefined): Promise<{ uploadURL: string; Key: string }> {
    if (size !== undefined && size > MAX_PICTURE_BYTES) throw new ProtocolError('too_large', `a picture may have at most ${MAX_PICTURE_BYTES} bytes`);
    const name = `${randomBytes(16).toString('hex')}.${PICTURE_TYPES[type].ext}`;
    const Key = `${KEY_FOLDER}${name}`;
    if (this.s3) return { uploadURL: await presignS3Put(this.s3, `${this.s3.prefix}${Key}`, type, size), Key };
    const exp = Math.floor(Date.now() / 1000) + UPLOAD_TTL_S;
    await this.redis.set(this.keys.upload(name), type, 'EX', UPLOAD_TTL_S);
    return { uploadURL: `${base}media/${Key}?exp=${exp}&sig=${this.signer.sign(`put:${name}:${type}:${exp}`)}`, Key };
  }

  /** The PUT of an upload URL: signature, expiry, one use, type and bytes checked before anything is kept. */
  async accept(name: string, query: { exp?: unknown; sig?: unknown }, contentType: string | undefined, body: Buffer): Promise<void> {
    if (!NAME.test(name)) throw new ProtocolError('not_found', 'no such upload');
    const type = await this.redis.get(this.keys.upload(name));
    const exp = Number(query.exp);
    if (!type || !this.signer.check(`put:${name}:${type}:${exp}`, query.sig)) throw new ProtocolError('forbidden', 'this upload URL is not valid: wrong signature, expired, or used already');
    if (Date.now() / 1000 > exp) throw new ProtocolError('forbidden', 'this upload URL expired');
    if ((contentType ?? '').split(';')[0]!.trim().toLowerCase() !== type) throw new ProtocolError('unsupported_media_type', `this upload URL takes ${type}`);
    if (!PICTURE_TYPES[type as PictureType].magic(body)) throw new ProtocolError('unsupported_media_type', `the body is not a ${type} picture`);
    // Used once: of two racing PUTs, one wins.
    if (!(await this.redis.del(this.keys.upload(name)))) throw new ProtocolError('forbidden', 'this upload URL was used already');
    const file = path.join(this.dir, name);
    const tmp = path.join(this.dir, `.${name}.${randomUUID()}.tmp`);
    await mkdir(this.dir, { recursive: true });
    try {
      await writeFile(tmp, body);
      await rename(tmp, file);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }

  /** An uploaded picture's bytes and type, or null. */
  async read(name: string): Promise<{ body: Buffer; type: PictureType } | null> {
    if (!NAME.test(name)) return null;
    const ext = name.slice(name.lastIndexOf('.') + 1);
    const type = (Object.keys(PICTURE_TYPES) as PictureType[]).find((t) => PICTURE_TYPES[t].ext === ext)!;
    try {
      return { body: await readFile(path.join(this.dir, name)), type };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }
}

import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed, per-room stream keys shared by the server (which issues them) and the stream
 * gateway (which verifies them). Node-only: it uses node:crypto, so it is not re-exported
 * from protocol/index.ts (the console imports protocol in the browser).
 *
 * URLs (the stream name is always the bare room, so playback paths are predictable and a
 * key never appears in a path that a player, a CDN or an access log shows):
 *   publish  rtmp://<gateway>:1935/live/<room>?key=<publish key>
 *   preview  http://<gateway>:8000/live/<room>.flv[?token=<play token>]   (HTTP-FLV)
 *            ws://<gateway>:8000/live/<room>.flv[?token=<play token>]     (WS-FLV)
 *
 * Key format: `<room>.<expiresAtSec>.<base64url HMAC-SHA256>`. The MAC covers a version
 * tag, the purpose, the room and the expiry, so a play token cannot publish, a key for one
 * room cannot publish another, and an expired key cannot be revived by editing its expiry.
 */
export type StreamKeyPurpose = 'publish' | 'play';

export type StreamKeyRefusal = 'malformed' | 'bad_signature' | 'wrong_room' | 'expired';

export type StreamKeyCheck = { ok: true; room: string; expiresAtSec: number } | { ok: false; reason: StreamKeyRefusal };

/** The application name in every stream path (`/live/<room>`). */
export const STREAM_APP = 'live';

const ROOM = /^[a-z0-9][a-z0-9-]{0,62}$/;
const KEY = /^([a-z0-9][a-z0-9-]{0,62})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/;
const MAC_VERSION = 'livehost-stream-key-v1';

function mac(secret: string, purpose: StreamKeyPurpose, room: string, expiresAtSec: number): Buffer {
  return createHmac('sha256', secret).update(`${MAC_VERSION}\n${purpose}\n${room}\n${expiresAtSec}`).digest();
}

export function signStreamKey(secret: string, purpose: StreamKeyPurpose, room: string, expiresAtSec: number): string {
  if (!secret) throw new TypeError('signStreamKey: secret must not be empty');
  if (!ROOM.test(room)) throw new TypeError('signStreamKey: room must be a room slug');
  if (!Number.isSafeInteger(expiresAtSec) || expiresAtSec < 0) throw new TypeError('signStreamKey: expiresAtSec must be a non-negative integer');
  return `${room}.${expiresAtSec}.${mac(secret, purpose, room, expiresAtSec).toString('base64url')}`;
}

/**
 * Checks a key for `purpose`, for the room named in the stream path (`room`), at `nowSec`
 * (Unix seconds). The signature is checked before anything the key claims is trusted.
 */
export function verifyStreamKey(
  secret: string,
  purpose: StreamKeyPurpose,
  key: string | undefined | null,
  room: string,
  nowSec: number = Math.floor(Date.now() / 1000),
): StreamKeyCheck {
  if (!secret) throw new TypeError('verifyStreamKey: secret must not be empty');
  const m = typeof key === 'string' ? KEY.exec(key) : null;
  if (!m) return { ok: false, reason: 'malformed' };
  const [, keyRoom = '', exp = '', sig = ''] = m;
  const expiresAtSec = Number(exp);
  const given = Buffer.from(sig, 'base64url');
  const expected = mac(secret, purpose, keyRoom, expiresAtSec);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad_signature' };
  if (keyRoom !== room) return { ok: false, reason: 'wrong_room' };
  if (expiresAtSec <= nowSec) return { ok: false, reason: 'expired' };
  return { ok: true, room, expiresAtSec };
}

/** The key a render host publishes a room with (issued by the server). */
export const signPublishKey = (secret: string, room: string, expiresAtSec: number): string =>
  signStreamKey(secret, 'publish', room, expiresAtSec);

export const verifyPublishKey = (secret: string, key: string | undefined | null, room: string, nowSec?: number): StreamKeyCheck =>
  verifyStreamKey(secret, 'publish', key, room, nowSec);

/** A viewer's token for a room's preview when the gateway's play auth is on. */
export const signPlayToken = (secret: string, room: string, expiresAtSec: number): string =>
  signStreamKey(secret, 'play', room, expiresAtSec);

export const verifyPlayToken = (secret: string, token: string | undefined | null, room: string, nowSec?: number): StreamKeyCheck =>
  verifyStreamKey(secret, 'play', token, room, nowSec);

/** `rtmp://host:1935/live` + room + key → the URL an encoder publishes to. */
export function publishUrl(rtmpBase: string, room: string, key: string): string {
  return `${rtmpBase.replace(/\/+$/, '')}/${room}?key=${encodeURIComponent(key)}`;
}

/** `http://host:8000/live` + room (+ play token) → the HTTP-FLV preview URL. */
export function previewUrl(httpBase: string, room: string, playToken?: string): string {
  const url = `${httpBase.replace(/\/+$/, '')}/${room}.flv`;
  return playToken ? `${url}?token=${encodeURIComponent(playToken)}` : url;
}

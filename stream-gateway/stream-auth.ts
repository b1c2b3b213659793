import {
  STREAM_APP, verifyPlayToken, verifyPublishKey, type StreamKeyRefusal,
} from '../protocol/publish-key.js';

export type StreamRefusal = StreamKeyRefusal | 'wrong_app' | 'bad_room' | 'missing_key';
export type StreamDecision = { ok: true; room: string } | { ok: false; reason: StreamRefusal };

export interface StreamRequest {
  app: string;
  /** The stream name: the room slug, nothing else (`/live/<room>`). */
  name: string;
  query: Record<string, unknown>;
}

const ROOM = /^[a-z0-9][a-z0-9-]{0,62}$/;

function single(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function target(req: StreamRequest): StreamDecision {
  if (req.app !== STREAM_APP) return { ok: false, reason: 'wrong_app' };
  if (!ROOM.test(req.name)) return { ok: false, reason: 'bad_room' };
  return { ok: true, room: req.name };
}

/** Only a publish key signed for this very room, unexpired, may publish `/live/<room>`. */
export function authorizePublish(req: StreamRequest, secret: string, nowSec?: number): StreamDecision {
  const t = target(req);
  if (!t.ok) return t;
  const key = single(req.query.key);
  if (!key) return { ok: false, reason: 'missing_key' };
  const check = verifyPublishKey(secret, key, t.room, nowSec);
  return check.ok ? t : { ok: false, reason: check.reason };
}

/** With play auth on, a viewer needs a play token for this room (`?token=`). */
export function authorizePlay(req: StreamRequest, secret: string, playAuth: boolean, nowSec?: number): StreamDecision {
  const t = target(req);
  if (!t.ok || !playAuth) return t;
  const token = single(req.query.token);
  if (!token) return { ok: false, reason: 'missing_key' };
  const check = verifyPlayToken(secret, token, t.room, nowSec);
  return check.ok ? t : { ok: false, reason: check.reason };
}

import { Type, type Static } from '@sinclair/typebox';

/**
 * Every error a client can receive, over WebSocket (`{type:"error"}` frames) and REST
 * (`{error:{code,message}}` bodies). Codes are stable; messages are for humans.
 */
export const ERROR_CODES = {
  bad_json: 'The frame is not valid JSON.',
  unknown_type: 'The message type is not one this endpoint accepts.',
  invalid_message: 'The message does not match its schema; `message` names the first problem.',
  unsupported_version: 'The client speaks a protocol version this server does not.',
  unauthorized: 'No valid token: missing, malformed, expired or revoked.',
  forbidden: 'The token is valid but its role or scope does not allow this.',
  not_found: 'The named room, question, token or destination does not exist.',
  conflict: 'The request conflicts with current state (e.g. room already exists).',
  rate_limited: 'Too many messages; slow down. Persisting closes the connection with 1008.',
  too_large: 'The frame or body exceeds the size limit.',
  unsupported_media_type: 'REST: the body is not of a content type the route accepts (send application/json).',
  method_not_allowed: 'REST: the path exists, but not with this method (the Allow header lists those it has).',
  no_render_host: 'No render host with free capacity is connected for this room.',
  host_timeout: 'The render host did not acknowledge in time.',
  rejected: 'The content was rejected by moderation or the output check.',
  unavailable: 'A dependency (Redis, a provider) is unavailable; retry later.',
  internal: 'An unexpected server error; the connection stays usable.',
} as const;
export type ErrorCode = keyof typeof ERROR_CODES;
export const ErrorCodeSchema = Type.Union(Object.keys(ERROR_CODES).map((c) => Type.Literal(c as ErrorCode)));

export const ErrorFrame = Type.Object({
  type: Type.Literal('error'),
  code: ErrorCodeSchema,
  message: Type.String(),
  /** The `id` of the client message that caused it, when it had one. */
  ref: Type.Union([Type.String(), Type.Null()]),
  /** Present when the error comes on the session's ordered stream (decided after the fact, e.g. by a room's director). */
  seq: Type.Optional(Type.Integer({ minimum: 0 })),
}, { additionalProperties: false });
export type ErrorFrame = Static<typeof ErrorFrame>;

export const RestError = Type.Object({
  error: Type.Object({ code: ErrorCodeSchema, message: Type.String() }),
});
export type RestError = Static<typeof RestError>;

/** WebSocket close codes (RFC 6455 §7.4 plus the 4000–4999 private range). */
export const CLOSE_CODES = {
  normal: 1000,
  goingAway: 1001, // server shutting down: reconnect (to another instance)
  policyViolation: 1008, // sustained flooding
  messageTooBig: 1009, // frame over the size limit
  internalError: 1011,
  tryAgainLater: 1013, // a dependency (Redis) is unavailable: reconnect after a pause
  unauthorized: 4001, // token revoked or expired while connected
  forbidden: 4003,
  sessionReplaced: 4009, // the same session resumed on another socket
} as const;

/** Largest accepted client frame, bytes. */
export const MAX_FRAME_BYTES = 64 * 1024;

import type { FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { CLOSE_CODES, type ErrorFrame } from '../../protocol/index.js';
import { clientError } from '../auth/auth-error.js';

const SOCKET_GONE = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ERR_STREAM_DESTROYED', 'ERR_STREAM_WRITE_AFTER_END']);

/**
 * @fastify/websocket's errorHandler: what a socket's `error` event and a failed hub
 * handler come to. By default every one is an ERROR with a stack, which lets a client
 * write the server's log with malformed frames. Here a client's protocol error (ws closes
 * those itself, 1002/1007/1009) or a socket that went away is a debug line with its code;
 * Redis being down while a session opens is an `unavailable` error frame and close 1013
 * (try again later); only what is left is the server's fault, logged at ERROR.
 */
export function socketErrorHandler(error: Error, socket: WebSocket, request: FastifyRequest): void {
  const code = (error as { code?: unknown }).code;
  const known = clientError(error);
  if (known) {
    request.log.debug({ code: known.code }, 'websocket refused');
    if (socket.readyState === socket.OPEN) {
      const frame: ErrorFrame = { type: 'error', code: known.code, message: known.message, ref: null };
      socket.send(JSON.stringify(frame));
      socket.close(known.code === 'unavailable' ? CLOSE_CODES.tryAgainLater : CLOSE_CODES.policyViolation, known.code);
    } else {
      socket.terminate();
    }
    return;
  }
  if (typeof code === 'string' && (code.startsWith('WS_ERR_') || SOCKET_GONE.has(code))) {
    request.log.debug({ code }, 'websocket closed on a client protocol error');
  } else {
    request.log.error({ err: error }, 'websocket handler failed');
  }
  socket.terminate();
}

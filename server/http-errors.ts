import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { ErrorCode } from '../protocol/index.js';
import { clientError, ProtocolError } from './auth/auth-error.js';

/** Query strings may carry a token (browser WebSockets, the FLV player): never log them. */
export function safeUrl(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : `${url.slice(0, q)}?…`;
}

/** A 4xx Fastify (or plugin) error's code, by status, when it carries no code of ours. */
const CODE_BY_STATUS: Readonly<Record<number, ErrorCode>> = {
  400: 'invalid_message', 401: 'unauthorized', 403: 'forbidden', 404: 'not_found', 405: 'method_not_allowed',
  409: 'conflict', 413: 'too_large', 414: 'too_large', 415: 'unsupported_media_type', 429: 'rate_limited', 431: 'too_large',
};
const JSON_BODY_ERRORS = new Set(['FST_ERR_CTP_INVALID_JSON_BODY', 'FST_ERR_CTP_EMPTY_JSON_BODY']);

/**
 * One answer for every failed request: `{error:{code,message}}` with the status that says
 * whose fault it was. A client's mistake (bad body, wrong content type, unknown route,
 * a static file it may not have) is a 4xx with a code, logged in one line without a stack
 * — refusals of credentials at info, the rest at debug — so a hostile client cannot fill
 * the log. Redis being unreachable is 503 `unavailable` (one warning per outage comes from
 * the connection watcher, not one per request). Only the server's own faults are 500 and
 * logged at ERROR with their stack.
 */
export function describeFailure(err: unknown): { status: number; code: ErrorCode; message: string; fault: 'client' | 'dependency' | 'server' } {
  const known = clientError(err);
  if (known) return { status: known.statusCode, code: known.code, message: known.message, fault: known.statusCode >= 500 ? 'dependency' : 'client' };
  const e = err as Partial<FastifyError>;
  if (e.validation) return { status: 400, code: 'invalid_message', message: e.message ?? 'invalid request', fault: 'client' };
  if (e.code && JSON_BODY_ERRORS.has(e.code)) return { status: 400, code: 'bad_json', message: e.message ?? 'body is not valid JSON', fault: 'client' };
  const status = e.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    return { status, code: CODE_BY_STATUS[status] ?? 'invalid_message', message: e.message ?? 'bad request', fault: 'client' };
  }
  return { status: 500, code: 'internal', message: 'internal error', fault: 'server' };
}

function answer(err: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const failure = describeFailure(err);
  const where = { method: request.method, url: safeUrl(request.url), status: failure.status, code: failure.code };
  if (failure.fault === 'server') request.log.error({ err, ...where }, 'request failed');
  else if (failure.code === 'unauthorized' || failure.code === 'forbidden') request.log.info(where, 'request refused');
  else request.log.debug({ ...where, message: failure.message }, 'request refused');
  return reply.code(failure.status).send({ error: { code: failure.code, message: failure.message } });
}

/** Fastify's `frameworkErrors` (malformed URLs, over-long parameters): the same answer. */
export function frameworkErrors(err: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  void answer(err, request, reply);
}

// `:param` and `*` of a route path as a regex over concrete paths.
function routePattern(url: string): RegExp {
  const body = url.split('/').map((part) => (part === '*' ? '.*' : part.startsWith(':') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('/');
  return new RegExp(`^${body}/?$`);
}

/**
 * The error answer, the 404 for unknown paths and the 405 (with `Allow`) for a known
 * path asked with a method it does not have. Registered before the routes: it learns
 * them as they are added.
 */
export const httpErrors = fp(async (app: FastifyInstance) => {
  const routes: Array<{ pattern: RegExp; methods: Set<string> }> = [];
  app.addHook('onRoute', (route) => {
    const methods = (Array.isArray(route.method) ? route.method : [route.method]).map((m) => m.toUpperCase());
    routes.push({ pattern: routePattern(route.url), methods: new Set(methods.includes('GET') ? [...methods, 'HEAD'] : methods) });
  });
  // The REST API speaks JSON: a text body is 415, not a string that fails validation as 400.
  app.removeContentTypeParser('text/plain');
  app.setErrorHandler((err: FastifyError | ProtocolError, request, reply) => answer(err, request, reply));
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    const allowed = new Set(routes.filter((r) => r.pattern.test(path)).flatMap((r) => [...r.methods]));
    if (allowed.size > 0 && !allowed.has(request.method)) {
      void reply.header('allow', [...allowed].sort().join(', '));
      return answer(new ProtocolError('method_not_allowed', `${request.method} is not allowed on ${safeUrl(request.url)}; allowed: ${[...allowed].sort().join(', ')}`), request, reply);
    }
    return answer(new ProtocolError('not_found', `no route ${request.method} ${safeUrl(request.url)}`), request, reply);
  });
}, { name: 'livehost-http-errors' });

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { STREAM_APP } from '../protocol/publish-key.js';
import type { GatewayHttpRoutes } from './http-gate.js';
import type { MetadataFeed } from './metadata/metadata-feed.js';
import type { GatewayMetrics } from './metrics/gateway-metrics.js';
import { authorizePlay } from './stream-auth.js';

export interface GatewayRoutesOptions {
  metrics?: GatewayMetrics;
  feed?: MetadataFeed;
  publishSecret: string;
  /** The preview's rule applies to its metadata: a play token for the room when play auth is on. */
  playAuth: boolean;
  log: Logger;
}

/**
 * The gateway's own routes on its preview port:
 *   GET /metrics            Prometheus text (room and destination ids as labels, never URLs)
 *   GET /metadata/<room>    Server-Sent Events: the room's captions and question cards
 */
export function gatewayRoutes(options: GatewayRoutesOptions): GatewayHttpRoutes {
  return (req: IncomingMessage, res: ServerResponse) => {
    let url: URL;
    try { url = new URL(req.url ?? '/', 'http://gateway.invalid'); } catch { return false; }
    if (req.method !== 'GET') return false;
    if (url.pathname === '/metrics' && options.metrics) {
      options.metrics.render().then(({ contentType, body }) => {
        res.writeHead(200, { 'content-type': contentType }).end(body);
      }, (err: Error) => {
        options.log.warn({ err: err.message }, 'metrics not rendered');
        res.writeHead(500).end();
      });
      return true;
    }
    const m = /^\/metadata\/([^/]+)$/.exec(url.pathname);
    if (m && options.feed) {
      const decision = authorizePlay({ app: STREAM_APP, name: m[1] ?? '', query: Object.fromEntries(url.searchParams) }, options.publishSecret, options.playAuth);
      if (!decision.ok) {
        const status = decision.reason === 'bad_room' ? 404 : decision.reason === 'missing_key' ? 401 : 403;
        res.writeHead(status, { 'content-type': 'text/plain', 'access-control-allow-origin': '*' }).end(`${decision.reason}\n`);
        return true;
      }
      options.feed.subscribe(decision.room, res);
      return true;
    }
    return false;
  };
}

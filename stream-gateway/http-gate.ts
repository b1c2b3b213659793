import { STATUS_CODES, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { authorizePlay, type StreamRequest } from './stream-auth.js';

export interface GateRefusal { status: 401 | 403 | 404; reason: string; room?: string }

/** `/live/<room>.flv?…` → its parts, the way node-media-server reads it; anything else → null. */
export function parseFlvUrl(rawUrl: string | undefined): StreamRequest | null {
  let url: URL;
  try { url = new URL(rawUrl ?? '/', 'http://gateway.invalid'); } catch { return null; }
  const m = /^\/([A-Za-z0-9_-]+)\/([A-Za-z0-9_-]+)\.flv$/.exec(url.pathname);
  if (!m) return null;
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = v;
  return { app: m[1] ?? '', name: m[2] ?? '', query };
}

/**
 * Decides, before node-media-server sees it, whether an HTTP-FLV request or a WS-FLV
 * upgrade may play. It answers 401/403 instead of NMS's empty 200, refuses a WebSocket
 * before the upgrade completes, and keeps malformed paths away from NMS (a WS path that
 * fails its name check throws inside its connection handler). Publishes (HTTP POST, WS
 * sub-protocol "post"/"publisher") pass: the prePublish hook checks their key.
 */
export function gateRequest(req: IncomingMessage, secret: string, playAuth: boolean, websocket: boolean): GateRefusal | null {
  if (!websocket && req.method !== 'GET' && req.method !== 'HEAD') return null;
  const target = parseFlvUrl(req.url);
  if (!target) return { status: 404, reason: 'bad_path' };
  const subprotocol = String(req.headers['sec-websocket-protocol'] ?? '').split(',')[0]?.trim().toLowerCase();
  if (websocket && (subprotocol === 'post' || subprotocol === 'publisher')) return null;
  const decision = authorizePlay(target, secret, playAuth);
  if (decision.ok) return null;
  const room = decision.reason === 'bad_room' || decision.reason === 'wrong_app' ? undefined : target.name;
  if (decision.reason === 'wrong_app' || decision.reason === 'bad_room') return { status: 404, reason: decision.reason };
  return { status: decision.reason === 'missing_key' ? 401 : 403, reason: decision.reason, room };
}

/** The gateway's own HTTP routes (/metrics, /metadata/<room>), served before NMS sees a request; true when handled. */
export type GatewayHttpRoutes = (req: IncomingMessage, res: ServerResponse) => boolean;

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;
type UpgradeListener = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

/** Puts the gate in front of the listeners NMS (express) and ws attached to `server`. */
export function installHttpGate(server: HttpServer, secret: string, playAuth: boolean, log: Logger, routes?: GatewayHttpRoutes): void {
  const onRequest = server.listeners('request') as RequestListener[];
  const onUpgrade = server.listeners('upgrade') as UpgradeListener[];
  server.removeAllListeners('request');
  server.removeAllListeners('upgrade');
  const refused = (req: IncomingMessage, r: GateRefusal, kind: string) =>
    log.warn({ room: r.room, reason: r.reason, status: r.status, ip: req.socket.remoteAddress, transport: kind }, 'play refused');

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (routes?.(req, res)) return;
    const r = gateRequest(req, secret, playAuth, false);
    if (r) {
      refused(req, r, 'http-flv');
      res.writeHead(r.status, { 'content-type': 'text/plain', 'access-control-allow-origin': '*' }).end(`${r.reason}\n`);
      return;
    }
    for (const listener of onRequest) listener.call(server, req, res);
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const r = gateRequest(req, secret, playAuth, true);
    if (r) {
      refused(req, r, 'ws-flv');
      socket.end(`HTTP/1.1 ${r.status} ${STATUS_CODES[r.status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    for (const listener of onUpgrade) listener.call(server, req, socket, head);
  });
}

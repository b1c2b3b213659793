import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import type { Server as NetServer } from 'node:net';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { createRedis } from '../protocol/redis-connection.js';
import { pino, type Logger } from 'pino';
import { GatewayError } from './errors.js';
import { freePort } from './free-port.js';
import { installHttpGate, type GatewayHttpRoutes } from './http-gate.js';
import { routeNmsLogs } from './nms-logger.js';
import type { NmsBroadcast, NmsContext, NmsEvent, NmsLogger, NmsSession, NodeMediaServerCtor } from './nms-types.js';
import { authorizePlay, authorizePublish, type StreamDecision } from './stream-auth.js';
import { RedisStreamState } from './stream-state.js';
import { STREAM_APP, signPlayToken } from '../protocol/publish-key.js';
import { watchRedis } from '../protocol/redis-outage.js';

const require = createRequire(import.meta.url);

export interface GatewayOptions {
  /** Bind address of both listeners. */
  host: string;
  /** 0 picks a free port (tests); the bound ports are returned. */
  rtmpPort: number;
  httpPort: number;
  /** Verifies publish keys and play tokens (protocol/publish-key.ts). */
  publishSecret: string;
  /** Require a play token for HTTP-FLV / WS-FLV / RTMP playback. */
  playAuth: boolean;
  redisUrl: string;
  redisPrefix: string;
  /** node-media-server keeps a small JSON store (publish history) under `<dataDir>/gateway`. */
  dataDir: string;
  /**
   * How long a dropped publisher keeps its room live so a reconnect inside the window
   * resumes the same stream instead of flapping offline/live (NMS's default is 30 s).
   */
  publishGraceMs?: number;
  logger?: Logger;
  /** Told when a room goes live / offline, e.g. to forward it (destinations/). Closed with the gateway. */
  forwarder?: StreamForwarder;
  /** Extra HTTP routes on the preview port (metrics, timed metadata); see gateway-routes.ts. */
  httpRoutes?: GatewayHttpRoutes;
  /** Told of each accepted publish and each audio packet it brings, as it arrives (program/stream-stamps.ts). */
  ingestTap?: IngestTap;
}

export interface IngestTap {
  published(room: string): void;
  /** `ts` is the publisher's own timestamp; NMS adds `offset` to it for players. */
  audio(room: string, ts: number, offset: number): void;
}

export interface StreamForwarder {
  /** `source` gives an RTMP URL, `flvSource` an HTTP-FLV URL to read the room from this gateway (with a fresh play token when play auth is on). */
  onLive(room: string, source: () => string, flvSource: () => string): void;
  onOffline(room: string): void;
  close(): Promise<void>;
}

export interface Gateway {
  readonly rtmpPort: number;
  readonly httpPort: number;
  liveRooms(): string[];
  close(): Promise<void>;
}

const DEFAULT_GRACE_MS = 3000;
/** NMS checks its own md5 URL signature; the stamp we give an accepted session lives this long. */
const STAMP_TTL_SEC = 60;

let running = false;

/**
 * The stream gateway: node-media-server for RTMP ingest and HTTP-FLV / WS-FLV preview,
 * with livehost's signed keys deciding who publishes and plays, and publish state
 * reported on the Redis bus.
 *
 * Auth rides on NMS's own check rather than closing sessions after the fact: NMS emits
 * prePublish/prePlay synchronously just before it verifies `?sign=` against
 * `auth.secret`. We set that secret to a random per-process value nobody else knows, and
 * in the hook stamp a valid `sign` on sessions our HMAC key accepts (and strip any other).
 * A refused publisher is thus turned away by NMS before it becomes the room's publisher,
 * before postPublish fires, and without holding the room for NMS's reconnect window.
 */
export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  if (!options.publishSecret) throw new GatewayError('config', 'publishSecret must not be empty');
  if (running) throw new GatewayError('already_running', 'a stream gateway is already running in this process');
  running = true;
  try {
    return await start(options);
  } catch (err) {
    running = false;
    throw err;
  }
}

async function start(options: GatewayOptions): Promise<Gateway> {
  const log = (options.logger ?? pino({ name: 'stream-gateway', level: process.env.LOG_LEVEL ?? 'info' })).child({ part: 'stream-gateway' });
  const graceMs = options.publishGraceMs ?? DEFAULT_GRACE_MS;

  const NodeMediaServer = require('node-media-server') as NodeMediaServerCtor;
  const Context = require('node-media-server/src/core/context.js') as NmsContext;
  routeNmsLogs(require('node-media-server/src/core/logger.js') as NmsLogger, log);

  const internalSecret = randomBytes(32).toString('hex');
  const stamp = (session: NmsSession) => {
    const exp = Math.floor(Date.now() / 1000) + STAMP_TTL_SEC;
    const md5 = createHash('md5').update(`${session.streamPath}-${exp}-${internalSecret}`).digest('hex');
    session.streamQuery.sign = `${exp}-${md5}`;
  };
  /** Keys and tokens stop at the hook: nothing downstream (NMS stats, history) holds them. */
  const scrub = (session: NmsSession) => {
    const query = session.streamQuery ?? (session.streamQuery = {});
    delete query.key;
    delete query.token;
    delete query.sign;
    return query;
  };
  const logRefusal = (session: NmsSession, kind: 'publish' | 'play', decision: StreamDecision & { ok: false }) => {
    const room = decision.reason === 'bad_room' || decision.reason === 'wrong_app' ? undefined : session.streamName;
    log.warn({ room, reason: decision.reason, ip: session.ip, protocol: session.protocol }, `${kind} refused`);
  };

  const redis = createRedis(options.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 3 });
  watchRedis(redis, 'gateway', log);
  try {
    await redis.connect();
  } catch (err) {
    redis.disconnect();
    throw new GatewayError('config', `stream gateway cannot reach Redis (REDIS_URL): ${(err as Error).message}`, { cause: err });
  }
  const state = new RedisStreamState(redis, options.redisPrefix, log);

  const accepted = new WeakSet<NmsSession>();
  const tapped = new WeakSet<NmsBroadcast>();
  /** Sees every packet before NMS relays it: when a line's first audio reached the gateway. */
  const tapIngest = (room: string, broadcast: NmsBroadcast | undefined) => {
    const tap = options.ingestTap;
    if (!tap || !broadcast) return;
    tap.published(room);
    if (tapped.has(broadcast)) return;
    tapped.add(broadcast);
    const relay = broadcast.broadcastMessage;
    broadcast.broadcastMessage = (packet) => {
      if (packet.codec_type === 8 && packet.flags === 1) {
        try { tap.audio(room, packet.dts, broadcast._dtsOffset[8] ?? 0); } catch { /* a tap never stops the relay */ }
      }
      relay(packet);
    };
  };
  const listeners: Array<[NmsEvent, (s: NmsSession) => void]> = [
    ['prePublish', (session) => {
      const query = { ...(session.streamQuery ?? {}) };
      scrub(session);
      const decision = authorizePublish({ app: session.streamApp, name: session.streamName, query }, options.publishSecret);
      if (!decision.ok) {
        logRefusal(session, 'publish', decision);
        return;
      }
      stamp(session);
      accepted.add(session);
      if (session.broadcast) session.broadcast.publishGraceMs = graceMs;
      log.info({ room: decision.room, ip: session.ip, protocol: session.protocol }, 'publish accepted');
    }],
    ['postPublish', (session) => {
      const room = session.streamName;
      if (accepted.has(session)) tapIngest(room, session.broadcast);
      if (accepted.has(session) && state.setLive(room)) options.forwarder?.onLive(room, () => localSource(room), () => localFlv(room));
    }],
    ['donePublish', (session) => {
      if (state.setOffline(session.streamName)) options.forwarder?.onOffline(session.streamName);
    }],
    ['prePlay', (session) => {
      const query = { ...(session.streamQuery ?? {}) };
      scrub(session);
      if (!options.playAuth) return;
      const decision = authorizePlay({ app: session.streamApp, name: session.streamName, query }, options.publishSecret, true);
      if (!decision.ok) {
        logRefusal(session, 'play', decision);
        return;
      }
      stamp(session);
    }],
  ];

  const rtmpPort = options.rtmpPort || await freePort(options.host);
  const localHost = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;
  const localSource = (room: string) => {
    const base = `rtmp://${localHost}:${rtmpPort}/${STREAM_APP}/${room}`;
    return options.playAuth ? `${base}?token=${signPlayToken(options.publishSecret, room, Math.floor(Date.now() / 1000) + 300)}` : base;
  };
  const httpPort = options.httpPort || await freePort(options.host);
  const localFlv = (room: string) => {
    const base = `http://${localHost}:${httpPort}/${STREAM_APP}/${room}.flv`;
    return options.playAuth ? `${base}?token=${signPlayToken(options.publishSecret, room, Math.floor(Date.now() / 1000) + 300)}` : base;
  };
  const nms = new NodeMediaServer({
    bind: options.host,
    rtmp: { port: rtmpPort },
    http: { port: httpPort },
    auth: { publish: true, play: options.playAuth, secret: internalSecret },
    store: { path: join(options.dataDir, 'gateway'), maxHistory: 1000 },
    webadmin: { enable: false },
  });
  for (const [event, listener] of listeners) Context.eventEmitter.on(event, listener);
  const tcp = nms.rtmpServer.tcpServer;
  const http = nms.httpServer.httpServer;

  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await options.forwarder?.close();
    http?.closeAllConnections();
    await nms.stop();
    // Players and publishers were cut: end every publish now (NMS would wait out its
    // reconnect window), so each live room is reported offline before Redis closes.
    for (const broadcast of [...Context.broadcasts.values()]) broadcast._finishPublish();
    for (const room of state.liveRooms()) state.setOffline(room);
    for (const [event, listener] of listeners) Context.eventEmitter.off(event, listener);
    Context.broadcasts.clear();
    Context.sessions.clear();
    await state.flush();
    await redis.quit().catch(() => redis.disconnect());
    running = false;
    log.info('stream gateway stopped');
  };

  try {
    if (!tcp || !http) throw new Error('node-media-server created no RTMP or HTTP listener');
    installHttpGate(http, options.publishSecret, options.playAuth, log, options.httpRoutes);
    // run() calls listen() and attaches NMS's error handlers synchronously; 'listening' and
    // 'error' come later, so the handlers can be swapped before either fires. NMS exits the
    // process when a port is taken; a library must throw instead.
    const started = nms.run();
    for (const server of [tcp, http] as NetServer[]) {
      server.removeAllListeners('error');
      server.on('error', (err) => log.error({ err: err.message }, 'listener error'));
    }
    await Promise.all([tcp, http].map((server: NetServer) => once(server, 'listening')));
    await started;
  } catch (err) {
    await close();
    throw new GatewayError('listen_failed', `stream gateway could not listen: ${(err as Error).message}`, { cause: err });
  }
  const port = (server: NetServer) => {
    const address = server.address();
    return typeof address === 'object' && address ? address.port : 0;
  };
  const gateway: Gateway = { rtmpPort: port(tcp as NetServer), httpPort: port(http as NetServer), liveRooms: () => state.liveRooms(), close };
  log.info({ host: options.host, rtmpPort: gateway.rtmpPort, httpPort: gateway.httpPort, playAuth: options.playAuth }, 'stream gateway listening');
  return gateway;
}

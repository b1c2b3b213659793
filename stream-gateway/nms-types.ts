import type { Server as NetServer } from 'node:net';
import type { Server as HttpServer } from 'node:http';
import type { WebSocketServer } from 'ws';

/**
 * The parts of node-media-server 4.4 (plain JS, no typings) the gateway touches, as read
 * from its source: src/index.js, src/core/context.js, src/session/base_session.js,
 * src/server/broadcast_server.js.
 */
export interface NmsSession {
  id: string;
  /** "address:port"; empty for internal sessions (record, relay). */
  ip: string;
  protocol: string;
  streamApp: string;
  streamName: string;
  streamPath: string;
  /** Parsed query of the publish/play URL; mutable, read by NMS's own auth check. */
  streamQuery: Record<string, unknown>;
  isPublisher: boolean;
  broadcast?: NmsBroadcast;
  close(): void;
}

/** An audio or video packet as the publisher's session hands it to its broadcast (src/core/avpacket.js). */
export interface NmsPacket {
  /** 8 audio, 9 video, 18 script data. */
  codec_type: number;
  /** 0 audio header, 1 audio frame, 2 video header, 3 keyframe, 4 video frame, 5 metadata. */
  flags: number;
  /** The publisher's timestamp (ms), before NMS shifts a resumed publish past the previous one. */
  dts: number;
}

export interface NmsBroadcast {
  streamPath: string;
  publisher: NmsSession | null;
  /** How long a dropped publisher keeps the stream before donePublish (NMS: 30 s). */
  publishGraceMs: number;
  _finishPublish(): void;
  /** A class-field arrow function: an instance property a tap can wrap. */
  broadcastMessage(packet: NmsPacket): void;
  /** By codec type: what NMS adds to a resumed publish's timestamps. */
  _dtsOffset: Record<number, number | undefined>;
}

export type NmsEvent = 'prePublish' | 'postPublish' | 'donePublish' | 'prePlay' | 'postPlay' | 'donePlay';

export interface NmsConfig {
  bind?: string;
  rtmp?: { port?: number };
  http?: { port?: number };
  auth?: { play?: boolean; publish?: boolean; secret?: string };
  store?: { path?: string; maxHistory?: number };
  webadmin?: { enable?: boolean };
}

export interface NodeMediaServer {
  on(event: NmsEvent, listener: (session: NmsSession) => void): void;
  run(): Promise<void>;
  stop(): Promise<void>;
  rtmpServer: { tcpServer?: NetServer };
  httpServer: { httpServer?: HttpServer; wsServer?: WebSocketServer };
}

export type NodeMediaServerCtor = new (config: NmsConfig, configPath?: string) => NodeMediaServer;

export interface NmsContext {
  config: NmsConfig;
  sessions: Map<string, NmsSession>;
  broadcasts: Map<string, NmsBroadcast>;
  eventEmitter: import('node:events').EventEmitter;
}

export interface NmsLogger {
  level: string;
  log(message: string, level?: string): void;
}

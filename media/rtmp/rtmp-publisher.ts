import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { connect as tcpConnect, type Socket } from 'node:net';
import { connect as tlsConnect, rootCertificates } from 'node:tls';
import { decodeAmf0, encodeAmf0, type Amf0Value } from './amf0.js';
import type { FlvTag } from './flv-tag-reader.js';
import { serverName, type RtmpTarget } from './rtmp-url.js';

export interface PublisherOptions {
  /** No publish session within this long ends the attempt (ms). */
  connectTimeoutMs?: number;
  /** Certificates trusted for RTMPS besides Node's default store (a private CA, a test's own). */
  ca?: string | Buffer | Array<string | Buffer>;
}

const HANDSHAKE = 1536;
const OUT_CHUNK = 4096;
const CSID_CONTROL = 2;
const CSID_COMMAND = 3;
const CSID_AUDIO = 4;
const CSID_DATA = 5;
const CSID_VIDEO = 6;
const MSG_SET_CHUNK_SIZE = 1;
const MSG_ACK = 3;
const MSG_USER_CONTROL = 4;
const MSG_WINDOW_ACK = 5;
const MSG_AUDIO = 8;
const MSG_VIDEO = 9;
const MSG_DATA_AMF0 = 18;
const MSG_COMMAND_AMF3 = 17;
const MSG_COMMAND_AMF0 = 20;

export type PublisherState = 'connecting' | 'publishing' | 'closed';

export interface PublisherEvents {
  publishing: [];
  /** The session ended; `reason` is null when we ended it. Never contains the stream name. */
  closed: [reason: string | null];
  drain: [];
}

interface InChunkStream { length: number; type: number; extended: boolean; body: Buffer[]; got: number }

/**
 * Publishes FLV tags to an RTMP(S) server from inside this process, so the stream key
 * travels only over the socket and never through a command line (readable by every local
 * user in `ps` and /proc/<pid>/cmdline). The render host feeds it ffmpeg's FLV from a pipe;
 * the gateway's destination relays feed it the program feed.
 *
 * The session is what ffmpeg and OBS do: plain handshake, connect (app, tcUrl),
 * releaseStream / FCPublish / createStream, publish(name, 'live'), then @setDataFrame
 * onMetaData and the audio and video messages with the tags' timestamps. Server pings
 * are answered and the receive window acknowledged. Any refusal or lost connection
 * closes the session with a reason (never holding the stream name); the caller retries.
 */
export class RtmpPublisher extends EventEmitter<PublisherEvents> {
  state: PublisherState = 'connecting';
  private readonly socket: Socket;
  private inBuf: Buffer = Buffer.alloc(0);
  private handshaken = false;
  private inChunkSize = 128;
  private readonly inStreams = new Map<number, InChunkStream>();
  private received = 0;
  private acked = 0;
  private windowAck = 0;
  private streamId = 0;
  private nextTxn = 1;
  private readonly pendingTxn = new Map<number, (args: Amf0Value[]) => void>();

  constructor(private readonly target: RtmpTarget, options: PublisherOptions = {}) {
    super();
    const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    // Certificates are verified (Node's default); the name checked is the URL's host. A
    // given `ca` would replace Node's store, so it is added to it instead.
    const ca = options.ca === undefined ? undefined : [...rootCertificates, ...[options.ca].flat()];
    const socket = target.tls
      ? tlsConnect({ host: target.host, port: target.port, servername: serverName(target), ca })
      : tcpConnect({ host: target.host, port: target.port });
    this.socket = socket;
    socket.setNoDelay(true);
    const timer = setTimeout(() => this.fail(`no publish session within ${connectTimeoutMs} ms`), connectTimeoutMs);
    this.once('closed', () => clearTimeout(timer));
    this.once('publishing', () => clearTimeout(timer));
    socket.once(target.tls ? 'secureConnect' : 'connect', () => {
      // C0 (version 3) + C1 (time, zero, random).
      const c1 = randomBytes(HANDSHAKE);
      c1.writeUInt32BE(0, 0);
      c1.writeUInt32BE(0, 4);
      socket.write(Buffer.concat([Buffer.from([3]), c1]));
    });
    socket.on('data', (d: Buffer) => this.onData(d));
    socket.on('drain', () => this.emit('drain'));
    socket.on('error', (err: NodeJS.ErrnoException) => this.fail(`connection failed: ${err.code ?? err.message}`));
    socket.on('close', () => this.fail(this.state === 'publishing' ? 'server closed the connection' : 'server closed the connection before publishing started'));
  }

  /** True once the session is over (a getter, so checks after an await see the change). */
  get ended(): boolean {
    return this.state === 'closed';
  }

  /** Sends one FLV tag; false when the socket's buffer is full (wait for 'drain'). */
  send(tag: FlvTag): boolean {
    if (this.state !== 'publishing') return false;
    if (tag.type === MSG_AUDIO) return this.write(CSID_AUDIO, MSG_AUDIO, this.streamId, tag.timestamp, tag.data);
    if (tag.type === MSG_VIDEO) return this.write(CSID_VIDEO, MSG_VIDEO, this.streamId, tag.timestamp, tag.data);
    if (tag.type === MSG_DATA_AMF0) return this.write(CSID_DATA, MSG_DATA_AMF0, this.streamId, tag.timestamp, Buffer.concat([encodeAmf0('@setDataFrame'), tag.data]));
    return true;
  }

  /** Ends the stream politely (FCUnpublish, deleteStream) after what was sent. */
  finish(): void {
    if (this.state === 'publishing') {
      this.command('FCUnpublish', [null, this.target.streamName]);
      this.command('deleteStream', [null, this.streamId]);
    }
    this.close(null, () => this.socket.end());
  }

  /** Drops the connection at once. */
  destroy(): void {
    this.close(null, () => this.socket.destroy());
  }

  private close(reason: string | null, end: () => void): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    end();
    for (const resolve of this.pendingTxn.values()) resolve([]);
    this.pendingTxn.clear();
    this.emit('closed', reason);
  }

  private fail(reason: string): void {
    // A server may quote the stream name back in a refusal; it is the key, so it never leaves here.
    this.close(withoutStreamName(reason, this.target.streamName), () => this.socket.destroy());
  }

  private onData(d: Buffer): void {
    this.received += d.length;
    this.inBuf = this.inBuf.length ? Buffer.concat([this.inBuf, d]) : d;
    try {
      if (!this.handshaken) {
        // S0 + S1 + S2; C2 echoes S1.
        if (this.inBuf.length < 1 + 2 * HANDSHAKE) return;
        if (this.inBuf[0] !== 3) throw new Error(`server speaks RTMP version ${this.inBuf[0]}`);
        this.socket.write(this.inBuf.subarray(1, 1 + HANDSHAKE));
        this.inBuf = this.inBuf.subarray(1 + 2 * HANDSHAKE);
        this.handshaken = true;
        void this.startSession();
      }
      this.readChunks();
    } catch (err) {
      this.fail(`protocol error: ${(err as Error).message}`);
    }
    if (this.windowAck > 0 && this.received - this.acked >= this.windowAck) {
      this.acked = this.received;
      const b = Buffer.alloc(4);
      b.writeUInt32BE(this.received >>> 0);
      this.write(CSID_CONTROL, MSG_ACK, 0, 0, b);
    }
  }

  private async startSession(): Promise<void> {
    const size = Buffer.alloc(4);
    size.writeUInt32BE(OUT_CHUNK);
    this.write(CSID_CONTROL, MSG_SET_CHUNK_SIZE, 0, 0, size);
    const t = this.target;
    const connected = await this.call('connect', [{ app: t.app, type: 'nonprivate', flashVer: 'FMLE/3.0 (compatible; livehost)', tcUrl: t.tcUrl }]);
    if (this.ended) return;
    if (connected[0] !== '_result') return this.fail(`connect refused: ${describe(connected)}`);
    this.command('releaseStream', [null, t.streamName]);
    this.command('FCPublish', [null, t.streamName]);
    const created = await this.call('createStream', [null]);
    if (this.ended) return;
    if (created[0] !== '_result' || typeof created[3] !== 'number') return this.fail(`createStream refused: ${describe(created)}`);
    this.streamId = created[3];
    this.write(CSID_COMMAND, MSG_COMMAND_AMF0, this.streamId, 0, Buffer.concat(['publish', 0, null, t.streamName, 'live'].map((v) => encodeAmf0(v))));
  }

  /** A command with a transaction id; resolves with the reply's values ([] if the session ends). */
  private call(name: string, args: Amf0Value[]): Promise<Amf0Value[]> {
    const txn = this.nextTxn++;
    return new Promise((resolve) => {
      this.pendingTxn.set(txn, resolve);
      this.write(CSID_COMMAND, MSG_COMMAND_AMF0, 0, 0, Buffer.concat([name, txn, ...args].map((v) => encodeAmf0(v))));
    });
  }

  private command(name: string, args: Amf0Value[]): void {
    this.write(CSID_COMMAND, MSG_COMMAND_AMF0, 0, 0, Buffer.concat([name, this.nextTxn++, ...args].map((v) => encodeAmf0(v))));
  }

  private onCommand(values: Amf0Value[]): void {
    const [name, txn] = values;
    if ((name === '_result' || name === '_error') && typeof txn === 'number') {
      const resolve = this.pendingTxn.get(txn);
      this.pendingTxn.delete(txn);
      resolve?.(values);
      return;
    }
    if (name === 'onStatus') {
      const info = values[3];
      const code = info && typeof info === 'object' && !Array.isArray(info) ? String(info.code ?? '') : '';
      if (code === 'NetStream.Publish.Start' && this.state === 'connecting') {
        this.state = 'publishing';
        this.emit('publishing');
      } else if (/Failed|BadName|Rejected|Error|Unauthorized/i.test(code)) {
        this.fail(`publish refused: ${code}`);
      }
    }
  }

  private onMessage(type: number, body: Buffer): void {
    switch (type) {
      case MSG_SET_CHUNK_SIZE:
        this.inChunkSize = body.readUInt32BE(0) & 0x7fffffff;
        if (this.inChunkSize < 1) throw new Error('chunk size 0');
        return;
      case MSG_WINDOW_ACK:
        this.windowAck = body.readUInt32BE(0);
        return;
      case MSG_USER_CONTROL:
        // Ping request (6) → ping response (7) with the same timestamp.
        if (body.length >= 6 && body.readUInt16BE(0) === 6) {
          const pong = Buffer.alloc(6);
          pong.writeUInt16BE(7, 0);
          body.copy(pong, 2, 2, 6);
          this.write(CSID_CONTROL, MSG_USER_CONTROL, 0, 0, pong);
        }
        return;
      case MSG_COMMAND_AMF0:
        return this.onCommand(decodeAmf0(body));
      case MSG_COMMAND_AMF3:
        return this.onCommand(decodeAmf0(body.subarray(1)));
      default:
        return; // acks, peer bandwidth, data: nothing for a publisher to do
    }
  }

  /**
   * Reads whole chunks from inBuf, reassembling messages per chunk stream. A publisher
   * needs no incoming timestamps, only where each chunk ends: the header's size by its
   * format, and whether the (inherited) timestamp field announced 4 extended bytes.
   */
  private readChunks(): void {
    const buf = this.inBuf;
    let o = 0;
    for (;;) {
      if (buf.length - o < 1) break;
      const fmt = buf[o]! >> 6;
      let csid = buf[o]! & 0x3f;
      let h = 1;
      if (csid === 0) {
        if (buf.length - o < 2) break;
        csid = 64 + buf[o + 1]!;
        h = 2;
      } else if (csid === 1) {
        if (buf.length - o < 3) break;
        csid = 64 + buf[o + 1]! + buf[o + 2]! * 256;
        h = 3;
      }
      const mh = [11, 7, 3, 0][fmt]!;
      if (buf.length - o < h + mh) break;
      let s = this.inStreams.get(csid);
      if (!s) {
        if (fmt !== 0) throw new Error(`chunk stream ${csid} starts without a full header`);
        s = { length: 0, type: 0, extended: false, body: [], got: 0 };
        this.inStreams.set(csid, s);
      }
      const p = o + h;
      const extended = fmt < 3 ? buf.readUIntBE(p, 3) === 0xffffff : s.extended;
      const ext = extended ? 4 : 0;
      const length = fmt < 2 ? buf.readUIntBE(p + 3, 3) : s.length;
      if (fmt < 2 && s.got > 0) throw new Error(`chunk stream ${csid} starts a message inside another`);
      const take = Math.min(this.inChunkSize, length - s.got);
      if (buf.length - o < h + mh + ext + take) break;
      if (fmt < 3) s.extended = extended;
      if (fmt < 2) {
        s.length = length;
        s.type = buf[p + 6]!;
      }
      s.body.push(buf.subarray(p + mh + ext, p + mh + ext + take));
      s.got += take;
      o = p + mh + ext + take;
      if (s.got >= s.length) {
        const body = Buffer.concat(s.body);
        s.body = [];
        s.got = 0;
        this.onMessage(s.type, body);
        if (this.state === 'closed') return;
      }
    }
    this.inBuf = buf.subarray(o);
  }

  /** Writes one message as chunks: a full header, then continuation headers. */
  private write(csid: number, type: number, streamId: number, timestamp: number, body: Buffer): boolean {
    if (this.socket.destroyed) return false;
    const extended = timestamp >= 0xffffff;
    const head = Buffer.alloc(12 + (extended ? 4 : 0));
    head[0] = csid;
    head.writeUIntBE(extended ? 0xffffff : timestamp, 1, 3);
    head.writeUIntBE(body.length, 4, 3);
    head[7] = type;
    head.writeUInt32LE(streamId, 8);
    if (extended) head.writeUInt32BE(timestamp >>> 0, 12);
    const parts: Buffer[] = [head];
    for (let o = 0; o < body.length || o === 0; o += OUT_CHUNK) {
      if (o > 0) {
        const cont = Buffer.alloc(extended ? 5 : 1);
        cont[0] = 0xc0 | csid;
        if (extended) cont.writeUInt32BE(timestamp >>> 0, 1);
        parts.push(cont);
      }
      parts.push(body.subarray(o, o + OUT_CHUNK));
      if (body.length === 0) break;
    }
    return this.socket.write(Buffer.concat(parts));
  }
}

/** A refusal's description and code, for the log (servers do not echo the key there). */
function describe(reply: Amf0Value[]): string {
  const info = reply[3];
  if (info && typeof info === 'object' && !Array.isArray(info)) return String(info.code ?? info.description ?? 'no reason given');
  return reply.length ? String(reply[0]) : 'session ended';
}

/**
 * `reason` with the stream name masked, and each longer part of it (`?key=<key>`), in case a
 * server quotes the key alone.
 */
function withoutStreamName(reason: string, streamName: string): string {
  const parts = [streamName, ...streamName.split(/[?&=/]/).filter((p) => p.length >= 8)].filter(Boolean);
  return parts.reduce((text, part) => text.split(part).join('***'), reason);
}

import { EventEmitter } from 'node:events';
import { get, type ClientRequest, type IncomingMessage } from 'node:http';
import { isSequenceHeader, metadataTag } from '../../media/rtmp/flv-metadata.js';
import { FlvTagReader, RtmpPublisher, type FlvTag, type RtmpTarget } from '../../media/rtmp/index.js';

export interface RelaySessionOptions {
  /** No data from the feed, no progress writing to the destination, or no session (connecting), for this long ends it (ms). */
  ioTimeoutMs: number;
  /** Certificates trusted for RTMPS besides Node's store. */
  ca?: string | Buffer;
}

export interface RelaySessionEvents {
  /** The destination accepted the publish and kept the session for LIVE_AFTER_MS after the first media. */
  live: [];
  /** The session is over; `reason` is null when it was stopped. Never holds the stream key. */
  ended: [reason: string | null];
}

const TAG_AUDIO = 8;
const TAG_VIDEO = 9;
/**
 * Some servers (node-media-server among them) answer NetStream.Publish.Start before they
 * check the key and close the session a moment later; a session counts as live only once
 * it outlasted that, so a refused key never resets the relay's attempts.
 */
const LIVE_AFTER_MS = 1000;

/**
 * One connection of a destination relay: publishes an HTTP-FLV feed (the room's program,
 * on loopback) to an RTMP(S) destination from this process, so the stream key is in no
 * process's arguments. The feed is opened only once the destination accepted the publish,
 * so the session starts with the feed's sequence headers and cached GOP; timestamps start
 * at 0 (as `ffmpeg -c copy` made them); sequence headers met mid-stream (the program
 * switching between live and slate) go on in-band. Reading pauses while the socket is
 * full; a destination that stops reading, a silent feed or a refusal ends the session.
 */
export class RelaySession extends EventEmitter<RelaySessionEvents> {
  /** Media bytes handed to the destination (tag payloads and their FLV headers). */
  bytesSent = 0;
  private readonly publisher: RtmpPublisher;
  private request: ClientRequest | null = null;
  private response: IncomingMessage | null = null;
  private readonly reader = new FlvTagReader();
  private readonly watchdog: NodeJS.Timeout;
  private over = false;
  private liveTimer: NodeJS.Timeout | null = null;
  /** The feed's first timestamp: the session's time 0. */
  private base: number | null = null;
  /** Sequence headers held until the first media packet, so onMetaData can describe them and go first. */
  private heldHeaders: FlvTag[] | null = [];
  private lastInput = 0;
  private stalledSince = 0;

  constructor(target: RtmpTarget, private readonly sourceUrl: string, private readonly o: RelaySessionOptions) {
    super();
    this.publisher = new RtmpPublisher(target, { connectTimeoutMs: o.ioTimeoutMs, ca: o.ca });
    this.publisher.once('publishing', () => this.openFeed());
    this.publisher.once('closed', (reason) => this.end(reason));
    this.publisher.on('drain', () => {
      this.stalledSince = 0;
      this.response?.resume();
    });
    this.watchdog = setInterval(() => this.check(), Math.max(50, Math.min(1000, o.ioTimeoutMs / 4)));
  }

  /** Ends the publish politely (FCUnpublish, deleteStream) and closes the feed. */
  stop(): void {
    this.publisher.finish();
    this.end(null);
  }

  private openFeed(): void {
    if (!/^http:\/\//.test(this.sourceUrl)) return this.fail('the program feed must be an http:// URL');
    this.lastInput = Date.now();
    const req = get(this.sourceUrl, (res) => this.onFeed(res));
    // Node's messages name the address, not the URL (whose query may hold a play token).
    req.once('error', (err: NodeJS.ErrnoException) => this.fail(`program feed unreachable: ${err.code ?? err.message}`));
    this.request = req;
  }

  private onFeed(res: IncomingMessage): void {
    if (res.statusCode !== 200) {
      res.resume();
      return this.fail(`program feed answered ${res.statusCode}`);
    }
    this.response = res;
    res.on('data', (chunk: Buffer) => this.onChunk(chunk, res));
    res.once('close', () => this.fail('program feed ended'));
  }

  private onChunk(chunk: Buffer, res: IncomingMessage): void {
    this.lastInput = Date.now();
    let tags: FlvTag[];
    try {
      tags = this.reader.push(chunk);
    } catch (err) {
      return this.fail(`program feed unreadable: ${(err as Error).message}`);
    }
    let full = false;
    for (const tag of tags) {
      if (this.over) return;
      // The feed's own script tags are not forwarded: this session sent its onMetaData.
      if (tag.type !== TAG_AUDIO && tag.type !== TAG_VIDEO) continue;
      this.base ??= tag.timestamp;
      const out = { type: tag.type, timestamp: Math.max(0, tag.timestamp - this.base), data: tag.data };
      if (this.heldHeaders) {
        if (isSequenceHeader(tag)) {
          this.heldHeaders = [...this.heldHeaders.filter((h) => h.type !== tag.type), out];
          continue;
        }
        const headers = this.heldHeaders;
        this.heldHeaders = null;
        const video = headers.find((h) => h.type === TAG_VIDEO) ?? null;
        const audio = headers.find((h) => h.type === TAG_AUDIO) ?? null;
        for (const t of [metadataTag(video, audio), ...headers]) full = !this.send(t) || full;
      }
      full = !this.send(out) || full;
      this.liveTimer ??= setTimeout(() => { if (!this.over) this.emit('live'); }, Math.min(LIVE_AFTER_MS, this.o.ioTimeoutMs));
    }
    if (full && !this.over) {
      res.pause();
      this.stalledSince ||= Date.now();
    }
  }

  private send(tag: FlvTag): boolean {
    this.bytesSent += tag.data.length + 11;
    return this.publisher.send(tag);
  }

  private check(): void {
    const now = Date.now();
    const limit = this.o.ioTimeoutMs;
    if (this.stalledSince && now - this.stalledSince > limit) this.fail(`the destination stopped reading for ${limit} ms`);
    else if (this.request && !this.stalledSince && now - this.lastInput > limit) this.fail(`no data from the program feed for ${limit} ms`);
  }

  private fail(reason: string): void {
    this.end(reason);
  }

  private end(reason: string | null): void {
    if (this.over) return;
    this.over = true;
    clearInterval(this.watchdog);
    if (this.liveTimer) clearTimeout(this.liveTimer);
    this.request?.destroy();
    this.request = null;
    this.response = null;
    // Emits 'closed' (null) when still open; `over` makes that a no-op here.
    this.publisher.destroy();
    this.emit('ended', reason);
  }
}

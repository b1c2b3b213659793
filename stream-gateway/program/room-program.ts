import { get, type ClientRequest } from 'node:http';
import type { ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import {
  FLV_HEADER, FlvReader, TAG_AUDIO, TAG_SCRIPT, TAG_VIDEO, encodeTag, isAudioHeader, isKeyframe, isVideoHeader, metaNumber, type FlvTag,
} from './flv.js';
import type { SlateClip, SlateFormat, SlateLibrary } from './slate.js';

/**
 * What the program is showing:
 *   starting → live    the first live keyframe arrives
 *   starting → slate   no live keyframe within 2 × stallMs
 *   live → slate       no live video for stallMs (publisher dropped, host crashed, network cut)
 *   slate → live       a live keyframe arrives (a publisher is back)
 */
export type ProgramSource = 'starting' | 'live' | 'slate';

export interface RoomProgramOptions {
  room: string;
  /** HTTP-FLV URL of the room on this gateway (asked again on every reconnect). */
  inputUrl: () => string;
  slates: SlateLibrary;
  log: Logger;
  stallMs?: number;
  onSource?: (room: string, source: ProgramSource) => void;
  /** Told at every entry into live: program timestamp = the publisher's timestamp + `offset`. */
  onLiveOffset?: (room: string, offset: number) => void;
  /** Told of each live audio packet as the program sends it on, by its input timestamp (program/stream-stamps.ts). */
  onLiveAudio?: (room: string, inputTs: number) => void;
}

const TICK_MS = 20;
/** Slate tags are sent this far ahead of the wall clock, so a busy event loop never starves a reader. */
const SLATE_LEAD_MS = 100;
const MAX_BUFFERED = 8 * 1024 * 1024;

/**
 * A room's program feed: the live input while a publisher is on air, a slate loop when it
 * is not, switched at keyframes at the FLV tag level, with output timestamps that keep
 * running with the wall clock across every switch. Destinations and the recorder read this
 * feed (over loopback HTTP-FLV) instead of the room itself, so their connections never see
 * the publisher go away and nothing has to reconnect to IVS.
 */
export class RoomProgram {
  private source: ProgramSource = 'starting';
  private readonly subscribers = new Set<ServerResponse>();
  private readonly startedAt = Date.now();
  private timer: NodeJS.Timeout;
  private request: ClientRequest | null = null;
  private reconnect: NodeJS.Timeout | null = null;
  private closed = false;

  // Output side: what new readers get first, and where the timeline stands.
  private videoHeader: Buffer | null = null;
  private audioHeader: Buffer | null = null;
  private gop: Buffer[] = [];
  private lastOutTs = -1;
  private lastOutWall = 0;
  private readonly lastTrackTs = new Map<number, number>();

  // Live input.
  private liveVideoHeader: FlvTag | null = null;
  private liveAudioHeader: FlvTag | null = null;
  private liveFormat: SlateFormat | null = null;
  private lastLiveVideoWall = 0;
  private liveOffset = 0;
  private needLiveEntry = true;

  // Slate playout.
  private slate: SlateClip | null = null;
  private slateIndex = 0;
  private slateLoop = 0;
  private slateBaseOut = 0;
  private slateBaseWall = 0;
  private slateMsTotal = 0;
  private lastTick = Date.now();
  private warnedNoSlate = false;

  constructor(private readonly options: RoomProgramOptions) {
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.connect();
  }

  get room(): string {
    return this.options.room;
  }

  current(): ProgramSource {
    return this.source;
  }

  /** Seconds of slate sent since the program started. */
  slateSeconds(): number {
    return this.slateMsTotal / 1000;
  }

  /** A reader gets the FLV header, the current sequence headers and the GOP so far, then follows live. */
  /**
   * Adds a reader. Returns the program timestamp of the first media the reader gets (the
   * cached GOP's keyframe, which can be seconds old) — time 0 of whatever it records — and
   * its wall-clock time (the timeline advances with the wall clock while it is fed in time).
   */
  subscribe(res: ServerResponse): { wall: number; firstTs: number } {
    res.writeHead(200, { 'content-type': 'video/x-flv', 'cache-control': 'no-store' });
    res.write(FLV_HEADER);
    if (this.videoHeader) res.write(this.videoHeader);
    if (this.audioHeader) res.write(this.audioHeader);
    for (const tag of this.gop) res.write(tag);
    this.subscribers.add(res);
    res.once('close', () => this.subscribers.delete(res));
    const first = this.gop[0] ?? this.videoHeader;
    const firstTs = first ? first.readUIntBE(4, 3) | (first[7]! << 24) : 0;
    return { wall: this.lastOutTs < 0 ? Date.now() : firstTs + (this.lastOutWall - this.lastOutTs), firstTs };
  }

  close(): void {
    this.closed = true;
    clearInterval(this.timer);
    if (this.reconnect) clearTimeout(this.reconnect);
    this.request?.destroy();
    for (const res of this.subscribers) res.end();
    this.subscribers.clear();
  }

  private connect(): void {
    if (this.closed) return;
    const reader = new FlvReader();
    this.needLiveEntry = true;
    const retry = () => {
      if (this.closed || this.reconnect) return;
      this.request = null;
      this.reconnect = setTimeout(() => { this.reconnect = null; this.connect(); }, 300);
    };
    const req = get(this.options.inputUrl(), (res) => {
      if (res.statusCode !== 200) {
        this.options.log.warn({ room: this.room, status: res.statusCode }, 'program input refused');
        res.resume();
        retry();
        return;
      }
      res.on('data', (chunk: Buffer) => {
        let tags: FlvTag[];
        try { tags = reader.push(chunk); } catch (err) {
          this.options.log.warn({ room: this.room, err: (err as Error).message }, 'program input unreadable');
          req.destroy();
          return;
        }
        for (const tag of tags) this.onLiveTag(tag);
      });
      res.once('close', retry);
    });
    req.once('error', retry);
    this.request = req;
  }

  private onLiveTag(tag: FlvTag): void {
    if (tag.type === TAG_SCRIPT) {
      const width = metaNumber(tag.data, 'width');
      const height = metaNumber(tag.data, 'height');
      const fps = metaNumber(tag.data, 'framerate') ?? 30;
      if (width && height) {
        this.liveFormat = { width, height, fps };
        // Ready before it is needed: a slate of the live format avoids a resolution change at the destination.
        this.options.slates.prepare(this.liveFormat).catch((err: unknown) => {
          this.options.log.warn({ room: this.room, err: (err as Error).message }, 'slate not rendered');
        });
      }
      return;
    }
    if (isVideoHeader(tag)) { this.liveVideoHeader = tag; this.needLiveEntry = true; return; }
    if (isAudioHeader(tag)) { this.liveAudioHeader = tag; this.needLiveEntry = true; return; }
    if (tag.type !== TAG_VIDEO && tag.type !== TAG_AUDIO) return;
    const now = Date.now();
    if (tag.type === TAG_VIDEO) this.lastLiveVideoWall = now;
    if (this.needLiveEntry) {
      // Enter (or re-enter) live only at a keyframe with its headers: a decoder joining mid-GOP shows garbage.
      if (!isKeyframe(tag) || !this.liveVideoHeader) return;
      const out = this.nextOutTs(now);
      this.liveOffset = out - tag.ts;
      this.needLiveEntry = false;
      this.options.onLiveOffset?.(this.room, this.liveOffset);
      this.setHeaders(this.liveVideoHeader.data, this.liveAudioHeader?.data ?? null, out);
      this.setSource('live');
    }
    if (this.source !== 'live') return;
    this.emit(tag.type, tag.ts + this.liveOffset, tag.data, now);
    if (tag.type === TAG_AUDIO) this.options.onLiveAudio?.(this.room, tag.ts);
  }

  private tick(): void {
    const now = Date.now();
    const dt = now - this.lastTick;
    this.lastTick = now;
    const stallMs = this.options.stallMs ?? 500;
    if (this.source === 'live' && now - this.lastLiveVideoWall > stallMs) this.enterSlate(now);
    else if (this.source === 'starting' && now - this.startedAt > 2 * stallMs) this.enterSlate(now);
    if (this.source !== 'slate' || !this.slate) return;
    this.slateMsTotal += dt;
    const clip = this.slate;
    const horizon = this.slateBaseOut + (now - this.slateBaseWall) + SLATE_LEAD_MS;
    for (;;) {
      const tag = clip.tags[this.slateIndex];
      if (!tag) break;
      const ts = this.slateBaseOut + this.slateLoop * clip.durationMs + tag.ts;
      if (ts > horizon) break;
      this.emit(tag.type, ts, tag.data, now);
      this.slateIndex += 1;
      if (this.slateIndex >= clip.tags.length) {
        this.slateIndex = 0;
        this.slateLoop += 1;
      }
    }
  }

  private enterSlate(now: number): void {
    const clip = this.options.slates.best(this.liveFormat);
    if (!clip) {
      if (!this.warnedNoSlate) this.options.log.error({ room: this.room }, 'no slate rendered: the program holds its last frame');
      this.warnedNoSlate = true;
      return;
    }
    this.slate = clip;
    this.slateIndex = 0;
    this.slateLoop = 0;
    this.slateBaseOut = this.nextOutTs(now);
    this.slateBaseWall = now;
    this.needLiveEntry = true;
    this.setHeaders(clip.videoHeader.data, clip.audioHeader.data, this.slateBaseOut);
    this.setSource('slate');
  }

  /** The next output timestamp: the timeline advances with the wall clock, whoever feeds it. */
  private nextOutTs(now: number): number {
    if (this.lastOutTs < 0) return 0;
    return this.lastOutTs + Math.max(1, now - this.lastOutWall);
  }

  private setHeaders(video: Buffer, audio: Buffer | null, ts: number): void {
    this.videoHeader = encodeTag(TAG_VIDEO, ts, video);
    this.audioHeader = audio ? encodeTag(TAG_AUDIO, ts, audio) : null;
    this.gop = [];
    // Readers already attached get the new parameters in-band (ffmpeg's FLV demuxer and
    // RTMP ingests take a new sequence header mid-stream as a parameter change).
    this.write(this.videoHeader);
    if (this.audioHeader) this.write(this.audioHeader);
  }

  private setSource(source: ProgramSource): void {
    if (this.source === source) return;
    this.source = source;
    this.options.log.info({ room: this.room, source }, 'program source');
    this.options.onSource?.(this.room, source);
  }

  private emit(type: number, ts: number, data: Buffer, now: number): void {
    const last = this.lastTrackTs.get(type) ?? -1;
    if (ts < last) {
      // Each track's timestamps must never go back (FLV/RTMP ingests drop or reject such
      // streams); at a switch the first audio of the new source may overlap the old one.
      if (type === TAG_AUDIO) return;
      ts = last;
    }
    ts = Math.round(ts);
    this.lastTrackTs.set(type, ts);
    if (ts > this.lastOutTs) this.lastOutTs = ts;
    this.lastOutWall = now;
    const buf = encodeTag(type, ts, data);
    if (type === TAG_VIDEO && (data[0]! >> 4) === 1) this.gop = [buf];
    else if (this.gop.length && this.gop.length < 4096) this.gop.push(buf);
    this.write(buf);
  }

  private write(buf: Buffer): void {
    for (const res of this.subscribers) {
      // A reader that cannot keep up is cut rather than buffered without bound; its relay reconnects.
      if (res.writableLength > MAX_BUFFERED) {
        res.destroy();
        this.subscribers.delete(res);
        continue;
      }
      res.write(buf);
    }
  }
}

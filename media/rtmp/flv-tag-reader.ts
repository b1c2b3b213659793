/** One FLV tag: 8 audio, 9 video, 18 script data (onMetaData). */
export interface FlvTag {
  type: number;
  /** Milliseconds (FLV's 24 bits plus the extension byte). */
  timestamp: number;
  data: Buffer;
}

const HEADER = 9 + 4; // 'FLV', version, flags, header size; then PreviousTagSize0
const TAG_HEADER = 11;
const MAX_TAG = 16 * 1024 * 1024;

/**
 * Splits an FLV byte stream (ffmpeg's muxer on a pipe, an HTTP-FLV feed) into tags,
 * whatever the read boundaries. Throws on a stream that is not FLV, so a broken source
 * shows as an error, not as garbage on the wire.
 */
export class FlvTagReader {
  private pending: Buffer = Buffer.alloc(0);
  private headerSeen = false;

  push(chunk: Buffer): FlvTag[] {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const tags: FlvTag[] = [];
    let o = 0;
    const buf = this.pending;
    if (!this.headerSeen) {
      if (buf.length < HEADER) return tags;
      if (buf.toString('latin1', 0, 3) !== 'FLV') throw new Error('input is not FLV');
      o = buf.readUInt32BE(5) + 4;
      this.headerSeen = true;
    }
    while (buf.length - o >= TAG_HEADER) {
      const size = buf.readUIntBE(o + 1, 3);
      if (size > MAX_TAG) throw new Error(`FLV tag of ${size} bytes`);
      if (buf.length - o < TAG_HEADER + size + 4) break;
      const timestamp = (buf.readUIntBE(o + 4, 3) | (buf[o + 7]! << 24)) >>> 0;
      tags.push({ type: buf[o]! & 0x1f, timestamp, data: buf.subarray(o + TAG_HEADER, o + TAG_HEADER + size) });
      o += TAG_HEADER + size + 4;
    }
    this.pending = buf.subarray(o);
    return tags;
  }
}

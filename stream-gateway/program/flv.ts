/**
 * Just enough FLV (Adobe FLV spec v10.1, annex E) to switch a program between sources at
 * tag level: read tags from a byte stream, write them with a new timestamp.
 */
export const TAG_AUDIO = 8;
export const TAG_VIDEO = 9;
export const TAG_SCRIPT = 18;

export interface FlvTag {
  type: number;
  /** Milliseconds (24 bits + 8-bit extension). */
  ts: number;
  data: Buffer;
}

/** FLV file header with audio and video flags, plus PreviousTagSize0. */
export const FLV_HEADER = Buffer.from([0x46, 0x4c, 0x56, 0x01, 0x05, 0, 0, 0, 9, 0, 0, 0, 0]);

export class FlvReader {
  private buf: Buffer = Buffer.alloc(0);
  private headerDone = false;

  /** Feeds bytes; returns the complete tags they finish. */
  push(chunk: Buffer): FlvTag[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const tags: FlvTag[] = [];
    if (!this.headerDone) {
      if (this.buf.length < 13) return tags;
      if (this.buf.toString('latin1', 0, 3) !== 'FLV') throw new Error('not an FLV stream');
      const headerSize = this.buf.readUInt32BE(5);
      this.buf = this.buf.subarray(headerSize + 4);
      this.headerDone = true;
    }
    while (this.buf.length >= 11) {
      const size = this.buf.readUIntBE(1, 3);
      if (this.buf.length < 11 + size + 4) break;
      const ts = (this.buf.readUIntBE(4, 3) | (this.buf[7]! << 24)) >>> 0;
      tags.push({ type: this.buf[0]! & 0x1f, ts, data: Buffer.from(this.buf.subarray(11, 11 + size)) });
      this.buf = this.buf.subarray(11 + size + 4);
    }
    return tags;
  }
}

export function encodeTag(type: number, ts: number, data: Buffer): Buffer {
  const out = Buffer.alloc(11 + data.length + 4);
  out[0] = type;
  out.writeUIntBE(data.length, 1, 3);
  out.writeUIntBE(ts & 0xffffff, 4, 3);
  out[7] = (ts >>> 24) & 0xff;
  data.copy(out, 11);
  out.writeUInt32BE(11 + data.length, 11 + data.length);
  return out;
}

export const isVideoHeader = (t: FlvTag): boolean => t.type === TAG_VIDEO && (t.data[0]! & 0x0f) === 7 && t.data[1] === 0;
export const isAudioHeader = (t: FlvTag): boolean => t.type === TAG_AUDIO && (t.data[0]! >> 4) === 10 && t.data[1] === 0;
export const isKeyframe = (t: FlvTag): boolean => t.type === TAG_VIDEO && (t.data[0]! >> 4) === 1 && t.data[1] === 1;

/** A number property of an onMetaData script tag (AMF0: name, then type 0 + float64). */
export function metaNumber(data: Buffer, name: string): number | undefined {
  const key = Buffer.concat([Buffer.from([0, name.length]), Buffer.from(name, 'latin1'), Buffer.from([0])]);
  const at = data.indexOf(key);
  if (at < 0 || at + key.length + 8 > data.length) return undefined;
  const v = data.readDoubleBE(at + key.length);
  return Number.isFinite(v) ? v : undefined;
}

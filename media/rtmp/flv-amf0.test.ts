import { describe, expect, it } from 'vitest';
import { decodeAmf0, encodeAmf0 } from './amf0.js';
import { FlvTagReader } from './flv-tag-reader.js';
import { parseRtmpUrl } from './rtmp-publisher.js';

function flvTag(type: number, timestamp: number, data: Buffer): Buffer {
  const h = Buffer.alloc(11);
  h[0] = type;
  h.writeUIntBE(data.length, 1, 3);
  h.writeUIntBE(timestamp & 0xffffff, 4, 3);
  h[7] = timestamp >>> 24;
  const prev = Buffer.alloc(4);
  prev.writeUInt32BE(11 + data.length);
  return Buffer.concat([h, data, prev]);
}

describe('FLV tags and AMF0', () => {
  it('splits an FLV stream into tags whatever the read boundaries, extended timestamps included', () => {
    const header = Buffer.from([0x46, 0x4c, 0x56, 1, 5, 0, 0, 0, 9, 0, 0, 0, 0]);
    const stream = Buffer.concat([header, flvTag(18, 0, Buffer.from('meta')), flvTag(9, 33, Buffer.alloc(5000, 7)), flvTag(8, 0x1234567, Buffer.from([1, 2, 3]))]);
    for (const step of [1, 7, 4096, stream.length]) {
      const reader = new FlvTagReader();
      const tags = [];
      for (let o = 0; o < stream.length; o += step) tags.push(...reader.push(stream.subarray(o, o + step)));
      expect(tags.map((t) => [t.type, t.timestamp, t.data.length])).toEqual([[18, 0, 4], [9, 33, 5000], [8, 0x1234567, 3]]);
    }
    expect(() => new FlvTagReader().push(Buffer.alloc(20))).toThrow(/not FLV/);
  });

  it('round-trips the AMF0 values a publish session sends and refuses a truncated one', () => {
    const values = ['connect', 1, { app: 'live', tcUrl: 'rtmp://h/live', nested: { ok: true, none: null } }, null, [2, 'x']];
    expect(decodeAmf0(Buffer.concat(values.map((v) => encodeAmf0(v))))).toEqual(values);
    expect(() => decodeAmf0(encodeAmf0('connect').subarray(0, 4))).toThrow(/past the end/);
  });

  it('reads app and stream name from a publish URL, the key staying in the name and out of tcUrl', () => {
    expect(parseRtmpUrl('rtmp://127.0.0.1:1935/live/show-1?key=abc.def')).toEqual({
      tls: false, host: '127.0.0.1', port: 1935, app: 'live', streamName: 'show-1?key=abc.def', tcUrl: 'rtmp://127.0.0.1:1935/live',
    });
    expect(parseRtmpUrl('rtmps://x.global-contribute.live-video.net/app/sk_secret')).toMatchObject({ tls: true, port: 443, app: 'app', streamName: 'sk_secret' });
    expect(() => parseRtmpUrl('rtmp://user:pw@host/live/x')).toThrow(/host/);
    expect(() => parseRtmpUrl('rtmp://host/live')).toThrow(/rtmp\(s\):\/\/host\/app\/stream/);
  });
});

import { describe, expect, it } from 'vitest';
import { decodeAmf0, encodeAmf0 } from './amf0.js';
import { FlvTagReader } from './flv-tag-reader.js';
import { isSequenceHeader, metadataTag } from './flv-metadata.js';
import { parseRtmpUrl } from './rtmp-url.js';

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
    expect(() => parseRtmpUrl('rtmp://user:pw@host/live/x')).toThrow(/credentials .* not supported/);
    expect(() => parseRtmpUrl('rtmp://host/live')).toThrow(/rtmp\(s\):\/\/host\/app\/stream/);
    expect(() => parseRtmpUrl('rtmp://host:99999/live/x')).toThrow(/port/);
  });

  it('splits app and stream name as ffmpeg does, a backslash counting as a slash, and never echoes the URL in an error', () => {
    // Three or more segments: the first two are the app (Wowza's application/instance).
    expect(parseRtmpUrl('rtmp://wowza.example:1935/app/_definst_/sk-1')).toMatchObject({ app: 'app/_definst_', streamName: 'sk-1', tcUrl: 'rtmp://wowza.example:1935/app/_definst_' });
    expect(parseRtmpUrl('rtmp://host/app\\sk_pasted')).toMatchObject({ app: 'app', streamName: 'sk_pasted', port: 1935, tcUrl: 'rtmp://host/app' });
    expect(parseRtmpUrl('rtmp://[::1]:1936/live/x?key=a/b')).toMatchObject({ host: '::1', port: 1936, app: 'live', streamName: 'x?key=a/b' });
    for (const bad of ['rtmp://user:sk_secret_1@host/live/x', 'rtmp://host/sk_secret_1', 'http://host/live/sk_secret_1']) {
      expect(() => parseRtmpUrl(bad)).toThrow(Error);
      try { parseRtmpUrl(bad); } catch (err) { expect((err as Error).message).not.toContain('sk_secret_1'); }
    }
  });

  it('describes the stream in onMetaData from its sequence headers: codec ids, AAC sample rate and channels', () => {
    // AVC sequence header (codec 7, keyframe) and AAC-LC 48 kHz stereo (AudioSpecificConfig 0x1190).
    const video = { type: 9, timestamp: 0, data: Buffer.from([0x17, 0, 0, 0, 0, 1, 0x64]) };
    const audio = { type: 8, timestamp: 0, data: Buffer.from([0xaf, 0, 0x11, 0x90]) };
    expect(isSequenceHeader(video) && isSequenceHeader(audio)).toBe(true);
    expect(isSequenceHeader({ type: 9, timestamp: 0, data: Buffer.from([0x17, 1, 0, 0, 0]) })).toBe(false);
    const tag = metadataTag(video, audio);
    expect(tag.type).toBe(18);
    expect(decodeAmf0(tag.data)).toEqual(['onMetaData', {
      duration: 0, videocodecid: 7, audiocodecid: 10, audiosamplerate: 48000, audiochannels: 2, stereo: true, encoder: 'livehost',
    }]);
    expect(decodeAmf0(metadataTag(null, null).data)).toEqual(['onMetaData', { duration: 0, encoder: 'livehost' }]);
  });
});

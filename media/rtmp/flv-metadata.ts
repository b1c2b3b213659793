import { encodeAmf0, type Amf0Value } from './amf0.js';
import type { FlvTag } from './flv-tag-reader.js';

const TAG_AUDIO = 8;
const TAG_VIDEO = 9;
/** ISO 14496-3 sampling frequency index → Hz. */
const AAC_RATES = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];

/**
 * The onMetaData a publisher sends before its media (what ffmpeg's FLV muxer and OBS
 * write), built from the stream's sequence headers: codec ids always, and for AAC the
 * sample rate and channels of its AudioSpecificConfig. Ingests show these in their health
 * pages; none of them needs more to accept the stream.
 */
export function metadataTag(videoHeader: FlvTag | null, audioHeader: FlvTag | null): FlvTag {
  const meta: { [key: string]: Amf0Value } = { duration: 0 };
  if (videoHeader?.type === TAG_VIDEO && videoHeader.data.length > 0) meta.videocodecid = videoHeader.data[0]! & 0x0f;
  if (audioHeader?.type === TAG_AUDIO && audioHeader.data.length > 0) {
    const format = audioHeader.data[0]! >> 4;
    meta.audiocodecid = format;
    if (format === 10 && audioHeader.data.length >= 4) {
      // AudioSpecificConfig: 5 bits object type, 4 bits frequency index, 4 bits channels.
      const asc = audioHeader.data.readUInt16BE(2);
      const rate = AAC_RATES[(asc >> 7) & 0x0f];
      const channels = (asc >> 3) & 0x0f;
      if (rate) meta.audiosamplerate = rate;
      if (channels) {
        meta.audiochannels = channels;
        meta.stereo = channels === 2;
      }
    }
  }
  meta.encoder = 'livehost';
  return { type: 18, timestamp: 0, data: Buffer.concat([encodeAmf0('onMetaData'), encodeAmf0(meta)]) };
}

/** An AVC or AAC sequence header (decoder configuration), as opposed to a media packet. */
export function isSequenceHeader(tag: FlvTag): boolean {
  if (tag.data.length < 2) return false;
  if (tag.type === TAG_VIDEO) return (tag.data[0]! & 0x0f) === 7 && tag.data[1] === 0;
  if (tag.type === TAG_AUDIO) return tag.data[0]! >> 4 === 10 && tag.data[1] === 0;
  return false;
}

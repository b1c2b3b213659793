/**
 * RTMP(S) publishing from inside a process, shared by the render host (ffmpeg's FLV from a
 * pipe) and the gateway's destination relays (the program feed): the stream key is sent
 * only inside the session, never through a command line.
 */
export { decodeAmf0, encodeAmf0, type Amf0Value } from './amf0.js';
export { FlvTagReader, type FlvTag } from './flv-tag-reader.js';
export { RtmpPublisher, type PublisherEvents, type PublisherOptions, type PublisherState } from './rtmp-publisher.js';
export { parseRtmpUrl, RtmpUrlError, type RtmpTarget } from './rtmp-url.js';

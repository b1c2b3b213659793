export type Resolution = '720p' | '1080p';
export type VideoCodec = 'libx264' | 'h264_nvenc';

export const RESOLUTIONS: Record<Resolution, { width: number; height: number; videoKbps: number }> = {
  '720p': { width: 1280, height: 720, videoKbps: 2500 },
  '1080p': { width: 1920, height: 1080, videoKbps: 4500 },
};

export interface EncoderSettings {
  width: number;
  height: number;
  fps: number;
  /** IVS wants a keyframe at most every 2 s; 1 s shortens join time at a bitrate cost. */
  keyframeSeconds: 1 | 2;
  codec: VideoCodec;
  videoKbps: number;
  audioKbps: number;
  /** RTMP URL (rtmp://host/app/key) or a local file path; muxed as FLV either way. */
  output: string;
}

/**
 * ffmpeg's command line: raw I420 (yuv420p, converted by the bridge) on stdin, s16le
 * 48 kHz mono on fd 3, H.264 + AAC-LC in FLV. Both inputs are timestamped by count
 * (frames, samples), so what the clock wrote together stays together.
 */
export function ffmpegArgs(s: EncoderSettings, sampleRate: number, channels: number): string[] {
  const gop = String(s.fps * s.keyframeSeconds);
  const rate = `${s.videoKbps}k`;
  const video = s.codec === 'h264_nvenc'
    ? ['-c:v', 'h264_nvenc', '-preset', 'p4', '-tune', 'll', '-rc', 'cbr', '-zerolatency', '1', '-forced-idr', '1', '-no-scenecut', '1', '-strict_gop', '1']
    // ultrafast, chosen by measured headroom (bench:render, README): on the reference
    // renderer's 720p30 at 2.5 Mb/s it costs 4.7 ms a frame on one core against 6.5 for
    // superfast and 7.2+ for veryfast, at the same bitrate and an SSIM of 0.980 against
    // 0.982 (no CABAC or deblocking; no visible difference on this picture). It is what
    // lets one core carry two rooms.
    : ['-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-sc_threshold', '0'];
  return [
    '-hide_banner', '-loglevel', 'warning', '-nostdin', '-nostats', '-y',
    // Raw inputs need no probing; probing would make ffmpeg wait for seconds of audio
    // while the video pipe is full, a deadlock with a writer that drops paired frames.
    '-probesize', '32', '-analyzeduration', '0',
    '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-s', `${s.width}x${s.height}`, '-framerate', String(s.fps),
    '-thread_queue_size', '64', '-i', 'pipe:0',
    '-probesize', '32', '-analyzeduration', '0',
    '-f', 's16le', '-ar', String(sampleRate), '-ac', String(channels), '-thread_queue_size', '512', '-i', 'pipe:3',
    '-map', '0:v:0', '-map', '1:a:0',
    ...video,
    '-pix_fmt', 'yuv420p', '-profile:v', 'main',
    // Fixed GOP and no B-frames: IVS (low-latency and real-time) rejects B-frames.
    '-g', gop, '-keyint_min', gop, '-bf', '0',
    '-b:v', rate, '-maxrate', rate, '-bufsize', `${s.videoKbps * 2}k`,
    '-c:a', 'aac', '-profile:a', 'aac_low', '-b:a', `${s.audioKbps}k`, '-ar', '48000', '-ac', '2',
    '-progress', 'pipe:1', '-stats_period', '0.5',
    '-f', 'flv', '-flvflags', 'no_duration_filesize', s.output,
  ];
}

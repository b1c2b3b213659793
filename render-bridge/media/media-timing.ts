/**
 * The media clock's fixed rates. Audio is the master clock: video frame N covers audio
 * samples [N*SAMPLES_PER_FRAME, (N+1)*SAMPLES_PER_FRAME), so picture and sound are locked
 * by construction (48 kHz / 30 fps = exactly 1600 samples, no rounding drift).
 */
export const SAMPLE_RATE = 48_000;
export const FPS = 30;
export const SAMPLES_PER_FRAME = SAMPLE_RATE / FPS;
export const AUDIO_CHANNELS = 1;
export const BYTES_PER_SAMPLE = 2;

export function frameTimeMs(frame: number): number {
  return (frame * 1000) / FPS;
}

/** Sample offset within a segment → ms, and back, at the clock's rate. */
export function samplesToMs(samples: number): number {
  return (samples * 1000) / SAMPLE_RATE;
}

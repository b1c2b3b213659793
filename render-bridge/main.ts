import { ServerClient } from './client/server-client.js';
import { loadConfig, type BridgeConfig } from './config.js';
import { RESOLUTIONS } from './encoder/encoder-settings.js';
import { selectCodec } from './encoder/select-codec.js';
import { ConfigError } from './errors.js';
import { ExternalRendererServer } from './external/external-renderer-server.js';
import { RenderHost } from './host/render-host.js';
import { createLogger, type Logger } from './log.js';
import { FfmpegAudioDecoder } from './media/audio-decoder.js';
import { PcmDecoder } from './media/pcm-decoder.js';
import { createReferenceRenderer } from './renderer/reference-renderer.js';
import { HttpImageLoader } from './room/panel-image.js';
import { ReferenceRoomFactory } from './room/reference-room-factory.js';
import type { RoomFactory } from './room/room-handle.js';

async function buildFactory(config: BridgeConfig, log: Logger): Promise<{ factory: RoomFactory; encoders: string[] }> {
  if (config.renderer === 'external') {
    const ext = new ExternalRendererServer({ port: config.externalRendererPort, log });
    await ext.listen();
    return { factory: ext, encoders: ['external'] };
  }
  const { codec, available } = await selectCodec(config.encoder);
  const res = RESOLUTIONS[config.resolution];
  log.info({ codec, resolution: config.resolution, keyframeSeconds: config.keyframeSeconds }, 'encoder selected');
  const factory = new ReferenceRoomFactory({
    width: res.width, height: res.height,
    encoder: { codec, keyframeSeconds: config.keyframeSeconds, videoKbps: res.videoKbps, audioKbps: 128 },
    createRenderer: createReferenceRenderer,
    // The voices' WAVs decode in process; ffmpeg only for what they are not (mp3).
    decoder: new PcmDecoder({ fallback: new FfmpegAudioDecoder() }),
    images: new HttpImageLoader(),
    log,
  });
  return { factory, encoders: available };
}

async function main(): Promise<void> {
  const log = createLogger();
  let config: BridgeConfig;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      log.fatal({ variable: err.variable }, err.message);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  const { factory, encoders } = await buildFactory(config, log);
  let client: ServerClient | null = null;
  const host = new RenderHost({
    capacity: config.capacity,
    standby: config.standby,
    capabilities: { renderer: config.renderer, resolutions: [config.resolution], encoders },
    factory, log, send: (m) => client?.send(m),
  });
  client = new ServerClient({
    url: config.serverUrl, token: config.hostToken, log,
    register: () => host.registration(), heartbeat: () => host.heartbeat(), onMessage: (m) => host.handle(m),
  });
  client.start();
  log.info({ server: config.serverUrl, renderer: config.renderer, capacity: config.capacity, standby: config.standby }, 'render bridge started');

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'render bridge stopping');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    await client?.stop();
    await host.close(); // ends each encoder cleanly so the FLV/RTMP stream closes properly
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

void main().catch((err: unknown) => {
  createLogger().fatal({ err }, 'render bridge failed to start');
  process.exit(1);
});

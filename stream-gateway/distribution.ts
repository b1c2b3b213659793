import { join } from 'node:path';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { IvsClient } from '@aws-sdk/client-ivs';
import { createRedis } from '../protocol/redis-connection.js';
import { redisKeys } from '../protocol/index.js';
import type { Logger } from 'pino';
import type { RecordingView } from '../protocol/index.js';
import type { IngestTap, StreamForwarder } from './gateway.js';
import { gatewayRoutes } from './gateway-routes.js';
import type { GatewayHttpRoutes } from './http-gate.js';
import { DestinationManager, type DestinationManagerOptions } from './destinations/destination-manager.js';
import { RedisDestinationSource } from './destinations/redis-destination-source.js';
import { ChannelDirectory } from './metadata/channel-directory.js';
import { MetadataFeed } from './metadata/metadata-feed.js';
import { TimedMetadataRelay } from './metadata/timed-metadata-relay.js';
import type { BatcherOptions } from './metadata/channel-batcher.js';
import { CloudWatchPublisher } from './metrics/cloudwatch-publisher.js';
import { GatewayMetrics } from './metrics/gateway-metrics.js';
import { ViewerCountPoller } from './metrics/viewer-count-poller.js';
import { ProgramForwarder, type ProgramConsumer } from './program/program-forwarder.js';
import { StreamStampResponder, StreamStamps } from './program/stream-stamps.js';
import { SlateLibrary, type SlateFormat } from './program/slate.js';
import { ShowRecorder } from './recording/show-recorder.js';
import { watchRedis } from '../protocol/redis-outage.js';

export interface DistributionOptions {
  redisUrl: string;
  redisPrefix: string;
  publishSecret: string;
  playAuth: boolean;
  dataDir: string;
  /** AES key that opens the sealed destination URLs (protocol/secret-box.ts). */
  secretKey: Buffer;
  log: Logger;
  recording: boolean;
  slateHoldMs: number;
  slateImage?: string;
  slateFormat?: SlateFormat;
  stallMs?: number;
  cloudwatchNamespace?: string;
  /** Tests and tuning. */
  ivsClient?: (region: string) => IvsClient;
  cloudWatch?: CloudWatchClient;
  viewerPollMs?: number;
  cloudWatchEveryMs?: number;
  batching?: BatcherOptions;
  relay?: Pick<DestinationManagerOptions, 'maxAttempts' | 'backoffMs' | 'ioTimeoutMs'>;
  onRecorded?: (view: RecordingView) => void;
}

export interface Distribution {
  /** Give to startGateway as `forwarder`; the gateway closes it (and with it all of this). */
  forwarder: StreamForwarder;
  /** Give to startGateway as `httpRoutes`: /metrics and /metadata/<room>. */
  httpRoutes: GatewayHttpRoutes;
  /** Give to startGateway as `ingestTap`: when each audio packet arrived, for the servers' line timings. */
  ingestTap: IngestTap;
  program: ProgramForwarder;
  manager: DestinationManager;
  metrics: GatewayMetrics;
  metadata: TimedMetadataRelay;
  viewers: ViewerCountPoller;
  recorder: ShowRecorder | null;
  cloudWatch: CloudWatchPublisher | null;
}

/**
 * Everything the gateway does with a live room besides ingest and preview: the program
 * feed with its slate, forwarding to destinations from Redis, recording, timed metadata
 * to IVS and preview, and metrics (Prometheus, CloudWatch when a namespace is set).
 */
export async function startDistribution(o: DistributionOptions): Promise<Distribution> {
  const redis = createRedis(o.redisUrl, { maxRetriesPerRequest: 3 });
  const subscriber = createRedis(o.redisUrl, { subscriber: true });
  // One log line when a connection is lost and one when it is back, not one per retry.
  watchRedis(redis, 'distribution', o.log);
  watchRedis(subscriber, 'distribution subscriber', o.log);

  let source: RedisDestinationSource | null = null;
  let metrics: GatewayMetrics | null = null;
  const manager = new DestinationManager({ log: o.log, ...o.relay, onStatus: (s) => { source?.noteStatus(s); metrics?.noteStatus(s); } });
  source = new RedisDestinationSource(redis, subscriber, o.redisPrefix, o.secretKey, manager, o.log);
  await source.start();
  const channels = new ChannelDirectory(redis, o.redisPrefix, o.log);
  await channels.start(subscriber);

  const slates = new SlateLibrary(o.slateImage || undefined);
  await slates.prepare(o.slateFormat ?? { width: 1280, height: 720, fps: 30 });
  const live = redisKeys(o.redisPrefix).recordingsLive;
  // The recorder reads the program the forwarder serves; the forwarder exists right after it.
  let forwarderRef: ProgramForwarder | null = null;
  const recorder = o.recording ? new ShowRecorder({
    dir: join(o.dataDir, 'recordings'), log: o.log, onRecorded: o.onRecorded,
    onTake: (room, take) => void (take ? redis.hset(live, room, JSON.stringify(take)) : redis.hdel(live, room))
      .catch((err: Error) => o.log.warn({ room, err: err.message }, 'recording state not reported')),
    startOf: (room, consumer) => forwarderRef?.startOf(room, consumer),
  }) : null;
  const consumers: ProgramConsumer[] = recorder ? [recorder] : [];
  const timeline = redisKeys(o.redisPrefix).programLive;
  const stamps = new StreamStamps();
  const stampResponder = new StreamStampResponder(redis, subscriber, o.redisPrefix, stamps, o.log);
  await stampResponder.start();
  const program = new ProgramForwarder({
    manager, slates, log: o.log, slateHoldMs: o.slateHoldMs, stallMs: o.stallMs, consumers,
    onLiveAudio: (room, ts) => stamps.programmed(room, ts),
    onLiveOffset: (room, offset) => void redis.hset(timeline, room, JSON.stringify({ offset, at: Date.now() }))
      .catch((err: Error) => o.log.warn({ room, err: err.message }, 'program timeline not reported')),
  });
  forwarderRef = program;
  await program.start();

  const feed = new MetadataFeed();
  const metadata = new TimedMetadataRelay({
    prefix: o.redisPrefix, channels, feed, onAir: (room) => program.program(room) !== undefined,
    ivsClient: o.ivsClient, batching: o.batching, log: o.log,
  });
  await metadata.start(subscriber);

  const viewers = new ViewerCountPoller({ channels, rooms: () => program.rooms(), everyMs: o.viewerPollMs, ivsClient: o.ivsClient, log: o.log });
  viewers.start();
  metrics = new GatewayMetrics({
    destinations: () => manager.statuses(),
    shows: () => program.rooms().flatMap((room) => {
      const p = program.program(room);
      return p ? [{ room, source: p.current(), slateSeconds: p.slateSeconds() }] : [];
    }),
    viewers: () => viewers.current(),
  }, { defaultMetrics: true });
  const gauges = metrics;
  const cloudWatch = o.cloudwatchNamespace
    ? new CloudWatchPublisher({ namespace: o.cloudwatchNamespace, snapshot: () => gauges.snapshot(), client: o.cloudWatch, everyMs: o.cloudWatchEveryMs, log: o.log })
    : null;
  cloudWatch?.start();

  const loader = source;
  const forwarder: StreamForwarder = {
    onLive: (room, rtmp, flv) => { void loader.load(room); program.onLive(room, rtmp, flv); },
    onOffline: (room) => program.onOffline(room),
    close: async () => {
      stampResponder.stop();
      cloudWatch?.close();
      viewers.close();
      metadata.close();
      feed.close();
      channels.stop(subscriber);
      await program.close();
      await loader.close();
      await Promise.all([redis.quit(), subscriber.quit()].map((p) => p.catch(() => undefined)));
    },
  };
  return {
    forwarder, program, manager, metrics, metadata, viewers, recorder, cloudWatch,
    ingestTap: { published: (room) => stamps.published(room), audio: (room, ts, offset) => stamps.ingested(room, ts, offset) },
    httpRoutes: gatewayRoutes({ metrics, feed, publishSecret: o.publishSecret, playAuth: o.playAuth, log: o.log }),
  };
}

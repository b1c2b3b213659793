import { get } from 'node:http';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { GetStreamCommand, IvsClient, PutMetadataCommand } from '@aws-sdk/client-ivs';
import { mockClient } from 'aws-sdk-client-mock';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisKeys, type TimedMetadataEvent } from '../protocol/index.js';
import { publishUrl, signPublishKey } from '../protocol/publish-key.js';
import { deriveSecretKey, destinationAad, seal } from '../protocol/secret-box.js';
import { deletePrefix, redisUrl, testPrefix } from '../test/helpers/redis.js';
import { startDistribution, type Distribution } from './distribution.js';
import { freePort } from './free-port.js';
import { SECRET, captureLogger, inOneMinute, publish, startHarness, waitFor, type Harness, type Publisher } from './test-support.js';

const ARN = 'arn:aws:ivs:us-west-2:123456789012:channel/MeTrIcS1';
const text = (url: string) => new Promise<string>((resolve, reject) => {
  get(url, (res) => { let b = ''; res.on('data', (d: Buffer) => { b += d.toString(); }); res.on('end', () => resolve(b)); }).on('error', reject);
});

describe('a gateway with distribution: metrics, viewers, timed metadata', () => {
  const prefix = testPrefix('gwdist');
  const key = deriveSecretKey(SECRET);
  const ivs = mockClient(IvsClient);
  const cw = mockClient(CloudWatchClient);
  const redis = new Redis(redisUrl());
  const { logger, lines } = captureLogger();
  let h: Harness;
  let dist: Distribution;
  let publisher: Publisher;
  let copyKey = '';

  const addDestination = async (id: string, kind: 'rtmp' | 'ivs-channel', url: string, channelArn?: string) => {
    await redis.hset(redisKeys(prefix).destinations('show-m'), id, JSON.stringify({
      id, room: 'show-m', kind, target: 'x', url: seal(key, url, destinationAad('show-m', id)), provisioned: false, createdAt: Date.now(),
      ...(channelArn ? { channelArn } : {}),
    }));
  };

  beforeAll(async () => {
    ivs.on(PutMetadataCommand).resolves({});
    ivs.on(GetStreamCommand, { channelArn: ARN }).resolves({ stream: { channelArn: ARN, viewerCount: 42, state: 'LIVE' } });
    cw.on(PutMetricDataCommand).resolves({});
    dist = await startDistribution({
      redisUrl: redisUrl(), redisPrefix: prefix, publishSecret: SECRET, playAuth: false, dataDir: '/tmp', secretKey: key, log: logger,
      recording: false, slateHoldMs: 0, stallMs: 400, slateFormat: { width: 320, height: 180, fps: 15, channels: 1 },
      cloudwatchNamespace: 'Livehost/Test', cloudWatch: new CloudWatchClient({ region: 'us-west-2' }), cloudWatchEveryMs: 3_600_000,
      viewerPollMs: 3_600_000, relay: { maxAttempts: 3, backoffMs: [200], ioTimeoutMs: 3000 },
    });
    h = await startHarness(false, { forwarder: dist.forwarder, httpRoutes: dist.httpRoutes, redisPrefix: prefix });
    const rtmp = `rtmp://127.0.0.1:${h.gateway.rtmpPort}/live`;
    copyKey = signPublishKey(SECRET, 'show-m-ingest', inOneMinute());
    // The gateway itself stands in for the IVS ingest; the ARN is what PutMetadata and GetStream use.
    await addDestination('ivs', 'ivs-channel', publishUrl(rtmp, 'show-m-ingest', copyKey), ARN);
    await addDestination('dead', 'rtmp', `rtmp://127.0.0.1:${await freePort('127.0.0.1')}/app/dead_SECRET_key`);
    publisher = publish(publishUrl(rtmp, 'show-m', signPublishKey(SECRET, 'show-m', inOneMinute())), 7);
  });
  afterAll(async () => {
    await publisher?.done;
    await h?.stop();
    await redis.quit();
    await deletePrefix(prefix);
    ivs.restore();
    cw.restore();
  });

  it('/metrics shows destination state, bitrate, reconnects, slate seconds and viewers, labelled by ids only', async () => {
    await waitFor('ivs live', () => dist.manager.statuses('show-m').find((s) => s.id === 'ivs' && s.state === 'live'), 15_000);
    await waitFor('dead retried', () => dist.metrics.snapshot().destinations.find((d) => d.destination === 'dead' && d.reconnects > 0), 10_000);
    await dist.viewers.poll();
    expect(ivs.commandCalls(GetStreamCommand).map((c) => c.args[0].input)).toEqual([{ channelArn: ARN }]);
    await waitFor('bitrate', () => dist.manager.statuses('show-m').find((s) => s.id === 'ivs' && (s.bitrateKbps ?? 0) > 0));

    const body = await text(`http://127.0.0.1:${h.gateway.httpPort}/metrics`);
    expect(body).toContain('livehost_gateway_destination_state{room="show-m",destination="ivs",state="live"} 1');
    expect(body).toContain('livehost_gateway_destination_state{room="show-m",destination="ivs",state="failed"} 0');
    expect(body).toMatch(/livehost_gateway_destination_bitrate_kbps\{room="show-m",destination="ivs"\} [1-9]/);
    expect(body).toMatch(/livehost_gateway_destination_reconnects_total\{room="show-m",destination="dead"\} [1-9]/);
    expect(body).toMatch(/livehost_gateway_slate_seconds\{room="show-m"\} \d/);
    expect(body).toContain('livehost_gateway_show_source{room="show-m",source="live"} 1');
    expect(body).toContain('livehost_gateway_viewers{room="show-m",destination="ivs"} 42');
    expect(body).not.toMatch(/rtmps?:\/\//);
    expect(body).not.toContain('SECRET');
    expect(body).not.toContain(copyKey);
  });

  it('CloudWatch gets the same numbers with PutMetricData', async () => {
    await dist.cloudWatch!.publish();
    const [call] = cw.commandCalls(PutMetricDataCommand);
    expect(call!.args[0].input.Namespace).toBe('Livehost/Test');
    const data = call!.args[0].input.MetricData ?? [];
    expect(data).toContainEqual(expect.objectContaining({
      MetricName: 'ViewerCount', Unit: 'Count', Value: 42, Dimensions: [{ Name: 'Room', Value: 'show-m' }, { Name: 'Destination', Value: 'ivs' }],
    }));
    expect(data).toContainEqual(expect.objectContaining({ MetricName: 'DestinationLive', Value: 1, Dimensions: [{ Name: 'Room', Value: 'show-m' }, { Name: 'Destination', Value: 'ivs' }] }));
    expect(JSON.stringify(data)).not.toContain('SECRET');
  });

  it('a caption published by the server reaches the preview over SSE and the channel by PutMetadata', async () => {
    const frames: string[] = [];
    const req = get(`http://127.0.0.1:${h.gateway.httpPort}/metadata/show-m`, (res) => {
      expect(res.headers['content-type']).toBe('text/event-stream');
      res.on('data', (d: Buffer) => frames.push(d.toString()));
    });
    await waitFor('sse open', () => frames.length > 0);
    const event: TimedMetadataEvent = { room: 'show-m', kind: 'caption', segmentId: 's1.0', text: 'Hello there.', final: true, mediaTimeMs: 500, at: 7 };
    await redis.publish(redisKeys(prefix).timedMetadata, JSON.stringify(event));
    await waitFor('sse caption', () => frames.join('').includes('event: caption'));
    expect(frames.join('')).toContain(`data: ${JSON.stringify({ type: 'caption', text: 'Hello there.', segmentId: 's1.0', final: true, mediaTimeMs: 500, at: 7 })}`);
    await waitFor('put', () => ivs.commandCalls(PutMetadataCommand).length === 1);
    expect(ivs.commandCalls(PutMetadataCommand)[0]!.args[0].input).toEqual({
      channelArn: ARN, metadata: JSON.stringify([{ type: 'caption', text: 'Hello there.', segmentId: 's1.0', final: true }]),
    });
    req.destroy();
    expect(lines.join('')).not.toContain('dead_SECRET_key');
  });
});

import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { FleetCloudWatch, fleetSnapshot } from '../../server/fleet-metrics.js';
import { loadConfig, ConfigError } from '../../server/config.js';
import { cleanup, startServer, type TestServer } from '../helpers/server.js';
import { TestClient } from '../helpers/ws-client.js';

describe('fleet metrics for the scaling policy', () => {
  let srv: TestServer;
  const clients: TestClient[] = [];
  afterEach(async () => {
    clients.splice(0).forEach((c) => c.close());
    await cleanup(srv);
  });

  async function fleet() {
    srv = await startServer();
    const host = await TestClient.connect(`${srv.wsUrl}/ws/render-host`, await srv.token({ role: 'render-host', hostId: 'gpu-1' }));
    clients.push(host);
    host.send({ type: 'host.register', id: 'r', capacity: 4, capabilities: { renderer: 'reference', resolutions: ['720p'], encoders: ['libx264'] } });
    await host.next((f) => f.type === 'ack');
    for (const id of ['a', 'b', 'c']) {
      await srv.core.rooms.create({ id });
      await srv.core.placement.place(id);
    }
    await srv.core.queues.say({ room: 'a', segmentId: 'say-1.0', answerId: 'say-1', index: 0, final: true, text: 'Hi', language: 'en-US', voice: {}, priority: 'script' });
  }

  it('counts hosts, capacity, placed and waiting rooms, utilisation and queue depths', async () => {
    await fleet();
    const s = await fleetSnapshot(srv.core);
    expect(s).toMatchObject({ hostsAlive: 1, capacity: 4, roomsPlaced: 3, roomsWaiting: 0, utilisation: 0.75 });
    expect(s.queues.tts.waiting).toBe(1);
    const text = await (await fetch(`${srv.url}/metrics`)).text();
    expect(text).toMatch(/livehost_render_utilisation_ratio 0\.75/);
    expect(text).toMatch(/livehost_queue_jobs\{queue="tts",state="waiting"\} 1/);
  });

  it('sends them to CloudWatch once a minute from one instance only', async () => {
    await fleet();
    const cw = mockClient(CloudWatchClient);
    cw.on(PutMetricDataCommand).resolves({});
    const client = new CloudWatchClient({ region: 'us-east-1' });
    const a = new FleetCloudWatch(srv.core, 'Livehost/Fleet', client);
    const b = new FleetCloudWatch(srv.core, 'Livehost/Fleet', client);
    const at = new Date('2026-11-24T12:00:30Z');
    expect(await a.publishOnce(at)).toBe(true);
    expect(await b.publishOnce(at)).toBe(false);
    const calls = cw.commandCalls(PutMetricDataCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0]!.args[0].input;
    expect(input.Namespace).toBe('Livehost/Fleet');
    const byName = Object.fromEntries(input.MetricData!.filter((d) => !d.Dimensions).map((d) => [d.MetricName, d.Value]));
    expect(byName).toEqual({ RenderHosts: 1, RenderCapacity: 4, RoomsPlaced: 3, RoomsWaitingForHost: 0, RenderHostUtilisation: 75 });
    expect(input.MetricData).toContainEqual({ MetricName: 'QueueWaiting', Value: 1, Unit: 'Count', Timestamp: at, Dimensions: [{ Name: 'Queue', Value: 'tts' }] });
    cw.restore();
  });

  it('a throttled PutMetricData is retried', async () => {
    await fleet();
    const cw = mockClient(CloudWatchClient);
    cw.on(PutMetricDataCommand).rejectsOnce(Object.assign(new Error('slow down'), { name: 'ThrottlingException' })).resolves({});
    expect(await new FleetCloudWatch(srv.core, 'Livehost/Fleet', new CloudWatchClient({ region: 'us-east-1' })).publishOnce(new Date('2026-11-24T12:05:00Z'))).toBe(true);
    expect(cw.commandCalls(PutMetricDataCommand)).toHaveLength(2);
    cw.restore();
  });
});

describe('server configuration', () => {
  it('names every bad variable at once and never echoes a secret', () => {
    let err: unknown;
    try {
      loadConfig({ PORT: 'eighty', LIVEHOST_JWT_SECRET: 'short-secret', LIVEHOST_RTMP_URL: 'http://x', LIVEHOST_CLOUDWATCH_NAMESPACE: 'AWS/Mine' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const message = (err as Error).message;
    for (const name of ['PORT', 'LIVEHOST_JWT_SECRET', 'LIVEHOST_PUBLISH_SECRET', 'LIVEHOST_RTMP_URL', 'LIVEHOST_CLOUDWATCH_NAMESPACE']) expect(message).toContain(name);
    expect(message).not.toContain('short-secret');
  });

  it('runs on one machine with only the two secrets', () => {
    const c = loadConfig({ LIVEHOST_JWT_SECRET: 'x'.repeat(32), LIVEHOST_PUBLISH_SECRET: 'y'.repeat(32) });
    expect(c).toMatchObject({ port: 8080, host: '127.0.0.1', redisPrefix: 'livehost', cloudwatchNamespace: '' });
  });
});

import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { captureLogger } from '../test-support.js';
import { CloudWatchPublisher } from './cloudwatch-publisher.js';
import type { GatewaySnapshot } from './gateway-metrics.js';

const NOW = new Date('2025-01-31T12:00:00Z');

describe('CloudWatch metrics', () => {
  const cw = mockClient(CloudWatchClient);
  const { logger } = captureLogger();
  afterEach(() => cw.reset());
  afterAll(() => cw.restore());
  const publisher = (snapshot: () => GatewaySnapshot) => new CloudWatchPublisher({
    namespace: 'Livehost', snapshot, client: new CloudWatchClient({ region: 'us-east-1' }), now: () => NOW, log: logger, retry: { baseMs: 1, maxMs: 2 },
  });

  it('sends each room\'s numbers in one exact PutMetricData, reconnects as the count since the last publish', async () => {
    cw.on(PutMetricDataCommand).resolves({});
    let reconnects = 3;
    const p = publisher(() => ({
      destinations: [{ room: 'show', destination: 'ivs', state: 'live', bitrateKbps: 2500, reconnects }],
      shows: [{ room: 'show', source: 'slate', slateSeconds: 4.5 }],
      viewers: [{ room: 'show', destination: 'ivs', viewers: 17 }],
    }));
    await p.publish();
    const d = [{ Name: 'Room', Value: 'show' }, { Name: 'Destination', Value: 'ivs' }];
    expect(cw.commandCalls(PutMetricDataCommand).map((c) => c.args[0].input)).toEqual([{
      Namespace: 'Livehost',
      MetricData: [
        { MetricName: 'DestinationLive', Dimensions: d, Timestamp: NOW, Unit: 'Count', Value: 1 },
        { MetricName: 'DestinationFailed', Dimensions: d, Timestamp: NOW, Unit: 'Count', Value: 0 },
        { MetricName: 'DestinationBitrate', Dimensions: d, Timestamp: NOW, Unit: 'Kilobits/Second', Value: 2500 },
        { MetricName: 'DestinationReconnects', Dimensions: d, Timestamp: NOW, Unit: 'Count', Value: 3 },
        { MetricName: 'SlateSeconds', Dimensions: [{ Name: 'Room', Value: 'show' }], Timestamp: NOW, Unit: 'Seconds', Value: 4.5 },
        { MetricName: 'ViewerCount', Dimensions: d, Timestamp: NOW, Unit: 'Count', Value: 17 },
        { MetricName: 'ShowsOnAir', Timestamp: NOW, Unit: 'Count', Value: 1 },
      ],
    }]);
    reconnects = 5;
    await p.publish();
    const second = cw.commandCalls(PutMetricDataCommand)[1]!.args[0].input.MetricData!;
    expect(second.find((m) => m.MetricName === 'DestinationReconnects')?.Value).toBe(2);
  });

  it('batches at most 1000 metrics per request and retries a throttled one', async () => {
    cw.on(PutMetricDataCommand)
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $metadata: { httpStatusCode: 400 } }))
      .resolves({});
    const destinations = Array.from({ length: 600 }, (_, i) => ({ room: `r${i}`, destination: 'd', state: 'live' as const, bitrateKbps: 1, reconnects: 0 }));
    await publisher(() => ({ destinations, shows: [], viewers: [] })).publish();
    const sizes = cw.commandCalls(PutMetricDataCommand).map((c) => c.args[0].input.MetricData!.length);
    // 2401 datums: the first request throttled and sent again, then 1000 and 401.
    expect(sizes).toEqual([1000, 1000, 1000, 401]);
    expect(cw.commandCalls(PutMetricDataCommand)[0]!.args[0].input).toEqual(cw.commandCalls(PutMetricDataCommand)[1]!.args[0].input);
  });

  it('refuses a namespace CloudWatch reserves, naming the variable', () => {
    expect(() => new CloudWatchPublisher({
      namespace: 'AWS/IVS', snapshot: () => ({ destinations: [], shows: [], viewers: [] }), client: new CloudWatchClient({}), log: logger,
    })).toThrow(/LIVEHOST_CLOUDWATCH_NAMESPACE/);
  });
});

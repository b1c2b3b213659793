import { CloudWatchClient, PutMetricDataCommand, type MetricDatum } from '@aws-sdk/client-cloudwatch';
import type { Logger } from 'pino';
import { describeAwsError, retryThrottled, type RetryOptions } from '../../protocol/aws-retry.js';
import type { GatewaySnapshot } from './gateway-metrics.js';

/** PutMetricData accepts at most 1000 metrics per request (CloudWatch quotas). */
export const CLOUDWATCH_MAX_DATUMS = 1000;

export interface CloudWatchPublisherOptions {
  namespace: string;
  snapshot: () => GatewaySnapshot;
  client?: CloudWatchClient;
  /** CloudWatch's standard resolution is a minute: publishing faster only costs more. */
  everyMs?: number;
  retry?: RetryOptions;
  now?: () => Date;
  log: Logger;
}

/**
 * Sends the gateway's per-room numbers to CloudWatch every minute, batched into
 * PutMetricData calls of at most 1000 datums. Reconnects go as the count since the last
 * publish (a CloudWatch Sum over any period is then right); the rest are current values.
 */
export class CloudWatchPublisher {
  private readonly client: CloudWatchClient;
  private timer: NodeJS.Timeout | null = null;
  private readonly lastReconnects = new Map<string, number>();

  constructor(private readonly options: CloudWatchPublisherOptions) {
    if (!/^[^:][\x20-\x7e]{0,254}$/.test(options.namespace) || options.namespace.startsWith('AWS/')) {
      throw new TypeError('LIVEHOST_CLOUDWATCH_NAMESPACE must be 1-255 printable ASCII characters, not starting with ":" or "AWS/"');
    }
    this.client = options.client ?? new CloudWatchClient({ region: process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1', maxAttempts: 1 });
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.publish(), this.options.everyMs ?? 60_000);
    this.timer.unref();
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  datums(snapshot: GatewaySnapshot = this.options.snapshot()): MetricDatum[] {
    const Timestamp = (this.options.now ?? (() => new Date()))();
    const out: MetricDatum[] = [];
    for (const d of snapshot.destinations) {
      const Dimensions = [{ Name: 'Room', Value: d.room }, { Name: 'Destination', Value: d.destination }];
      const key = `${d.room}/${d.destination}`;
      const newReconnects = d.reconnects - (this.lastReconnects.get(key) ?? 0);
      this.lastReconnects.set(key, d.reconnects);
      out.push(
        { MetricName: 'DestinationLive', Dimensions, Timestamp, Unit: 'Count', Value: d.state === 'live' ? 1 : 0 },
        { MetricName: 'DestinationFailed', Dimensions, Timestamp, Unit: 'Count', Value: d.state === 'failed' ? 1 : 0 },
        { MetricName: 'DestinationBitrate', Dimensions, Timestamp, Unit: 'Kilobits/Second', Value: d.bitrateKbps },
        { MetricName: 'DestinationReconnects', Dimensions, Timestamp, Unit: 'Count', Value: Math.max(0, newReconnects) },
      );
    }
    for (const s of snapshot.shows) {
      out.push({ MetricName: 'SlateSeconds', Dimensions: [{ Name: 'Room', Value: s.room }], Timestamp, Unit: 'Seconds', Value: s.slateSeconds });
    }
    for (const v of snapshot.viewers) {
      out.push({ MetricName: 'ViewerCount', Dimensions: [{ Name: 'Room', Value: v.room }, { Name: 'Destination', Value: v.destination }], Timestamp, Unit: 'Count', Value: v.viewers });
    }
    out.push({ MetricName: 'ShowsOnAir', Timestamp, Unit: 'Count', Value: snapshot.shows.length });
    return out;
  }

  /** One publish: every datum, in requests of at most 1000. A failed batch is logged, not retried past throttling. */
  async publish(): Promise<void> {
    const all = this.datums();
    for (let i = 0; i < all.length; i += CLOUDWATCH_MAX_DATUMS) {
      const MetricData = all.slice(i, i + CLOUDWATCH_MAX_DATUMS);
      try {
        await retryThrottled(() => this.client.send(new PutMetricDataCommand({ Namespace: this.options.namespace, MetricData })), this.options.retry);
      } catch (err) {
        this.options.log.warn({ err: describeAwsError(err), metrics: MetricData.length }, 'PutMetricData failed');
      }
    }
  }
}

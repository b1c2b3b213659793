import { CloudWatchClient, PutMetricDataCommand, type MetricDatum } from '@aws-sdk/client-cloudwatch';
import { describeAwsError, retryThrottled } from '../protocol/aws-retry.js';
import type { ServerCore } from './core.js';

/** The numbers an Auto Scaling policy for render hosts and workers needs. */
export interface FleetSnapshot {
  hostsAlive: number;
  capacity: number;
  roomsPlaced: number;
  roomsWaiting: number;
  /** roomsPlaced / capacity, 0 when there is no capacity. */
  utilisation: number;
  queues: Record<'qa' | 'tts' | 'segments', { waiting: number; active: number }>;
}

export async function fleetSnapshot(core: Pick<ServerCore, 'placement' | 'queues' | 'config'>, now = Date.now()): Promise<FleetSnapshot> {
  const [hosts, waiting, queues] = await Promise.all([core.placement.hosts(), core.placement.waitingRooms(), core.queues.depths()]);
  const alive = hosts.filter((h) => now - h.lastSeen <= core.config.hostTimeoutSeconds * 1000);
  const capacity = alive.reduce((n, h) => n + h.capacity, 0);
  const roomsPlaced = alive.reduce((n, h) => n + h.rooms.length, 0);
  return { hostsAlive: alive.length, capacity, roomsPlaced, roomsWaiting: waiting.length, utilisation: capacity ? roomsPlaced / capacity : 0, queues };
}

export function fleetDatums(s: FleetSnapshot, Timestamp: Date): MetricDatum[] {
  const d = (MetricName: string, Value: number, Unit: MetricDatum['Unit'] = 'Count', Dimensions?: MetricDatum['Dimensions']): MetricDatum =>
    ({ MetricName, Value, Unit, Timestamp, ...(Dimensions ? { Dimensions } : {}) });
  return [
    d('RenderHosts', s.hostsAlive),
    d('RenderCapacity', s.capacity),
    d('RoomsPlaced', s.roomsPlaced),
    d('RoomsWaitingForHost', s.roomsWaiting),
    d('RenderHostUtilisation', Math.round(s.utilisation * 1000) / 10, 'Percent'),
    ...(['qa', 'tts', 'segments'] as const).flatMap((q) => [
      d('QueueWaiting', s.queues[q].waiting, 'Count', [{ Name: 'Queue', Value: q }]),
      d('QueueActive', s.queues[q].active, 'Count', [{ Name: 'Queue', Value: q }]),
    ]),
  ];
}

/**
 * Publishes the fleet numbers to CloudWatch once a minute. Every instance runs one; a
 * per-minute Redis claim lets exactly one of them send, so the fleet is counted once.
 */
export class FleetCloudWatch {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly core: Pick<ServerCore, 'placement' | 'queues' | 'config' | 'redis' | 'log'>,
    private readonly namespace: string,
    private readonly client = new CloudWatchClient({ region: process.env.AWS_REGION ?? 'us-east-1', maxAttempts: 1 }),
  ) {}

  start(everyMs = 60_000): void {
    this.timer = setInterval(() => void this.publishOnce(), everyMs);
    this.timer.unref();
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async publishOnce(now = new Date()): Promise<boolean> {
    const minute = Math.floor(now.getTime() / 60_000);
    const claimed = await this.core.redis.set(`${this.core.config.redisPrefix}:cw-fleet:${minute}`, '1', 'EX', 120, 'NX');
    if (!claimed) return false;
    try {
      const MetricData = fleetDatums(await fleetSnapshot(this.core, now.getTime()), now);
      await retryThrottled(() => this.client.send(new PutMetricDataCommand({ Namespace: this.namespace, MetricData })));
      return true;
    } catch (err) {
      this.core.log.warn({ err: describeAwsError(err) }, 'fleet metrics not sent to CloudWatch');
      return false;
    }
  }
}

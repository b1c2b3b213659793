import {
  CreateChannelCommand, GetChannelCommand, GetStreamKeyCommand, ListStreamKeysCommand, type IvsClient,
} from '@aws-sdk/client-ivs';
import { CreateIngestConfigurationCommand, CreateParticipantTokenCommand, GetStageCommand, type IVSRealTimeClient } from '@aws-sdk/client-ivs-realtime';
import { retryThrottled, type RetryOptions } from '../../protocol/aws-retry.js';
import { DistributionError, describeAwsError } from './distribution-error.js';

/** A resolved push target: the URL carries the stream key, so it only ever goes sealed into Redis. */
export interface ProvisionedTarget {
  url: string;
  channelArn?: string;
  playbackUrl?: string;
  stageArn?: string;
  ingestConfigurationArn?: string;
  provisioned: boolean;
}

export interface ChannelRequest {
  name: string;
  latencyMode: 'LOW' | 'NORMAL';
  type: 'BASIC' | 'STANDARD' | 'ADVANCED_SD' | 'ADVANCED_HD';
}

/** IVS pushes arrive over RTMPS on 443 at `/app/<key>` (IVS user guide, "Streaming to IVS"). */
export const ivsChannelUrl = (ingestEndpoint: string, streamKey: string): string => `rtmps://${ingestEndpoint}:443/app/${streamKey}`;

/**
 * The IVS calls that turn a destination request into a push URL. Every call retries on
 * throttling and fails as a DistributionError naming the operation, never carrying the
 * key (AWS errors can echo request fields).
 */
export class IvsProvisioner {
  constructor(
    private readonly ivs: IvsClient,
    private readonly realtime: IVSRealTimeClient,
    private readonly retry: RetryOptions = {},
  ) {}

  /** CreateChannel: IVS returns the channel and its first stream key in one response. */
  async createChannel(request: ChannelRequest, tags: Record<string, string>): Promise<ProvisionedTarget> {
    const out = await this.call('CreateChannel', () => this.ivs.send(new CreateChannelCommand({
      name: request.name, latencyMode: request.latencyMode, type: request.type, tags,
    })));
    const channel = out.channel;
    const key = out.streamKey?.value;
    if (!channel?.arn || !channel.ingestEndpoint || !key) throw new DistributionError('aws_failed', 'CreateChannel returned no channel or stream key');
    return { url: ivsChannelUrl(channel.ingestEndpoint, key), channelArn: channel.arn, playbackUrl: channel.playbackUrl, provisioned: true };
  }

  /** An existing channel: its ingest endpoint (GetChannel) and its stream key (ListStreamKeys → GetStreamKey). */
  async existingChannel(channelArn: string): Promise<ProvisionedTarget> {
    const { channel } = await this.call('GetChannel', () => this.ivs.send(new GetChannelCommand({ arn: channelArn })));
    if (!channel?.ingestEndpoint) throw new DistributionError('aws_failed', 'GetChannel returned no ingest endpoint');
    const listed = await this.call('ListStreamKeys', () => this.ivs.send(new ListStreamKeysCommand({ channelArn })));
    const keyArn = listed.streamKeys?.[0]?.arn;
    if (!keyArn) throw new DistributionError('bad_destination', 'the channel has no stream key; create one in IVS first');
    const { streamKey } = await this.call('GetStreamKey', () => this.ivs.send(new GetStreamKeyCommand({ arn: keyArn })));
    if (!streamKey?.value) throw new DistributionError('aws_failed', 'GetStreamKey returned no value');
    return { url: ivsChannelUrl(channel.ingestEndpoint, streamKey.value), channelArn, playbackUrl: channel.playbackUrl, provisioned: false };
  }

  /**
   * A real-time stage takes RTMPS through an ingest configuration: the stage's RTMPS
   * endpoint (GetStage) plus the configuration's stream key. The stage's media rules
   * (H.264 without B-frames, ≤ 720p, keyframe 1–2 s) are met by the render host's encoder.
   */
  async stageIngest(stageArn: string, name: string, userId: string): Promise<ProvisionedTarget> {
    const { stage } = await this.call('GetStage', () => this.realtime.send(new GetStageCommand({ arn: stageArn })));
    const endpoint = stage?.endpoints?.rtmps;
    if (!endpoint) throw new DistributionError('aws_failed', 'GetStage returned no RTMPS endpoint');
    const { ingestConfiguration: ingest } = await this.call('CreateIngestConfiguration', () => this.realtime.send(new CreateIngestConfigurationCommand({
      stageArn, name, userId, ingestProtocol: 'RTMPS', attributes: { source: 'livehost' },
    })));
    if (!ingest?.arn || !ingest.streamKey) throw new DistributionError('aws_failed', 'CreateIngestConfiguration returned no stream key');
    return { url: `${endpoint.replace(/\/+$/, '')}/${ingest.streamKey}`, stageArn, ingestConfigurationArn: ingest.arn, provisioned: true };
  }

  /**
   * A viewer's way into a real-time stage: a participant token that may only subscribe
   * (the show is published by the ingest configuration, never by a viewer).
   */
  async viewerToken(stageArn: string, userId: string, durationMinutes: number): Promise<{ token: string; participantId: string; expiresAt: number }> {
    const { participantToken: t } = await this.call('CreateParticipantToken', () => this.realtime.send(new CreateParticipantTokenCommand({
      stageArn, userId, capabilities: ['SUBSCRIBE'], duration: durationMinutes,
    })));
    if (!t?.token || !t.participantId) throw new DistributionError('aws_failed', 'CreateParticipantToken returned no token');
    return { token: t.token, participantId: t.participantId, expiresAt: t.expirationTime?.getTime() ?? Date.now() + durationMinutes * 60_000 };
  }

  private async call<T>(operation: string, send: () => Promise<T>): Promise<T> {
    try {
      return await retryThrottled(send, this.retry);
    } catch (err) {
      if (err instanceof DistributionError) throw err;
      throw new DistributionError('aws_failed', `${operation} failed: ${describeAwsError(err)}`);
    }
  }
}

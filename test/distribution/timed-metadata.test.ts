import { IvsClient, PutMetadataCommand } from '@aws-sdk/client-ivs';
import { mockClient } from 'aws-sdk-client-mock';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { deriveSecretKey } from '../../protocol/secret-box.js';
import { redisKeys, type RoomEvent, type TimedMetadataEvent } from '../../protocol/index.js';
import { DestinationStore } from '../../server/distribution/destination-store.js';
import { TimedMetadataPublisher, tapTimedMetadata } from '../../server/distribution/timed-metadata.js';
import { ChannelDirectory } from '../../stream-gateway/metadata/channel-directory.js';
import { MetadataFeed } from '../../stream-gateway/metadata/metadata-feed.js';
import { TimedMetadataRelay } from '../../stream-gateway/metadata/timed-metadata-relay.js';
import { captureLogger, waitFor } from '../../stream-gateway/test-support.js';
import { deletePrefix, redisUrl, testPrefix } from '../helpers/redis.js';
import { subscribeWhenReady } from '../../protocol/redis-outage.js';

const ARN = 'arn:aws:ivs:eu-west-1:123456789012:channel/ChAnNeL42';

describe('captions reach IVS when their line starts', () => {
  const prefix = testPrefix('tmeta');
  const redis = new Redis(redisUrl());
  const sub = new Redis(redisUrl());
  const watcher = new Redis(redisUrl());
  const ivs = mockClient(IvsClient);
  const { logger } = captureLogger();
  const channels = new ChannelDirectory(redis, prefix, logger);
  const relay = new TimedMetadataRelay({ prefix, channels, feed: new MetadataFeed(), onAir: (room) => room === 'show', log: logger });
  const store = new DestinationStore(redis, prefix, deriveSecretKey('a-shared-secret-of-at-least-32-characters'));
  afterAll(async () => {
    relay.close();
    ivs.restore();
    await Promise.all([redis.quit(), sub.quit(), watcher.quit()]);
    await deletePrefix(prefix);
  });

  it('question, answer lines and speech.started through the server become one exact PutMetadata at the start, and nothing before', async () => {
    ivs.on(PutMetadataCommand).resolves({});
    await store.add('show', 'ivs', 'ivs-channel', { url: 'rtmps://x.global-contribute.live-video.net:443/app/sk_secret', channelArn: ARN, provisioned: false });
    await store.add('show', 'yt', 'rtmp', { url: 'rtmp://a.rtmp.youtube.com/live2/k', provisioned: false });
    await channels.start(sub);
    await relay.start(sub);
    const published: TimedMetadataEvent[] = [];
    await subscribeWhenReady(watcher, [redisKeys(prefix).timedMetadata]);
    watcher.on('message', (_c: string, m: string) => published.push(JSON.parse(m) as TimedMetadataEvent));

    const operatorEvents: RoomEvent[] = [];
    const events = tapTimedMetadata({ emit: async (_room: string, e: RoomEvent) => { operatorEvents.push(e); } }, new TimedMetadataPublisher(redis, prefix, logger));
    await events.emit('show', { kind: 'question', question: { questionId: 'q7', room: 'show', user: { id: 'u1', name: 'Ann' }, text: 'Is it open late?', status: 'answering', askedBy: 1, receivedAt: 1 } } as RoomEvent);
    await events.emit('show', { kind: 'answer.sentence', questionId: 'q7', segmentId: 'q7.0', segmentSeq: 1, text: 'Yes, until ten.', final: false });
    await events.emit('show', { kind: 'answer.sentence', questionId: 'q7', segmentId: 'q7.1', segmentSeq: 2, text: 'Every day.', final: true });
    // A marker on the channel, after them: had anything been published for the written lines, it would be in first.
    await redis.publish(redisKeys(prefix).timedMetadata, JSON.stringify({ marker: 1 }));
    await waitFor('the marker', () => published.some((p) => 'marker' in p));
    expect(published.filter((p) => !('marker' in p))).toEqual([]);
    published.length = 0;
    expect(ivs.commandCalls(PutMetadataCommand)).toHaveLength(0); // written is not heard

    await events.emit('show', { kind: 'speech.started', segmentId: 'q7.0', mediaTimeMs: 1000, hostId: 'h1' });
    await events.emit('show', { kind: 'speech.started', segmentId: 'q7.0', mediaTimeMs: 1000, hostId: 'h1' }); // reported twice: sent once
    await waitFor('put', () => ivs.commandCalls(PutMetadataCommand).length === 1);
    expect(ivs.commandCalls(PutMetadataCommand)[0]!.args[0].input).toEqual({
      channelArn: ARN,
      metadata: JSON.stringify([
        { type: 'question', text: 'Is it open late?', segmentId: 'q7.0', questionId: 'q7' },
        { type: 'caption', text: 'Yes, until ten.', segmentId: 'q7.0', questionId: 'q7', final: false },
      ]),
    });
    await events.emit('show', { kind: 'speech.started', segmentId: 'q7.1', mediaTimeMs: 2500, hostId: 'h1' });
    await waitFor('second put', () => ivs.commandCalls(PutMetadataCommand).length === 2);
    expect(ivs.commandCalls(PutMetadataCommand)[1]!.args[0].input).toEqual({
      channelArn: ARN, metadata: JSON.stringify([{ type: 'caption', text: 'Every day.', segmentId: 'q7.1', questionId: 'q7', final: true }]),
    });
    expect(published.map((e) => [e.kind, e.segmentId, e.mediaTimeMs])).toEqual([['question', 'q7.0', 1000], ['caption', 'q7.0', 1000], ['caption', 'q7.1', 2500]]);
    // Operators still get every event, unchanged.
    expect(operatorEvents.map((e) => e.kind)).toEqual(['question', 'answer.sentence', 'answer.sentence', 'speech.started', 'speech.started', 'speech.started']);
  });
});

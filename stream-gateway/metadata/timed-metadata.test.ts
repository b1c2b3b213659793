import { IvsClient, PutMetadataCommand, ThrottlingException } from '@aws-sdk/client-ivs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { TimedMetadataEvent } from '../../protocol/index.js';
import { captureLogger, waitFor } from '../test-support.js';
import type { ChannelDirectory } from './channel-directory.js';
import { MetadataFeed } from './metadata-feed.js';
import { IVS_METADATA_MAX_BYTES, fitItem, packPayload, type MetadataItem } from './metadata-payload.js';
import { TimedMetadataRelay } from './timed-metadata-relay.js';

const ARN = 'arn:aws:ivs:us-west-2:123456789012:channel/AbCdEf123456';
const caption = (n: number, text = `line ${n}`): TimedMetadataEvent => ({
  room: 'show', kind: 'caption', segmentId: `a1.${n}`, questionId: 'q1', text, final: false, mediaTimeMs: n * 100, at: 1,
});

describe('timed metadata to IVS', () => {
  const ivs = mockClient(IvsClient);
  const { logger, lines } = captureLogger();
  const channels = { channels: async (room: string) => (room === 'show' ? [{ destination: 'ivs', channelArn: ARN }] : []) } as unknown as ChannelDirectory;
  const relays: TimedMetadataRelay[] = [];
  const relay = (onAir = true) => {
    const r = new TimedMetadataRelay({ prefix: 'unused', channels, feed: new MetadataFeed(), onAir: () => onAir, log: logger });
    relays.push(r);
    return r;
  };
  const calls = () => ivs.commandCalls(PutMetadataCommand).map((c) => c.args[0].input);
  afterEach(() => { for (const r of relays.splice(0)) r.close(); ivs.reset(); });
  afterAll(() => ivs.restore());

  it('a payload is cut at a character boundary to fit 1 KB, with multi-byte text intact', () => {
    const text = '日本語のキャプション🎤'.repeat(60); // 3- and 4-byte UTF-8, surrogate pairs
    const item = fitItem({ type: 'caption', text, segmentId: 's1' });
    const json = JSON.stringify([item]);
    expect(Buffer.byteLength(json)).toBeLessThanOrEqual(IVS_METADATA_MAX_BYTES);
    expect(Buffer.byteLength(json)).toBeGreaterThan(IVS_METADATA_MAX_BYTES - 8);
    expect(Buffer.from(json, 'utf8').toString('utf8')).toBe(json);
    expect(item.text.endsWith('…')).toBe(true);
    expect(text.startsWith(item.text.slice(0, -1))).toBe(true);
    expect(json).not.toContain('\uFFFD');
    // Items that fit together share a payload; the next one waits for the next call.
    const items: MetadataItem[] = Array.from({ length: 20 }, (_, i) => ({ type: 'caption', text: 'x'.repeat(100), segmentId: `s${i}` }));
    const { payload, used } = packPayload(items);
    expect(used).toBeGreaterThan(1);
    expect(used).toBeLessThan(20);
    expect(Buffer.byteLength(payload)).toBeLessThanOrEqual(IVS_METADATA_MAX_BYTES);
  });

  it('events within 200 ms go out as one PutMetadata of a JSON array, on the channel in the room\'s destinations', async () => {
    ivs.on(PutMetadataCommand).resolves({});
    const r = relay();
    await r.handle({ room: 'show', kind: 'question', segmentId: 'a1.0', questionId: 'q1', text: 'What time is it?', mediaTimeMs: 0, at: 1 });
    await r.handle(caption(0, 'It is noon.'));
    await waitFor('call', () => calls().length === 1);
    await new Promise((res) => setTimeout(res, 300));
    expect(calls()).toEqual([{
      channelArn: ARN,
      metadata: JSON.stringify([
        { type: 'question', text: 'What time is it?', segmentId: 'a1.0', questionId: 'q1' },
        { type: 'caption', text: 'It is noon.', segmentId: 'a1.0', questionId: 'q1', final: false },
      ]),
    }]);
  });

  it('50 events in 1 s make at most 5 calls in any second, each at most 1 KB, delivering every event in order', async () => {
    const at: number[] = [];
    ivs.on(PutMetadataCommand).callsFake(() => { at.push(Date.now()); return {}; });
    const r = relay();
    for (let i = 0; i < 50; i += 1) {
      await r.handle(caption(i, `caption number ${i} `.repeat(4)));
      await new Promise((res) => setTimeout(res, 20));
    }
    await waitFor('all delivered', () => calls().flatMap((c) => JSON.parse(c.metadata!) as MetadataItem[]).length === 50);
    const sent = calls();
    for (const c of sent) expect(Buffer.byteLength(c.metadata!)).toBeLessThanOrEqual(IVS_METADATA_MAX_BYTES);
    expect(sent.flatMap((c) => (JSON.parse(c.metadata!) as MetadataItem[]).map((m) => m.segmentId))).toEqual(Array.from({ length: 50 }, (_, i) => `a1.${i}`));
    for (let i = 0; i + 5 < at.length; i += 1) expect(at[i + 5]! - at[i]!).toBeGreaterThanOrEqual(1000);
    expect(sent.length).toBeLessThan(15);
  });

  it('a throttled PutMetadata is retried with the same payload', async () => {
    ivs.on(PutMetadataCommand)
      .rejectsOnce(new ThrottlingException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 429 } }))
      .resolves({});
    const r = relay();
    await r.handle(caption(1));
    await waitFor('retried', () => calls().length === 2);
    const expected = { channelArn: ARN, metadata: JSON.stringify([{ type: 'caption', text: 'line 1', segmentId: 'a1.1', questionId: 'q1', final: false }]) };
    expect(calls()).toEqual([expected, expected]);
    expect(lines.join('')).not.toContain('PutMetadata failed');
  });

  it('a room not on air here sends nothing', async () => {
    ivs.on(PutMetadataCommand).resolves({});
    const r = relay(false);
    await r.handle(caption(1));
    await new Promise((res) => setTimeout(res, 400));
    expect(calls()).toEqual([]);
  });
});

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import {
  CreateChannelCommand, DeleteChannelCommand, GetChannelCommand, GetStreamKeyCommand, IvsClient, ListStreamKeysCommand, ThrottlingException,
} from '@aws-sdk/client-ivs';
import { CreateIngestConfigurationCommand, CreateParticipantTokenCommand, GetStageCommand, IVSRealTimeClient } from '@aws-sdk/client-ivs-realtime';
import { redactUrls, redisKeys, type DestinationView, type StoredDestination } from '../../protocol/index.js';
import { buildRouteApp, type RouteApp } from '../../test/distribution/route-app.js';
import { destinationRoutes } from '../routes/destinations.js';
import { createDistribution, type Distribution } from './distribution.js';
import { subscribeWhenReady } from '../../protocol/redis-outage.js';

const CHANNEL_ARN = 'arn:aws:ivs:us-west-2:123456789012:channel/AbCdEf123456';
const STAGE_ARN = 'arn:aws:ivs:us-west-2:123456789012:stage/StAgE123456';
const KEY = 'sk_us-west-2_SECRETkey0123456789';
const INGEST = 'f99084460c35.global-contribute.live-video.net';

describe('destinations REST', () => {
  const ivs = mockClient(IvsClient);
  const realtime = mockClient(IVSRealTimeClient);
  let t: RouteApp;
  let dist: Distribution;
  const call = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) =>
    t.app.inject({ method, url, headers: { authorization: `Bearer ${t.admin}` }, ...(payload ? { payload } : {}) });
  const everythingSaid = (...bodies: string[]) => bodies.join('\n') + t.logs.join('\n');

  beforeAll(async () => {
    t = await buildRouteApp();
    dist = createDistribution(t.core, { retry: { baseMs: 1, maxMs: 2 } });
    await destinationRoutes(t.app, t.core, dist);
    await t.app.ready();
    await t.core.rooms.create({ id: 'show' });
  });
  afterEach(() => { ivs.reset(); realtime.reset(); });
  afterAll(async () => { await t.close(); ivs.restore(); realtime.restore(); });

  it('provisions an IVS channel with CreateChannel, seals its key in Redis and never returns or logs it', async () => {
    ivs.on(CreateChannelCommand).resolves({
      channel: { arn: CHANNEL_ARN, ingestEndpoint: INGEST, playbackUrl: 'https://play.example/x.m3u8' },
      streamKey: { arn: 'arn:aws:ivs:us-west-2:123456789012:stream-key/k1', value: KEY, channelArn: CHANNEL_ARN },
    });
    const res = await call('POST', '/api/rooms/show/destinations', { id: 'ivs-main', kind: 'ivs-channel', create: { latencyMode: 'LOW', type: 'BASIC' } });
    expect(res.statusCode).toBe(201);
    expect(ivs.commandCalls(CreateChannelCommand).map((c) => c.args[0].input)).toEqual([{
      name: 'livehost-show-ivs-main', latencyMode: 'LOW', type: 'BASIC', tags: { 'livehost:room': 'show', 'livehost:destination': 'ivs-main' },
    }]);
    const view = res.json<DestinationView>();
    expect(view).toMatchObject({ id: 'ivs-main', kind: 'ivs-channel', target: `rtmps://${INGEST}:443/app/***`, channelArn: CHANNEL_ARN, provisioned: true, health: { state: 'idle' } });

    const raw = await t.core.redis.hget(redisKeys(t.prefix).destinations('show'), 'ivs-main');
    expect(raw).not.toContain(KEY);
    const stored = JSON.parse(raw!) as StoredDestination;
    expect(dist.store.openUrl(stored)).toBe(`rtmps://${INGEST}:443/app/${KEY}`);

    const list = await call('GET', '/api/rooms/show/destinations');
    expect(list.json<{ destinations: DestinationView[] }>().destinations.map((d) => d.id)).toContain('ivs-main');
    expect(everythingSaid(res.body, list.body)).not.toContain(KEY);
  });

  it('retries CreateChannel when IVS throttles, then succeeds', async () => {
    ivs.on(CreateChannelCommand)
      .rejectsOnce(new ThrottlingException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 429 } }))
      .rejectsOnce(new ThrottlingException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 429 } }))
      .resolves({ channel: { arn: CHANNEL_ARN, ingestEndpoint: INGEST }, streamKey: { value: KEY } });
    const res = await call('POST', '/api/rooms/show/destinations', { id: 'ivs-throttled', kind: 'ivs-channel', create: {} });
    expect(res.statusCode).toBe(201);
    expect(ivs.commandCalls(CreateChannelCommand)).toHaveLength(3);
    expect(ivs.commandCalls(CreateChannelCommand)[0]?.args[0].input).toEqual({
      name: 'livehost-show-ivs-throttled', latencyMode: 'LOW', type: 'STANDARD', tags: { 'livehost:room': 'show', 'livehost:destination': 'ivs-throttled' },
    });
  });

  it('an access error is not retried and answers 503 naming the operation only', async () => {
    ivs.on(CreateChannelCommand).rejects(Object.assign(new Error(`denied for ${KEY}`), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 403 } }));
    const res = await call('POST', '/api/rooms/show/destinations', { id: 'ivs-denied', kind: 'ivs-channel', create: {} });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ error: { code: 'unavailable', message: 'CreateChannel failed: AccessDeniedException (HTTP 403)' } });
    expect(ivs.commandCalls(CreateChannelCommand)).toHaveLength(1);
    expect(everythingSaid(res.body)).not.toContain(KEY);
  });

  it('uses an existing channel through GetChannel, ListStreamKeys and GetStreamKey', async () => {
    const keyArn = 'arn:aws:ivs:us-west-2:123456789012:stream-key/k2';
    ivs.on(GetChannelCommand, { arn: CHANNEL_ARN }).resolves({ channel: { arn: CHANNEL_ARN, ingestEndpoint: INGEST, playbackUrl: 'https://p/x.m3u8' } });
    ivs.on(ListStreamKeysCommand, { channelArn: CHANNEL_ARN }).resolves({ streamKeys: [{ arn: keyArn, channelArn: CHANNEL_ARN }] });
    ivs.on(GetStreamKeyCommand, { arn: keyArn }).resolves({ streamKey: { arn: keyArn, value: KEY } });
    const res = await call('POST', '/api/rooms/show/destinations', { id: 'ivs-existing', kind: 'ivs-channel', channelArn: CHANNEL_ARN });
    expect(res.statusCode).toBe(201);
    expect(res.json<DestinationView>()).toMatchObject({ provisioned: false, playbackUrl: 'https://p/x.m3u8' });
    expect(ivs.commandCalls(GetStreamKeyCommand).map((c) => c.args[0].input)).toEqual([{ arn: keyArn }]);
    expect(everythingSaid(res.body)).not.toContain(KEY);
  });

  it('creates an RTMPS ingest configuration in a real-time stage', async () => {
    realtime.on(GetStageCommand, { arn: STAGE_ARN }).resolves({ stage: { arn: STAGE_ARN, endpoints: { rtmps: 'rtmps://abc.global-contribute-staging.live-video.net:443/app/' } } });
    realtime.on(CreateIngestConfigurationCommand).resolves({ ingestConfiguration: { arn: 'arn:aws:ivs:us-west-2:123456789012:ingest-configuration/Ic1', streamKey: KEY, stageArn: STAGE_ARN, ingestProtocol: 'RTMPS', participantId: 'p', state: 'INACTIVE', userId: 'u', name: 'n', attributes: {} } });
    const res = await call('POST', '/api/rooms/show/destinations', { id: 'stage', kind: 'ivs-stage', stageArn: STAGE_ARN });
    expect(res.statusCode).toBe(201);
    expect(realtime.commandCalls(CreateIngestConfigurationCommand).map((c) => c.args[0].input)).toEqual([{
      stageArn: STAGE_ARN, name: 'livehost-show-stage', userId: 'livehost-show', ingestProtocol: 'RTMPS', attributes: { source: 'livehost' },
    }]);
    const stored = (await dist.store.get('show', 'stage'))!;
    expect(dist.store.openUrl(stored)).toBe(`rtmps://abc.global-contribute-staging.live-video.net:443/app/${KEY}`);
    expect(everythingSaid(res.body)).not.toContain(KEY);
  });

  it('gives a viewer of the room a subscribe-only stage token, and nobody else', async () => {
    const expires = new Date('2026-11-24T16:00:00Z');
    realtime.on(CreateParticipantTokenCommand).resolves({ participantToken: { token: 'eyJ.stage.token', participantId: 'part-1', expirationTime: expires } });
    const viewer = await t.core.tokens.issue({ role: 'viewer', rooms: ['show'] });
    const res = await t.app.inject({ method: 'POST', url: '/api/rooms/show/destinations/stage/viewer-token', headers: { authorization: `Bearer ${viewer.token}` } });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({ token: 'eyJ.stage.token', participantId: 'part-1', stageArn: STAGE_ARN, expiresAt: expires.getTime() });
    expect(realtime.commandCalls(CreateParticipantTokenCommand).map((c) => c.args[0].input)).toEqual([{
      stageArn: STAGE_ARN, userId: viewer.info.tokenId, capabilities: ['SUBSCRIBE'], duration: 60,
    }]);
    expect(t.logs.join('\n')).not.toContain('eyJ.stage.token');
    const other = await t.core.tokens.issue({ role: 'viewer', rooms: ['elsewhere'] });
    expect((await t.app.inject({ method: 'POST', url: '/api/rooms/show/destinations/stage/viewer-token', headers: { authorization: `Bearer ${other.token}` } })).statusCode).toBe(403);
    expect((await call('POST', '/api/rooms/show/destinations/nope/viewer-token')).statusCode).toBe(404);
  });

  it('an RTMP URL is stored sealed and shown redacted; a taken id is a conflict; removal announces the change', async () => {
    const url = `rtmp://a.rtmp.youtube.com/live2/${KEY}`;
    const sub = t.core.redis.duplicate();
    const notices: string[] = [];
    await subscribeWhenReady(sub, [redisKeys(t.prefix).destinationEvents]);
    sub.on('message', (_c: string, m: string) => notices.push(m));
    const res = await call('POST', '/api/rooms/show/destinations', { id: 'yt', kind: 'rtmp', url });
    expect(res.json<DestinationView>().target).toBe('rtmp://a.rtmp.youtube.com/live2/***');
    expect((await call('POST', '/api/rooms/show/destinations', { id: 'yt', kind: 'rtmp', url })).statusCode).toBe(409);
    expect((await call('DELETE', '/api/rooms/show/destinations/yt')).statusCode).toBe(204);
    expect((await call('DELETE', '/api/rooms/show/destinations/yt')).statusCode).toBe(404);
    for (const end = Date.now() + 20_000; notices.length < 2 && Date.now() < end;) await new Promise((r) => setTimeout(r, 10));
    expect(notices.map((n) => (JSON.parse(n) as { room: string }).room)).toEqual(['show', 'show']);
    await sub.quit();
    expect(everythingSaid(res.body)).not.toContain(KEY);
  });

  it('credentials in an RTMP URL, a key after a backslash or in a query are sealed, and never shown or logged', async () => {
    const urls = {
      userinfo: `rtmps://streamer:Hunter2Password@ingest.example.com:443/live/${KEY}`,
      backslash: `rtmp://ingest.example.com\\${KEY}`,
      'app-backslash': `rtmp://ingest.example.com/app\\${KEY}`,
      query: `rtmp://ingest.example.com/live?key=${KEY}`,
    };
    const shown: Record<string, string> = {};
    const bodies: string[] = [];
    for (const [id, url] of Object.entries(urls)) {
      const res = await call('POST', '/api/rooms/show/destinations', { id, kind: 'rtmp', url });
      expect(res.statusCode, id).toBe(201);
      bodies.push(res.body);
      shown[id] = res.json<DestinationView>().target;
      const raw = await t.core.redis.hget(redisKeys(t.prefix).destinations('show'), id);
      expect(raw).not.toContain(KEY);
      expect(raw).not.toContain('Hunter2Password');
      expect(dist.store.openUrl(JSON.parse(raw!) as StoredDestination)).toBe(url);
    }
    expect(shown).toEqual({
      userinfo: 'rtmps://ingest.example.com:443/live/***',
      backslash: 'rtmp://ingest.example.com/***',
      'app-backslash': 'rtmp://ingest.example.com/app/***',
      query: 'rtmp://ingest.example.com/***',
    });
    // The gateway's health report carries its last ffmpeg error; URLs in it are redacted the same way.
    await t.core.redis.hset(redisKeys(t.prefix).destinationHealth, 'show/userinfo', JSON.stringify({
      state: 'retrying', bitrateKbps: 0, lastError: redactUrls(`${urls.userinfo}: Connection refused`), reconnects: 1, since: 1,
    }));
    const list = await call('GET', '/api/rooms/show/destinations');
    expect(list.json<{ destinations: DestinationView[] }>().destinations.find((d) => d.id === 'userinfo')?.health.lastError)
      .toBe('rtmps://ingest.example.com:443/live/*** Connection refused');
    const said = everythingSaid(...bodies, list.body);
    expect(said).not.toContain(KEY);
    expect(said).not.toContain('Hunter2Password');
    expect(said).not.toContain('streamer');
    for (const id of Object.keys(urls)) await call('DELETE', `/api/rooms/show/destinations/${id}`);
  });

  it('removing a provisioned channel deletes it in IVS', async () => {
    ivs.on(DeleteChannelCommand).resolves({});
    expect((await call('DELETE', '/api/rooms/show/destinations/ivs-main')).statusCode).toBe(204);
    expect(ivs.commandCalls(DeleteChannelCommand).map((c) => c.args[0].input)).toEqual([{ arn: CHANNEL_ARN }]);
  });

  it('contradictory or unknown bodies are refused before any AWS call', async () => {
    const both = await call('POST', '/api/rooms/show/destinations', { id: 'x', kind: 'ivs-channel', channelArn: CHANNEL_ARN, ingestEndpoint: INGEST, streamKey: 'k' });
    expect(both.statusCode).toBe(400);
    expect((await call('POST', '/api/rooms/show/destinations', { id: 'x', kind: 'ftp', url: 'ftp://x' })).statusCode).toBe(400);
    expect((await call('POST', '/api/rooms/nope/destinations', { id: 'x', kind: 'rtmp', url: 'rtmp://h/app/k' })).statusCode).toBe(404);
    expect(ivs.calls()).toHaveLength(0);
  });

  it('operators without the room and anonymous callers are refused', async () => {
    const other = (await t.core.tokens.issue({ role: 'operator', rooms: ['other'] })).token;
    const res = await t.app.inject({ method: 'GET', url: '/api/rooms/show/destinations', headers: { authorization: `Bearer ${other}` } });
    expect(res.statusCode).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: '/api/rooms/show/destinations' })).statusCode).toBe(401);
  });
});

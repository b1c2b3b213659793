import type {} from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { DeleteChannelCommand } from '@aws-sdk/client-ivs';
import { DeleteIngestConfigurationCommand } from '@aws-sdk/client-ivs-realtime';
import {
  AddDestinationBody, DestinationId, compile, DestinationList, DestinationView, RestError, RoomId,
  type AddDestinationBody as AddDestinationBodyT,
} from '../../protocol/index.js';
import { requireAction } from '../auth/authenticate.js';
import { ProtocolError } from '../auth/auth-error.js';
import type { ServerCore } from '../core.js';
import { retryThrottled } from '../../protocol/aws-retry.js';
import { DistributionError, describeAwsError } from '../distribution/distribution-error.js';
import { createDistribution, type Distribution, type DistributionOptions } from '../distribution/distribution.js';
import type { ProvisionedTarget } from '../distribution/ivs-provisioner.js';
import { ivsChannelUrl } from '../distribution/ivs-provisioner.js';
import { toView } from '../distribution/destination-store.js';
import { IDLE_HEALTH } from '../../protocol/index.js';
import { recordingRoutes } from '../distribution/recording-routes.js';

const RoomParams = Type.Object({ room: RoomId });
const DestinationParams = Type.Object({ room: RoomId, id: DestinationId });
/**
 * Fastify's Ajv runs with removeAdditional, which strips a union branch's unknown fields
 * while trying it (so an ivs-stage body loses stageArn on the way through the rtmp
 * branch). The route schema therefore accepts each branch loosely, for routing and the
 * OpenAPI page, and the handler checks the strict union with TypeBox, which never mutates.
 */
const LooseAddBody = Type.Union(AddDestinationBody.anyOf.map((branch) => Type.Object(branch.properties)));
const strictAddBody = compile(AddDestinationBody);
const errors = { 400: RestError, 401: RestError, 403: RestError, 404: RestError, 409: RestError, 503: RestError };

/**
 * Destinations per room: list (with live health from the gateway), add (provisioning IVS
 * resources when asked), remove. A stream key goes in once and never comes out: bodies
 * with keys are never logged (Fastify logs no bodies; errors name operations, not values),
 * and every response is a DestinationView built field by field.
 */
export async function destinationRoutes(app: FastifyInstance, core: ServerCore, options: DistributionOptions | Distribution = {}): Promise<void> {
  const dist = 'store' in options ? options : createDistribution(core, options);

  const resolve = async (room: string, body: AddDestinationBodyT): Promise<ProvisionedTarget> => {
    switch (body.kind) {
      case 'rtmp':
        return { url: body.url, provisioned: false };
      case 'ivs-stage':
        return dist.provisioner.stageIngest(body.stageArn, `livehost-${room}-${body.id}`, `livehost-${room}`);
      case 'ivs-channel': {
        const given = body.ingestEndpoint !== undefined || body.streamKey !== undefined;
        const ways = [body.create !== undefined, body.channelArn !== undefined, given].filter(Boolean).length;
        if (ways !== 1) throw new DistributionError('bad_destination', 'ivs-channel needs exactly one of: create, channelArn, or ingestEndpoint + streamKey');
        if (body.create) {
          return dist.provisioner.createChannel({
            name: body.create.name ?? `livehost-${room}-${body.id}`,
            latencyMode: body.create.latencyMode ?? 'LOW',
            type: body.create.type ?? 'STANDARD',
          }, { 'livehost:room': room, 'livehost:destination': body.id });
        }
        if (body.channelArn) return dist.provisioner.existingChannel(body.channelArn);
        if (!body.ingestEndpoint || !body.streamKey) throw new DistributionError('bad_destination', 'ivs-channel given by hand needs both ingestEndpoint and streamKey');
        return { url: ivsChannelUrl(body.ingestEndpoint, body.streamKey), provisioned: false };
      }
    }
  };

  app.get<{ Params: { room: string } }>('/api/rooms/:room/destinations', {
    schema: { tags: ['distribution'], summary: "A room's destinations with live health (no stream keys)", params: RoomParams, response: { 200: DestinationList, ...errors } },
    preValidation: requireAction(core, 'destinations.read', 'room'),
  }, async (request) => {
    await core.rooms.get(request.params.room);
    return { destinations: await dist.store.views(request.params.room) };
  });

  app.post<{ Params: { room: string }; Body: AddDestinationBodyT }>('/api/rooms/:room/destinations', {
    schema: { tags: ['distribution'], summary: 'Add a destination (IVS channel, IVS stage or RTMP(S) URL)', params: RoomParams, body: LooseAddBody, response: { 201: DestinationView, ...errors } },
    preValidation: requireAction(core, 'destinations.write', 'room'),
  }, async (request, reply) => {
    const { room } = request.params;
    const checked = strictAddBody.check(request.body);
    if (!checked.ok) throw new ProtocolError('invalid_message', `body${checked.error}`);
    await core.rooms.get(room);
    // Checked before any AWS call, so a taken id never provisions an orphan channel.
    if (await dist.store.get(room, request.body.id)) throw new ProtocolError('conflict', `destination ${request.body.id} exists`);
    let target: ProvisionedTarget;
    try {
      target = await resolve(room, request.body);
    } catch (err) {
      if (err instanceof DistributionError) {
        request.log.warn({ room, destination: request.body.id, kind: request.body.kind, code: err.code, error: err.message }, 'destination not added');
        throw new ProtocolError(err.code === 'aws_failed' ? 'unavailable' : 'invalid_message', err.message);
      }
      throw err;
    }
    const stored = await dist.store.add(room, request.body.id, request.body.kind, target);
    if (!stored) throw new ProtocolError('conflict', `destination ${request.body.id} exists`);
    request.log.info({ room, destination: stored.id, kind: stored.kind, target: stored.target, provisioned: stored.provisioned }, 'destination added');
    return reply.code(201).send(toView(stored, { ...IDLE_HEALTH }));
  });

  app.delete<{ Params: { room: string; id: string } }>('/api/rooms/:room/destinations/:id', {
    schema: { tags: ['distribution'], params: DestinationParams, response: { 204: Type.Null(), ...errors } },
    preValidation: requireAction(core, 'destinations.write', 'room'),
  }, async (request, reply) => {
    const { room, id } = request.params;
    const stored = await dist.store.get(room, id);
    if (!stored) throw new ProtocolError('not_found', `no destination ${id} in room ${room}`);
    await dist.store.remove(room, id);
    // What the project created it also cleans up; a failure is logged, the destination is gone either way.
    try {
      if (stored.provisioned && stored.ingestConfigurationArn) {
        const arn = stored.ingestConfigurationArn;
        await retryThrottled(() => dist.realtime.send(new DeleteIngestConfigurationCommand({ arn, force: true })));
      } else if (stored.provisioned && stored.channelArn) {
        const arn = stored.channelArn;
        await retryThrottled(() => dist.ivs.send(new DeleteChannelCommand({ arn })));
      }
    } catch (err) {
      request.log.warn({ room, destination: id, error: describeAwsError(err) }, 'provisioned IVS resource not deleted');
    }
    return reply.code(204).send();
  });

  app.post<{ Params: { room: string; id: string } }>('/api/rooms/:room/destinations/:id/viewer-token', {
    schema: {
      tags: ['distribution'], summary: 'A subscribe-only participant token for an IVS real-time stage destination', params: DestinationParams,
      response: { 201: Type.Object({ token: Type.String(), participantId: Type.String(), stageArn: Type.String(), expiresAt: Type.Number() }), ...errors },
    },
    preValidation: requireAction(core, 'stage.watch', 'room'),
  }, async (request, reply) => {
    const { room, id } = request.params;
    const stored = await dist.store.get(room, id);
    if (!stored || stored.kind !== 'ivs-stage' || !stored.stageArn) throw new ProtocolError('not_found', `no IVS stage destination ${id} in room ${room}`);
    // The participant is the token holder, so IVS's participant list maps back to our tokens.
    const issued = await dist.provisioner.viewerToken(stored.stageArn, request.claims!.tokenId, 60);
    request.log.info({ room, destination: id, participantId: issued.participantId }, 'stage viewer token issued');
    return reply.code(201).send({ ...issued, stageArn: stored.stageArn });
  });

  await recordingRoutes(app, core, dist.recordingsDir);
}

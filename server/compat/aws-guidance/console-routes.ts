import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { ProtocolError } from '../../auth/auth-error.js';
import { requireAction } from '../../auth/authenticate.js';
import { canAccessRoom } from '../../auth/claims.js';
import { parseDeleteRequest } from './delete-request.js';
import { indexOf, materialInputFor, type ItemRecord } from './items.js';
import { pictureType } from './pictures.js';
import { fieldsOf, Player } from './player.js';
import type { Compat } from './plugin.js';
import { lookFor, ROLE_MAP, speedFor, term, VOICE_MAP, type LegacyLook } from './vocabulary.js';
import {
  DeleteBody, ListBody, ModuleTokenBody, PersonaBody, PlayBody, SetMaterialBody, SetQaBody, UploadQuery,
  type LegacyItem, type PlayBody as PlayBodyT, type SetMaterialBody as SetMaterialBodyT, type SetQaBody as SetQaBodyT,
} from './wire.js';

/** How long the Q&A route waits for its answer to be playable, as the original's Lambda did (API Gateway stops at 29 s). */
const QA_WAIT_MS = 20_000;

const notFoundAsNull = (err: unknown): null => {
  if (err instanceof ProtocolError && err.code === 'not_found') return null;
  throw err;
};

const success = (reply: FastifyReply) => reply.code(200).type('application/json').send('"success"');

/** Checks the look and speed fields (400 naming an unknown value) without keeping anything. */
function checkTerms(body: LegacyLook & { voice?: string; voice_speed?: string }): void {
  lookFor(body);
  speedFor(body.voice_speed);
  if (body.voice) term('voice', VOICE_MAP, body.voice);
}

/**
 * The routes the original's console and scripts call: items (create or replace, list,
 * delete), start and stop, Q&A with a role, picture uploads — plus livehost's own two:
 * tokens for render modules, and the roles' personas.
 */
export function consoleRoutes(c: Compat): void {
  const { core, auth, items, player } = c;
  const write = requireAction(core, 'compat.aws-guidance.write');
  const read = requireAction(core, 'compat.aws-guidance.read');

  c.route({
    method: 'POST', url: '/set_material_metadata', schema: { body: SetMaterialBody }, preValidation: write,
    handler: async (request: FastifyRequest<{ Body: SetMaterialBodyT }>, reply) => {
      const body = request.body;
      const room = auth.roomFor(request, body.vr_module);
      const input = materialInputFor(body, await core.rooms.get(room), body.vr_module);
      const index = indexOf(body.id);
      const previous = await items.get(body.user_id, index);
      await core.library.put(room, input, { replace: true });
      if (previous && previous.room !== room) await core.library.remove(previous.room, previous.materialId).catch(notFoundAsNull);
      const item: ItemRecord = {
        user_id: body.user_id, index, vr_module: body.vr_module, room, materialId: input.id!, text: body.text,
        image_url: body.image_url ?? '', character: body.character ?? '', voice: body.voice ?? '', scene: body.scene ?? '',
        action: body.action ?? '', camera: body.camera ?? '', voice_speed: body.voice_speed ?? '', item_id: body.item_id ?? '', updatedAt: Date.now(),
      };
      await items.save(item, previous);
      // The original's put wrote the item back as not playing: a replaced item stops on its module.
      if (previous) await player.stopIfPlaying(previous);
      return success(reply);
    },
  });

  c.route({
    method: 'POST', url: '/get_material_metadata_bykey', schema: { body: ListBody }, preValidation: read,
    handler: async (request: FastifyRequest<{ Body: { user_id: string } }>) => {
      const mine = (await items.list(request.body.user_id)).filter((i) => canAccessRoom(request.claims!, i.room));
      const base = c.base(request);
      const listed: LegacyItem[] = [];
      for (const item of mine) {
        const audio = await player.materialAudio(item.room, item.materialId).catch(notFoundAsNull);
        // Deleted through livehost's own API: the item went with it.
        if (audio === null) {
          await items.remove(item);
          continue;
        }
        const on = await player.playingOn(item.vr_module);
        const playing = on?.kind === 'item' && on.fields.user_id === item.user_id && on.fields.index === item.index;
        listed.push({ ...fieldsOf(item), audio_path: audio ? `${base}${audio}` : '', playing, random_id: playing ? on.random_id : '' });
      }
      return { Items: listed, Count: listed.length, ScannedCount: listed.length };
    },
  });

  c.route({
    method: 'POST', url: '/delete_dynamodb_metadata', schema: { body: DeleteBody }, preValidation: write,
    handler: async (request: FastifyRequest<{ Body: { operation: unknown; tableName: unknown; payload: unknown } }>, reply) => {
      const { userId, index } = parseDeleteRequest(request.body);
      const item = await items.get(userId, index);
      if (!item || !canAccessRoom(request.claims!, item.room)) throw new ProtocolError('not_found', `no item ${index} of ${userId}`);
      await core.library.remove(item.room, item.materialId).catch(notFoundAsNull);
      await items.remove(item);
      await player.stopIfPlaying(item);
      return success(reply);
    },
  });

  c.route({
    method: 'POST', url: '/VRplaybykey', schema: { body: PlayBody }, preValidation: write,
    handler: async (request: FastifyRequest<{ Body: PlayBodyT }>) => {
      const { vr_module: vrModule } = request.body;
      const room = auth.roomFor(request, vrModule);
      const index = indexOf(request.body.id);
      const item = index ? await items.onModule(vrModule, index) : null;
      const material = item ? await core.library.get(room, item.materialId).catch(notFoundAsNull) : null;
      const host = await core.placement.lookup(room);
      if (!item || !material) {
        // The original set every item of the module not playing: the poll says "noaction" again.
        if (host) await core.show.command(room, { name: 'speech.stop' }, request.claims!.tokenId);
        await player.stop(vrModule);
        return [];
      }
      if (material.status === 'failed') throw new ProtocolError('conflict', `item ${index} cannot play: its synthesis failed (${material.error ?? 'unknown'})`);
      if (host) await core.show.command(room, { name: 'material.play', materialId: item.materialId, priority: 'urgent' }, request.claims!.tokenId);
      return [Player.view(await player.startItem(item), c.base(request))];
    },
  });

  c.route({
    method: 'POST', url: '/set_qa_metadata_bykey', schema: { body: SetQaBody }, preValidation: write,
    handler: async (request: FastifyRequest<{ Body: SetQaBodyT }>, reply) => {
      const body = request.body;
      const role = ROLE_MAP[term('role', ROLE_MAP, body.role)];
      checkTerms(body);
      const room = auth.roomFor(request, body.vr_module);
      const asked = await c.answers.ask(room, body.role, body.user_id, body.text, body.voice_speed);
      const state = await player.startAnswer(body.vr_module, room, asked.questionId, asked.role, {
        demo_name: body.user_id, index: indexOf(body.id), text: '', character: role.character, voice: role.voice, scene: body.scene ?? '',
        action: body.action ?? '', camera: body.camera ?? '', voice_speed: body.voice_speed ?? '', vr_module: body.vr_module,
        item_id: body.item_id ?? '', user_id: body.user_id, pic_path: body.image_url ?? '',
      });
      const outcome = await player.waitFor(body.vr_module, state.random_id, Date.now() + QA_WAIT_MS, c.closing);
      // Aired on the room's livehost render host: spoken, though not by the module.
      if (outcome === 'ready' || outcome === 'aired') return success(reply);
      if (outcome === 'pending') return reply.code(202).type('application/json').send('"pending"');
      throw new ProtocolError('conflict', `the answer will not play: ${outcome.ended}`);
    },
  });

  c.route({
    method: 'GET', url: '/get_img_upload_presign_url', schema: { querystring: UploadQuery }, preValidation: write,
    handler: async (request: FastifyRequest<{ Querystring: { content_type?: string; size?: string } }>) => {
      const size = request.query.size === undefined ? undefined : Number(request.query.size);
      return c.pictures.create(c.base(request), pictureType(request.query.content_type), size);
    },
  });

  c.route({
    method: 'POST', url: '/vr_module_tokens', schema: { body: ModuleTokenBody }, preValidation: requireAction(core, 'compat.aws-guidance.tokens'),
    handler: async (request: FastifyRequest<{ Body: { vr_module: string; ttlSeconds?: number } }>, reply) => {
      const { vr_module: vrModule, ttlSeconds } = request.body;
      const issued = await auth.issueModuleToken(vrModule, ttlSeconds);
      return reply.code(201).send({
        ...issued, vr_module: vrModule,
        poll_url: `${c.base(request)}get_material_metadata_to_be_played_bykey?vr_module=${encodeURIComponent(vrModule)}&token=${issued.token}`,
      });
    },
  });

  c.route({
    method: 'GET', url: '/roles', preValidation: read,
    handler: async () => ({ roles: await c.answers.roles() }),
  });

  c.route({
    method: 'PUT', url: '/roles/:role', schema: { params: Type.Object({ role: Type.String({ maxLength: 64 }) }), body: PersonaBody }, preValidation: write,
    handler: async (request: FastifyRequest<{ Params: { role: string }; Body: { persona: string | null } }>) => c.answers.setPersona(request.params.role, request.body.persona),
  });
}

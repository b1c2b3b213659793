import path from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import type {
  FastifyInstance, FastifyRequest, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault, RouteGenericInterface, RouteOptions,
} from 'fastify';
import fp from 'fastify-plugin';
import type { ServerCore } from '../../core.js';
import { typeboxValidator } from '../../routes/typebox-validator.js';
import { Answers } from './answers.js';
import { CompatAuth } from './auth.js';
import { consoleRoutes } from './console-routes.js';
import { ItemStore } from './items.js';
import { compatKeys, type CompatKeys } from './keys.js';
import { MediaSigner } from './media-signer.js';
import { moduleRoutes } from './module-routes.js';
import { Mp3Cache } from './mp3-cache.js';
import { MAX_PICTURE_BYTES, PICTURE_TYPES, Pictures, type S3Uploads } from './pictures.js';
import { PlayStates } from './play-states.js';
import { Player } from './player.js';

/** A route of the adapter: its path is relative to the prefix. */
export type CompatRoute<G extends RouteGenericInterface> = Omit<RouteOptions<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, G>, 'method' | 'url'>
  & { method: 'GET' | 'POST' | 'PUT'; url: string };

/** What the adapter's routes share. */
export interface Compat {
  core: ServerCore;
  keys: CompatKeys;
  auth: CompatAuth;
  items: ItemStore;
  player: Player;
  answers: Answers;
  pictures: Pictures;
  mp3: Mp3Cache;
  signer: MediaSigner;
  /** The adapter's absolute URL prefix for a request (ends with /). */
  base(request: FastifyRequest): string;
  /** True once the server closes: waits give up. */
  closing(): boolean;
  /** Adds a route and its CORS preflight. Paths are relative to the prefix. */
  route<G extends RouteGenericInterface>(options: CompatRoute<G>): void;
}

export interface AwsGuidanceOptions {
  core: ServerCore;
  /** Where uploaded pictures go when S3 holds the assets (default: from the asset store's environment). */
  s3Uploads?: S3Uploads | null;
}

/** The asset store's S3 bucket and prefix, when it is S3 (createAssetStore checked them at boot). */
function s3FromEnv(core: ServerCore, env: NodeJS.ProcessEnv = process.env): S3Uploads | null {
  if (core.assets.kind !== 's3' || !env.LIVEHOST_S3_BUCKET) return null;
  const region = env.AWS_REGION?.trim() || env.AWS_DEFAULT_REGION?.trim();
  return { client: new S3Client(region ? { region } : {}), bucket: env.LIVEHOST_S3_BUCKET.trim(), prefix: env.LIVEHOST_S3_PREFIX ?? 'assets/' };
}

/**
 * The API of the AWS guidance "live streams hosted by digital humans" — its Lambda
 * routes and its render module's poll — on top of livehost's library, show director,
 * newsroom and rooms (docs/migrating-from-aws-guidance.md). Registered only when
 * LIVEHOST_COMPAT_AWS_GUIDANCE is on, under its prefix; every route wants a token, and
 * nothing in a request can name a table, a key or a file.
 */
export const awsGuidanceCompat = fp(async (app: FastifyInstance, opts: AwsGuidanceOptions) => {
  const { core } = opts;
  const { config } = core;
  const keys = compatKeys(config.redisPrefix);
  const dir = path.resolve(config.dataDir, 'compat-aws-guidance');
  const signer = new MediaSigner(config.jwtSecret);
  const mp3 = new Mp3Cache(path.join(dir, 'mp3'), core.assets);
  const answers = new Answers(core, keys);
  let closing = false;
  const origins = config.compatAwsGuidanceCorsOrigins;
  const anyOrigin = origins.includes('*');
  const preflighted = new Map<string, Set<string>>();

  // Pictures arrive as raw bytes on the upload URL; only there (and bounded by the route).
  for (const type of Object.keys(PICTURE_TYPES)) {
    app.addContentTypeParser(type, { parseAs: 'buffer', bodyLimit: MAX_PICTURE_BYTES }, (_req, body, done) => done(null, body));
  }
  app.addHook('onSend', async (request, reply, payload) => {
    const origin = request.headers.origin;
    if (origin && (anyOrigin || origins.includes(origin))) {
      void reply.header('access-control-allow-origin', anyOrigin ? '*' : origin);
      if (!anyOrigin) void reply.header('vary', 'Origin');
    }
    return payload;
  });
  app.addHook('onClose', async () => { closing = true; });

  const compat: Compat = {
    core, keys, answers, mp3, signer,
    auth: new CompatAuth(core, keys, config.compatAwsGuidanceModules),
    items: new ItemStore(core.redis, keys),
    player: new Player(core, keys, new PlayStates(core.redis, keys), answers, signer, mp3, core.log),
    pictures: new Pictures(core.redis, keys, signer, path.join(dir, 'material', 'image'), opts.s3Uploads === undefined ? s3FromEnv(core) : opts.s3Uploads),
    base: (request) => `${config.compatAwsGuidancePublicUrl || `${request.protocol}://${request.host}`}${config.compatAwsGuidancePrefix}`,
    closing: () => closing,
    route: ({ method, url, schema, ...rest }) => {
      app.route({ method, url, validatorCompiler: typeboxValidator, schema: { ...schema, hide: true }, ...rest } as RouteOptions);
      // Browsers ask before a cross-origin request with a token or a JSON body.
      const methods = preflighted.get(url);
      if (methods) return void methods.add(method);
      preflighted.set(url, new Set([method]));
      app.options(url, { schema: { hide: true } }, async (_request, reply) => reply.code(204)
        .header('access-control-allow-methods', [...preflighted.get(url)!, 'OPTIONS'].join(', '))
        .header('access-control-allow-headers', 'authorization, content-type')
        .header('access-control-max-age', '600')
        .send());
    },
  };
  consoleRoutes(compat);
  moduleRoutes(compat);
  const offRevoke = await core.bus.subscribe('revoke', (data) => compat.auth.forget((data as { tokenId: string }).tokenId));
  app.addHook('onClose', async () => { await offRevoke(); });
}, { name: 'livehost-compat-aws-guidance', encapsulate: true });

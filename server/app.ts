import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import websocket from '@fastify/websocket';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { createRedis, parseRedisUrl } from '../protocol/redis-connection.js';
import { MAX_FRAME_BYTES, PROTOCOL_VERSION } from '../protocol/index.js';
import type { Config } from './config.js';
import type { ServerCore } from './core.js';
import { TokenService } from './auth/token-service.js';
import { RedisBus } from './bus/redis-bus.js';
import { Metrics } from './metrics.js';
import { Placement } from './rooms/placement.js';
import { RoomEvents } from './rooms/room-events.js';
import { DEFAULT_ROOM, RoomStore } from './rooms/room-store.js';
import { QuestionIntake, newId } from './newsroom/question-intake.js';
import { AnswerReview } from './newsroom/answer-review.js';
import { AsRunLog } from './newsroom/as-run-log.js';
import { AuditLog } from './newsroom/audit-log.js';
import { Bans } from './newsroom/bans.js';
import { ChatFeed } from './newsroom/chat-feed.js';
import { QuestionStore } from './newsroom/question-store.js';
import { RoomSimilarity } from './newsroom/room-similarity.js';
import { SpeechQueues } from './show/speech-queues.js';
import { createAssetStore } from '../assets/create-asset-store.js';
import { AnswerCanceller } from './show/answer-canceller.js';
import { systemClock, type Clock } from './show/clock.js';
import { Library } from './show/library.js';
import { RoomInbox } from './show/room-inbox.js';
import { RundownStore } from './show/rundown-store.js';
import { SegmentIntake } from './show/segment-intake.js';
import { ShowDirector } from './show/show-director.js';
import { SpeechTiming } from './show/speech-timing.js';
import { showRoutes } from './routes/show.js';
import { newsroomRoutes } from './routes/newsroom.js';
import { listenToStreamEvents } from './show/stream-events.js';
import { publicRoutes } from './routes/public.js';
import { destinationRoutes } from './routes/destinations.js';
import { TimedMetadataPublisher, tapTimedMetadata } from './distribution/timed-metadata.js';
import { FleetCloudWatch } from './fleet-metrics.js';
import { CommandIds } from './ws/command-ids.js';
import { Delivery } from './ws/delivery.js';
import { registerHubs } from './ws/hubs.js';
import { LocalSessions } from './ws/local-sessions.js';
import { SessionStore } from './ws/session-store.js';
import { healthRoutes } from './routes/health.js';
import { roomRoutes } from './routes/rooms.js';
import { tokenRoutes } from './routes/tokens.js';
import { consoleRoutes } from './routes/console.js';
import { frameworkErrors, httpErrors, safeUrl } from './http-errors.js';
import { openApiSecurity } from './auth/authenticate.js';
import { socketErrorHandler } from './ws/socket-errors.js';
import { isRedisOutage, outageQuiet, watchRedis } from '../protocol/redis-outage.js';
import { jobsRoutes } from './routes/jobs.js';
import { awsGuidanceCompat } from './compat/aws-guidance/plugin.js';

export interface BuiltApp {
  app: FastifyInstance;
  core: ServerCore;
  /**
   * Readies what the first questions would otherwise wait for: the question matchers'
   * thread and the default language's resources (the process's entry calls it; in-process
   * tests leave it, or every test server would load them).
   */
  warm(): void;
}

/** Builds one server instance; `listen` is the caller's choice (tests inject or use port 0). */
export async function buildApp(config: Config, opts: { instanceId?: string; clock?: Clock } = {}): Promise<BuiltApp> {
  const instanceId = opts.instanceId ?? `srv-${randomUUID().slice(0, 8)}`;
  const app = Fastify({
    logger: {
      level: config.logLevel,
      name: 'server',
      base: { instance: instanceId },
      redact: ['req.headers.authorization', 'headers.authorization'],
      serializers: {
        req: (req: { method: string; url: string; ip?: string }) => ({ method: req.method, url: safeUrl(req.url), ip: req.ip }),
      },
    },
    logController: new LogController({ disableRequestLogging: config.logLevel !== 'debug' && config.logLevel !== 'trace' }),
    bodyLimit: 256 * 1024,
    frameworkErrors,
  });

  // Separate connections: commands, the bus subscriber, and BullMQ's queue client.
  // No auto-pipelining: it defers each write to setImmediate, which bench:relay showed
  // costs more tail latency (p99 7.5 → 5.2 ms at 100 rooms) than the batching saves.
  // One setting (REDIS_URL) for a standalone server, Sentinel or a Cluster (protocol/redis-connection.ts).
  const target = parseRedisUrl(config.redisUrl);
  const redis = createRedis(target, { lazyConnect: true, maxRetriesPerRequest: 3 });
  const subscriber = createRedis(target, { lazyConnect: true, subscriber: true });
  // Queues only add jobs (nothing blocks on this connection), so an add fails fast while
  // Redis is down — the client hears `unavailable` — instead of waiting for it to return.
  const queueConn = createRedis(target, { lazyConnect: true, maxRetriesPerRequest: 3 });
  // Frames are recorded for resume after they are sent, batched per session bucket
  // (server/ws/frame-recorder.ts); auto-pipelining lets one write carry several buckets.
  const recorder = createRedis(target, { lazyConnect: true, maxRetriesPerRequest: 3, enableAutoPipelining: true });
  // BullMQ workers block on their connection; the director gets its own.
  const directorConn = createRedis(target, { lazyConnect: true, maxRetriesPerRequest: null });
  // One log line per connection state change (lost, restored), not one per retry.
  const conns = { commands: redis, subscriber, queues: queueConn, director: directorConn, recorder };
  for (const [name, conn] of Object.entries(conns)) watchRedis(conn, name, app.log);
  await Promise.all([redis.connect(), subscriber.connect(), queueConn.connect(), directorConn.connect(), recorder.connect()]);

  const metrics = new Metrics();
  const local = new LocalSessions();
  const sessions = new SessionStore(redis, config.redisPrefix, config.resumeWindowSeconds, {
    recorder,
    // During a Redis outage every batch would fail; the connection watcher says so once.
    onRecordError: (err) => { if (!isRedisOutage(err)) app.log.warn({ err: err.message }, 'frames not recorded'); },
  });
  const delivery = new Delivery(sessions, local);
  const rooms = new RoomStore(redis, config.redisPrefix);
  const events = new RoomEvents(redis, config.redisPrefix, delivery);
  // Captions and question cards also go to viewers as timed metadata when their line starts.
  tapTimedMetadata(events, new TimedMetadataPublisher(redis, config.redisPrefix, app.log as unknown as ServerCore['log']));
  const emit = (room: string, event: Parameters<RoomEvents['emit']>[1]) => events.emit(room, event);
  const queues = new SpeechQueues(queueConn, config.redisPrefix);
  // BullMQ re-emits its connection's errors on every queue; without a listener it prints each with its stack.
  for (const q of [queues.qa, queues.tts, queues.segments]) q.on('error', outageQuiet(app.log, `${q.name} queue`));
  const log = app.log as unknown as ServerCore['log'];
  const inbox = new RoomInbox(redis, config.redisPrefix);
  const tell = (room: string, event: Parameters<RoomInbox['submit']>[1]) => inbox.submit(room, event).then(() => undefined);
  // A room's director hears of every placement change, and re-hands its lines to the new host.
  const placementEmit = async (room: string, event: Parameters<RoomEvents['emit']>[1]) => {
    await emit(room, event);
    if (event.kind === 'host') await tell(room, { type: 'host.changed', host: null });
  };
  const library = new Library(redis, config.redisPrefix, rooms, (req) => queues.prepare(req), emit,
    (room, materialId) => tell(room, { type: 'library.changed', ...(materialId ? { materialId } : {}) }));
  const bus = new RedisBus(instanceId, redis, subscriber, config.redisPrefix);
  const commandIds = new CommandIds(config.jwtSecret);
  const placement = new Placement(redis, rooms, delivery, placementEmit, log, {
    prefix: config.redisPrefix, hostTimeoutMs: config.hostTimeoutSeconds * 1000, hostGraceMs: config.hostGraceMs,
    publishSecret: config.publishSecret, rtmpUrl: config.rtmpUrl,
  });
  const store = new QuestionStore(redis, config.redisPrefix);
  const bans = new Bans(redis, config.redisPrefix);
  const audit = new AuditLog(redis, config.redisPrefix);
  const expectAnswer = (room: string, questionId: string, askedAt: number) => tell(room, { type: 'answer.expected', answerId: questionId, questionId, askedAt });
  const similarity = new RoomSimilarity(rooms, {
    built: (r) => metrics.matcherBuild.observe({ outcome: r.ok ? 'ok' : 'failed' }, r.seconds),
    threadStarted: () => metrics.matcherThreadStarts.inc(),
  });
  const questions = new QuestionIntake({
    redis, rooms, queues, store, bans, similarity, audit, emit, log,
    deliver: (sessionId, frame) => delivery.deliver(sessionId, frame), expectAnswer,
    cancelAnswer: (room, questionId, reason) => tell(room, { type: 'answer.cancel', answerId: questionId, reason }),
  }, { prefix: config.redisPrefix, perUserIntervalMs: 3000 });
  const review = new AnswerReview({
    rooms, store, intake: questions, queues, audit, emit, expectAnswer,
    scheduleDeadline: (room, questionId, draftedAt, delayMs) => queues.reviewDeadline(room, questionId, draftedAt, delayMs),
  });
  const chat = new ChatFeed(redis, rooms, bans, emit, { prefix: config.redisPrefix, perUserIntervalMs: 1000 });
  const asRun = new AsRunLog(redis, config.redisPrefix, {
    question: (room, questionId) => questions.provenance(room, questionId),
    retentionDays: async (room) => (await rooms.get(room)).asRunRetentionDays,
  });
  const canceller = new AnswerCanceller(redis, config.redisPrefix, queues.qa, queues.tts);
  let directorCommands = 0;
  const rundowns = new RundownStore(redis, config.redisPrefix, rooms, library, (room) => tell(room, { type: 'rundown.changed' }));
  const show = new ShowDirector({
    redis, prefix: config.redisPrefix, instanceId, inbox, library, rundowns,
    rooms, lookupHost: (room) => placement.lookup(room), deliver: (sid, frame) => delivery.deliver(sid, frame), emit,
    reply: (channel, outcome) => bus.publish(channel, outcome, { echo: true }),
    observer: {
      lineStarted: (report) => asRun.lineStarted(report),
      lineEnded: (report) => asRun.lineEnded(report),
      answerStarted: (room, questionId) => questions.answering(room, questionId),
      answerSpoken: (room, questionId, text) => questions.answered(room, questionId, text),
      answerDropped: (room, questionId, reason) => questions.dropped(room, questionId, reason),
    },
    cancelAnswer: (_room, answerId) => canceller.cancel(answerId),
    commandId: () => commandIds.make('director', `d${++directorCommands}`, Date.now()),
    clock: opts.clock ?? systemClock, log, newLineId: () => newId('ln'),
  }, rooms, inbox, bus, log, { leaseMs: config.directorLeaseMs, scanMs: Math.floor(config.directorLeaseMs / 3) });
  const core: ServerCore = {
    config, instanceId, log, redis, metrics, local, sessions, delivery, rooms, events, queues,
    tokens: new TokenService(config.jwtSecret, redis, config.redisPrefix),
    bus, commandIds, placement, questions, library, rundowns, show, review, chat, bans, audit, asRun,
    assets: createAssetStore({ ...process.env, LIVEHOST_DATA_DIR: config.dataDir }),
    timing: new SpeechTiming({ bus, prefix: config.redisPrefix, emit, metrics, log }),
  };

  await app.register(httpErrors);
  await app.register(openApiSecurity);

  await app.register(swagger, {
    openapi: {
      info: { title: 'livehost', version: String(PROTOCOL_VERSION), description: 'REST API of the livehost orchestration server. WebSocket schemas: GET /api/protocol.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
      security: [{ bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  await app.register(websocket, {
    options: { maxPayload: MAX_FRAME_BYTES },
    errorHandler: socketErrorHandler,
    // Graceful shutdown: tell clients to reconnect (elsewhere) before sockets close.
    preClose: async function (this: FastifyInstance) {
      await this.drainClients();
      for (const client of this.websocketServer.clients) client.terminate();
    },
  });

  await registerHubs(app, core);
  await healthRoutes(app, core);
  await roomRoutes(app, core);
  await tokenRoutes(app, core);
  await publicRoutes(app, core);
  await destinationRoutes(app, core);
  await consoleRoutes(app, core);
  await jobsRoutes(app, core);
  await showRoutes(app, core);
  await newsroomRoutes(app, core);
  if (config.compatAwsGuidance) await app.register(awsGuidanceCompat, { core, prefix: config.compatAwsGuidancePrefix.replace(/\/$/, '') });

  const adopted = await core.placement.adoptLegacyKeys();
  if (adopted) app.log.info({ rooms: adopted }, 'placement moved under its hash tag: rooms wait for their hosts to register again');
  core.placement.announce = (changed) => void core.bus.publish('placement', changed).catch(() => undefined);
  await core.bus.subscribe('placement', (changed) => core.placement.forget(changed as string[]));
  // Each instance keeps a room's subscribers; a change anywhere drops every copy.
  core.events.announce = (room) => {
    core.events.forget(room);
    void core.bus.publish('room-ops', room).catch(() => undefined);
  };
  await core.bus.subscribe('room-ops', (room) => core.events.forget(String(room)));
  // Each instance keeps a room's settings too; an edit anywhere drops every copy.
  // A room's question matcher is rebuilt as soon as its KB changes, not on its next question.
  const settingsChanged = (room: string) => {
    core.rooms.forget(room);
    void similarity.changed(room).catch((err: Error) => app.log.warn({ room, err: err.message }, 'question matcher not rebuilt'));
  };
  core.rooms.announce = (room) => {
    settingsChanged(room);
    void core.bus.publish('room-settings', room).catch(() => undefined);
  };
  await core.bus.subscribe('room-settings', (room) => settingsChanged(String(room)));
  await core.timing.start();
  await listenToStreamEvents(subscriber, redis, config.redisPrefix, emit, core.log);
  const segmentIntake = new SegmentIntake(redis, config.redisPrefix, directorConn, library, (room, e) => inbox.submit(room, e), log, {
    drafted: (job) => review.drafted(job), deadline: (room, questionId, draftedAt) => review.deadline(room, questionId, draftedAt),
  });
  await show.start();

  // Every instance sweeps; the placement lock makes one of them act at a time.
  const cloudwatch = config.cloudwatchNamespace ? new FleetCloudWatch(core, config.cloudwatchNamespace) : null;
  cloudwatch?.start();
  const sweeper = setInterval(() => void core.placement.sweep().catch((err) => {
    if (!isRedisOutage(err)) app.log.warn({ err }, 'sweep failed');
  }), 1000);
  sweeper.unref();

  app.addHook('onClose', async () => {
    clearInterval(sweeper);
    cloudwatch?.close();
    await show.close();
    await similarity.close();
    await segmentIntake.close();
    await core.timing.close();
    await queues.close();
    await core.bus.close();
    await Promise.all([redis.quit(), subscriber.quit(), queueConn.quit(), directorConn.quit(), recorder.quit()].map((p) => p.catch(() => undefined)));
  });

  return { app, core, warm: () => similarity.warm([DEFAULT_ROOM.language]) };
}

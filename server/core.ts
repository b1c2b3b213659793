import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import type { TokenService } from './auth/token-service.js';
import type { RoomStore } from './rooms/room-store.js';
import type { SessionStore } from './ws/session-store.js';
import type { LocalSessions } from './ws/local-sessions.js';
import type { Delivery } from './ws/delivery.js';
import type { RoomEvents } from './rooms/room-events.js';
import type { Placement } from './rooms/placement.js';
import type { Bus } from './bus/bus.js';
import type { Metrics } from './metrics.js';
import type { CommandIds } from './ws/command-ids.js';
import type { QuestionIntake } from './newsroom/question-intake.js';
import type { SpeechQueues } from './show/speech-queues.js';
import type { AssetStore } from '../assets/asset-store.js';
import type { Library } from './show/library.js';
import type { RundownStore } from './show/rundown-store.js';
import type { ShowDirector } from './show/show-director.js';
import type { AnswerReview } from './newsroom/answer-review.js';
import type { AsRunLog } from './newsroom/as-run-log.js';
import type { AuditLog } from './newsroom/audit-log.js';
import type { Bans } from './newsroom/bans.js';
import type { ChatFeed } from './newsroom/chat-feed.js';
import type { SpeechTiming } from './show/speech-timing.js';

/** The services of one server instance, built once in app.ts and handed to routes and hubs. */
export interface ServerCore {
  config: Config;
  instanceId: string;
  log: Logger;
  redis: Redis;
  tokens: TokenService;
  rooms: RoomStore;
  sessions: SessionStore;
  local: LocalSessions;
  delivery: Delivery;
  events: RoomEvents;
  placement: Placement;
  bus: Bus;
  metrics: Metrics;
  commandIds: CommandIds;
  questions: QuestionIntake;
  queues: SpeechQueues;
  library: Library;
  rundowns: RundownStore;
  show: ShowDirector;
  review: AnswerReview;
  chat: ChatFeed;
  bans: Bans;
  audit: AuditLog;
  asRun: AsRunLog;
  /** Synthesized audio (read to let operators hear a material before air). */
  assets: AssetStore;
  /** Each aired line's timing, assembled from the host's report and the gateway's stamps. */
  timing: SpeechTiming;
}

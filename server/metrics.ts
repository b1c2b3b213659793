import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { collectProcessMetrics } from '../protocol/process-metrics.js';

/** One registry per server instance, so several instances in one process never collide. */
export class Metrics {
  readonly registry = new Registry();
  readonly connections = new Gauge({ name: 'livehost_ws_connections', help: 'Open WebSocket connections by role', labelNames: ['role'], registers: [this.registry] });
  readonly messages = new Counter({ name: 'livehost_ws_messages_total', help: 'WebSocket messages by role and direction', labelNames: ['role', 'direction'], registers: [this.registry] });
  readonly errors = new Counter({ name: 'livehost_ws_errors_total', help: 'Error frames sent, by code', labelNames: ['code'], registers: [this.registry] });
  readonly relayLatency = new Histogram({
    name: 'livehost_command_relay_seconds',
    help: 'Operator command received → render host acknowledgement received',
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [this.registry],
  });
  readonly roomsWaiting = new Gauge({ name: 'livehost_rooms_waiting_for_host', help: 'Rooms with no render host placed', registers: [this.registry] });
  readonly hostsConnected = new Gauge({ name: 'livehost_render_hosts', help: 'Render hosts registered and alive', registers: [this.registry] });
  readonly renderCapacity = new Gauge({ name: 'livehost_render_capacity', help: 'Rooms the live render hosts can take in total', registers: [this.registry] });
  readonly roomsPlaced = new Gauge({ name: 'livehost_rooms_placed', help: 'Rooms rendering on a live host', registers: [this.registry] });
  readonly utilisation = new Gauge({ name: 'livehost_render_utilisation_ratio', help: 'Placed rooms / render capacity (scale out near 1)', registers: [this.registry] });
  readonly queueDepth = new Gauge({ name: 'livehost_queue_jobs', help: 'Speech pipeline jobs by queue and state', labelNames: ['queue', 'state'], registers: [this.registry] });
  readonly chat = new Counter({ name: 'livehost_chat_messages_total', help: 'Chat messages from bots, shown to operators or dropped by moderation', labelNames: ['outcome'], registers: [this.registry] });
  readonly questions = new Counter({ name: 'livehost_questions_total', help: 'Viewer questions by outcome', labelNames: ['status'], registers: [this.registry] });
  /** Every stage of a line's path (protocol/timing.ts); `provider` is the stage's own: the answers' or the voice's ('cache' when it was not synthesized). */
  readonly speechStage = new Histogram({
    name: 'livehost_speech_stage_seconds',
    help: 'Time a line spent in each stage from the question to the gateway\'s program feed, by room, stage and provider',
    labelNames: ['room', 'stage', 'provider'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly questionToStream = new Histogram({
    name: 'livehost_speech_question_to_stream_seconds',
    help: 'A viewer question received → its answer\'s first audio at the stream gateway, by room, answer provider and voice',
    labelNames: ['room', 'answers', 'voice'],
    buckets: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 1, 1.25, 1.5, 2, 3, 5, 10],
    registers: [this.registry],
  });

  readonly matcherBuild = new Histogram({
    name: 'livehost_question_matcher_build_seconds',
    help: 'Building a room\'s question matcher on the matchers\' thread (once per KB edit), by outcome',
    labelNames: ['outcome'],
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  readonly matcherThreadStarts = new Counter({
    name: 'livehost_question_matcher_thread_starts_total', help: 'Starts of the question matchers\' thread (more than one: it died and was started again)', registers: [this.registry],
  });

  constructor() {
    collectProcessMetrics(this.registry, 'livehost_');
  }
}

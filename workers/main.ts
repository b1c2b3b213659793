/**
 * The workers process: the qa worker (answers) and the tts worker (voices) against one
 * Redis. Run more of these processes to scale; BullMQ spreads the jobs.
 */
import pino from 'pino';
import { createAssetStore } from '../assets/create-asset-store.js';
import { createModerationProvider } from '../moderation/index.js';
import { describeConfig, loadWorkersConfig, type WorkersConfig } from './config.js';
import { KbProvider } from './qa/kb-provider.js';
import { createOpenAiClient, OpenAiProvider } from './qa/openai-provider.js';
import { startQaWorker } from './qa/qa-worker.js';
import { createVoiceProviders } from './tts/providers.js';
import { startTtsWorker } from './tts/tts-worker.js';

const log = pino({ name: 'workers', level: process.env.LOG_LEVEL ?? 'info' });

async function main(): Promise<void> {
  let config: WorkersConfig;
  let store: ReturnType<typeof createAssetStore>;
  let voices: ReturnType<typeof createVoiceProviders>;
  try {
    // Everything the environment configures is checked before any connection opens.
    config = loadWorkersConfig(process.env);
    store = createAssetStore(process.env);
    voices = createVoiceProviders(process.env);
  } catch (err) {
    log.fatal({ err: err instanceof Error ? err.message : String(err) }, 'invalid configuration');
    process.exit(78); // EX_CONFIG (sysexits.h): the supervisor does not restart what a setting broke
  }
  log.info({ config: describeConfig(config) }, 'workers starting');

  const kb = new KbProvider({ minConfidence: config.kbMinConfidence });
  const openai = config.llm
    ? new OpenAiProvider({
      client: createOpenAiClient({ baseURL: config.llm.baseURL, apiKey: config.llm.apiKey }),
      model: config.llm.model,
      firstTokenTimeoutMs: config.llm.firstTokenTimeoutMs,
      totalTimeoutMs: config.llm.totalTimeoutMs,
      fallback: kb,
      log,
    })
    : null;

  const [qa, tts] = await Promise.all([
    startQaWorker({
      redisUrl: config.redisUrl,
      prefix: config.redisPrefix,
      concurrency: config.qaConcurrency,
      kb,
      openai,
      answers: config.answers === 'kb' ? 'kb' : 'auto',
      moderation: createModerationProvider(config.moderation),
      log,
      // A dead worker's answer is taken over within lock + stall check (5 + 2.5 s by default).
      lockDurationMs: config.jobLockMs,
      stalledIntervalMs: Math.max(500, Math.round(config.jobLockMs / 2)),
    }),
    startTtsWorker({
      connection: config.redisUrl,
      prefix: config.redisPrefix,
      store,
      providers: voices,
      concurrency: config.ttsConcurrency,
      logger: log,
      lockDurationMs: config.jobLockMs,
    }),
  ]);
  log.info({ qaConcurrency: config.qaConcurrency, ttsConcurrency: config.ttsConcurrency }, 'workers ready');

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping: finishing active jobs');
    // A job that outlives the grace goes back to the queue (qa) or is retried after its
    // lock expires (tts); the hard exit keeps us inside the supervisor's window.
    const hardExit = setTimeout(() => {
      log.warn('workers did not stop in time; exiting');
      process.exit(1);
    }, config.shutdownGraceMs + 1500);
    hardExit.unref();
    void Promise.allSettled([qa.close(config.shutdownGraceMs), tts.close()]).then((results) => {
      for (const r of results) if (r.status === 'rejected') log.error({ err: String(r.reason) }, 'error while stopping');
      log.info('workers stopped');
      process.exit(0);
    });
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

process.on('unhandledRejection', (err) => {
  log.fatal({ err: err instanceof Error ? err.message : String(err) }, 'unhandled rejection');
  process.exit(1);
});

main().catch((err: unknown) => {
  log.fatal({ err: err instanceof Error ? err.message : String(err) }, 'workers failed to start');
  process.exit(1);
});

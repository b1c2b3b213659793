import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local OpenAI-compatible chat endpoint for tests and benchmarks: real HTTP on
 * 127.0.0.1, the real wire format (SSE `chat.completion.chunk` lines then `[DONE]`,
 * or one `chat.completion`), with a controllable first-token delay and token rate.
 */
export interface ChatMessage {
  role: string;
  content: string;
}

export interface RecordedRequest {
  at: number;
  path: string;
  authorization: string | undefined;
  body: {
    model?: string;
    stream?: boolean;
    messages: ChatMessage[];
    [key: string]: unknown;
  };
}

export interface OpenAiServerOptions {
  /** Delay before the first token (and before the response headers), ms. */
  firstTokenMs?: number;
  /** Streaming rate after the first token. */
  tokensPerSecond?: number;
  /** The full reply for a conversation; streamed token by token. */
  reply?: (messages: ChatMessage[]) => string;
  /** Answer this many requests with HTTP 500 before serving normally. */
  failFirst?: number;
  /** Stop streaming (without [DONE]) and destroy the socket after this many tokens. */
  dropAfterTokens?: number;
  /** Pause every stream after this many tokens until `release()`: lets a test check what arrived while the rest is unwritten. */
  holdAfterTokens?: number;
}

export interface OpenAiServer {
  /** Base URL to give the SDK (`…/v1`). */
  url: string;
  requests: RecordedRequest[];
  /** When each streamed token was written, per request (index into `requests`). */
  tokenTimes: number[][];
  /** When each request's stream ended (after [DONE]), per request. */
  doneAt: Array<number | undefined>;
  /** When the client hung up before the stream ended (an aborted request), per request. */
  abortedAt: Array<number | undefined>;
  /** Lets streams held at `holdAfterTokens` go on. */
  release(): void;
  close(): Promise<void>;
}

/** Words with their leading space, punctuation on its own, each CJK character alone. */
export function toTokens(text: string): string[] {
  return text.match(/\s*[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]|\s*[\p{L}\p{N}]+|\s*[^\s\p{L}\p{N}]|\s+/gu) ?? [];
}

// Unref'd: a long first-token delay left behind by a request that hung up never holds the process.
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms).unref());

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startOpenAiServer(options: OpenAiServerOptions = {}): Promise<OpenAiServer> {
  const firstTokenMs = options.firstTokenMs ?? 0;
  const tokensPerSecond = options.tokensPerSecond ?? 1000;
  const reply = options.reply ?? (() => 'Hello from the test model.');
  let failuresLeft = options.failFirst ?? 0;
  const requests: RecordedRequest[] = [];
  const tokenTimes: number[][] = [];
  const doneAt: Array<number | undefined> = [];
  const abortedAt: Array<number | undefined> = [];
  let seq = 0;
  let released = false;
  const waitingForRelease: Array<() => void> = [];

  const json = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };

  const server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
        json(res, 404, { error: { message: 'not found', type: 'invalid_request_error' } });
        return;
      }
      let parsed: RecordedRequest['body'];
      try {
        parsed = JSON.parse(body) as RecordedRequest['body'];
      } catch {
        json(res, 400, { error: { message: 'invalid JSON', type: 'invalid_request_error' } });
        return;
      }
      const n = requests.push({ at: Date.now(), path: req.url, authorization: req.headers.authorization, body: parsed }) - 1;
      tokenTimes[n] = [];
      doneAt[n] = undefined;
      if (failuresLeft > 0) {
        failuresLeft--;
        json(res, 500, { error: { message: 'injected failure', type: 'server_error' } });
        return;
      }
      let closed = false;
      let hungUp: () => void = () => undefined;
      const gone = new Promise<void>((resolve) => { hungUp = resolve; });
      res.on('close', () => {
        closed = true;
        if (doneAt[n] === undefined) abortedAt[n] = Date.now();
        hungUp();
      });
      // A client that hangs up while it waits for the first token ends the wait too.
      await Promise.race([sleep(firstTokenMs), gone]);
      if (closed) return;

      const id = `chatcmpl-${++seq}`;
      const created = Math.floor(Date.now() / 1000);
      const model = parsed.model ?? 'test-model';
      const text = reply(parsed.messages ?? []);
      if (!parsed.stream) {
        json(res, 200, {
          id, object: 'chat.completion', created, model,
          choices: [{ index: 0, message: { role: 'assistant', content: text, refusal: null }, logprobs: null, finish_reason: 'stop' }],
          usage: { prompt_tokens: 10, completion_tokens: toTokens(text).length, total_tokens: 10 + toTokens(text).length },
        });
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
      const chunk = (delta: Record<string, unknown>, finish: string | null): string =>
        `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] })}\n\n`;
      // Resolves once the last write has been handed to the socket (its callback).
      let flushed: Promise<void> = new Promise((r) => res.write(chunk({ role: 'assistant', content: '' }, null), () => r()));
      const tokens = toTokens(text);
      const gap = 1000 / tokensPerSecond;
      const start = Date.now();
      for (let i = 0; i < tokens.length; i++) {
        if (closed) return;
        if (options.dropAfterTokens !== undefined && i >= options.dropAfterTokens) {
          // The break comes after what was written: destroying at once would discard tokens
          // still queued in the socket (under load, all of them), and the client would see a
          // stream that broke before its first sentence instead of after it.
          await flushed;
          res.destroy();
          return;
        }
        if (i === options.holdAfterTokens && !released) {
          await Promise.race([new Promise<void>((r) => waitingForRelease.push(r)), gone]);
          if (closed) return;
        }
        // Paced against the start, not the previous write, so timer slack does not accumulate.
        const due = start + i * gap - Date.now();
        if (due > 0) await sleep(due);
        flushed = new Promise((r) => res.write(chunk({ content: tokens[i] }, null), () => r()));
        tokenTimes[n]!.push(Date.now());
      }
      res.write(chunk({}, 'stop'));
      res.write('data: [DONE]\n\n');
      doneAt[n] = Date.now();
      res.end();
    })().catch((err: unknown) => {
      if (!res.headersSent) json(res, 500, { error: { message: String(err), type: 'server_error' } });
      else res.destroy();
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    tokenTimes,
    doneAt,
    abortedAt,
    release: () => {
      released = true;
      for (const go of waitingForRelease.splice(0)) go();
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local OpenAI-compatible moderation endpoint for tests: real HTTP on 127.0.0.1,
 * `POST …/v1/moderations` in OpenAI's wire format (one result per input, every category
 * with a boolean and a score), with injectable verdicts, delay and failures.
 */
export const MODERATION_CATEGORIES = [
  'harassment', 'harassment/threatening', 'hate', 'hate/threatening', 'illicit', 'illicit/violent',
  'self-harm', 'self-harm/intent', 'self-harm/instructions', 'sexual', 'sexual/minors', 'violence', 'violence/graphic',
] as const;

export interface ModerationServerOptions {
  /** The categories an input falls in (none: not flagged). Default: none ever. */
  categorize?: (input: string) => string[];
  /** Delay before answering, ms. */
  delayMs?: number;
  /** Answer with this HTTP status (and an OpenAI error body) instead of a verdict. */
  failWith?: number;
}

export interface ModerationRequest {
  authorization: string | undefined;
  body: { model?: string; input: string | string[] };
}

export interface ModerationServer {
  /** Base URL to give the SDK (`…/v1`). */
  url: string;
  requests: ModerationRequest[];
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startModerationServer(options: ModerationServerOptions = {}): Promise<ModerationServer> {
  const requests: ModerationRequest[] = [];
  const categorize = options.categorize ?? (() => []);
  let seq = 0;
  const server = createServer((req, res) => {
    void (async () => {
      const raw = await readBody(req);
      const send = (status: number, body: unknown): void => {
        if (res.destroyed) return;
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.method !== 'POST' || !req.url?.endsWith('/moderations')) {
        send(404, { error: { message: 'not found', type: 'invalid_request_error' } });
        return;
      }
      let body: ModerationRequest['body'];
      try {
        body = JSON.parse(raw) as ModerationRequest['body'];
      } catch {
        send(400, { error: { message: 'invalid JSON', type: 'invalid_request_error' } });
        return;
      }
      requests.push({ authorization: req.headers.authorization, body });
      if (options.delayMs) await new Promise((r) => setTimeout(r, options.delayMs));
      if (options.failWith) {
        send(options.failWith, { error: { message: 'injected failure (key sk-test-secret)', type: 'server_error', code: 'injected' } });
        return;
      }
      const inputs = Array.isArray(body.input) ? body.input : [body.input];
      send(200, {
        id: `modr-${++seq}`,
        model: body.model ?? 'omni-moderation-latest',
        results: inputs.map((input) => {
          const hit = new Set(categorize(String(input)));
          return {
            flagged: hit.size > 0,
            categories: Object.fromEntries(MODERATION_CATEGORIES.map((c) => [c, hit.has(c)])),
            category_scores: Object.fromEntries(MODERATION_CATEGORIES.map((c) => [c, hit.has(c) ? 0.97 : 0.0004])),
            category_applied_input_types: Object.fromEntries(MODERATION_CATEGORIES.map((c) => [c, ['text']])),
          };
        }),
      });
    })().catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

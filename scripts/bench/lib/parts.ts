import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const KEEP_OUTPUT = 20_000;

/** One part of the system under test (`<part>/main.ts`) running as its own process. */
export interface RunningPart {
  readonly name: string;
  readonly child: ChildProcess;
  readonly pid: number;
  /** The last of what it printed (stdout and stderr), for a failure's message. */
  output(): string;
  stop(): Promise<void>;
}

export interface StartPartOptions {
  /** Run at this niceness, as the bootstrap runs the render host beside the rest. */
  nice?: number;
  timeoutMs?: number;
}

/**
 * Starts a part's real entry point and resolves once its output matches `ready`. Secrets
 * go in the environment, never in the arguments (`ps` shows those).
 */
export function startPart(name: string, entry: string, env: Record<string, string>, ready: RegExp, o: StartPartOptions = {}): Promise<RunningPart> {
  const node = [process.execPath, '--import', 'tsx', entry];
  const [cmd, ...args] = o.nice ? ['nice', '-n', String(o.nice), ...node] : node;
  const child = spawn(cmd!, args, { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const part: RunningPart = {
    name, child, pid: child.pid ?? 0,
    output: () => out,
    stop: () => new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.once('exit', () => {
        clearTimeout(force);
        resolve();
      });
      child.kill('SIGTERM');
    }),
  };
  return new Promise((resolve, reject) => {
    let isReady = false;
    const timer = setTimeout(() => {
      void part.stop();
      reject(new Error(`${name} not ready in ${o.timeoutMs ?? 30_000} ms:\n${out.slice(-2000)}`));
    }, o.timeoutMs ?? 30_000);
    const onData = (d: Buffer) => {
      out = (out + d.toString()).slice(-KEEP_OUTPUT);
      if (!isReady && ready.test(out)) {
        isReady = true;
        clearTimeout(timer);
        resolve(part);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (!isReady) reject(new Error(`${name} exited (${signal ?? code}) before it was ready:\n${out.slice(-2000)}`));
    });
  });
}

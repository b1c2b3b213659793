import { spawn } from 'node:child_process';

export interface ProcessResult {
  stdout: string;
  stderr: string;
}

export class ProcessError extends Error {
  readonly code = 'process_failed';
  constructor(message: string, readonly stderr: string) {
    super(message);
    this.name = 'ProcessError';
  }
}

/**
 * Runs a program without a shell (text is an argument or stdin, never shell syntax) and
 * kills it after `timeoutMs`, so a wedged synthesizer cannot hold a worker slot forever.
 */
export function runProcess(
  bin: string,
  args: readonly string[],
  opts: { input?: string; timeoutMs?: number } = {},
): Promise<ProcessResult> {
  const timeoutMs = opts.timeoutMs ?? 20_000;
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new ProcessError(`${bin}: ${e.message}`, ''));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const stdout = Buffer.concat(out).toString('utf8');
      const stderr = Buffer.concat(err).toString('utf8');
      if (timedOut) return reject(new ProcessError(`${bin} timed out after ${timeoutMs} ms`, stderr));
      if (code !== 0) return reject(new ProcessError(`${bin} exited with ${code ?? signal}: ${stderr.trim().slice(0, 300)}`, stderr));
      resolve({ stdout, stderr });
    });
    child.stdin.on('error', () => { /* the exit code reports the failure */ });
    child.stdin.end(opts.input ?? '');
  });
}

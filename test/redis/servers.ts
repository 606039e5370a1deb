import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from '../../devenv/env/ports.js';
import { redisAnswers } from '../../devenv/env/redis.js';
import { startProcess, waitFor, type ManagedProcess } from '../../devenv/env/processes.js';

/** A redis-server (or Sentinel) of a test, on a loopback port, stopped by PID. */
export interface RedisNode {
  readonly port: number;
  readonly process: ManagedProcess;
}

/** Stops every node, also when starting a later one failed. */
export class RedisNodes {
  private readonly nodes: RedisNode[] = [];

  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  /** A redis-server without persistence; `args` are extra settings; `fixedPort` restarts one where clients expect it. */
  async server(name: string, args: readonly string[] = [], fixedPort?: number): Promise<RedisNode> {
    const port = fixedPort ?? (await freePort());
    const nodeDir = join(this.dir, name);
    mkdirSync(nodeDir, { recursive: true });
    const proc = startProcess(name, 'redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', nodeDir, ...args], {
      logFile: join(this.dir, `${name}.log`),
    });
    return this.track({ port, process: proc });
  }

  /** A Sentinel (redis-server in sentinel mode) watching `master` as "mymaster", quorum 2. */
  async sentinel(name: string, masterPort: number): Promise<RedisNode> {
    const port = await freePort();
    const conf = join(this.dir, `${name}.conf`);
    // Sentinel rewrites its file (known replicas, the current master), so each has its own.
    writeFileSync(
      conf,
      [
        `port ${port}`,
        'bind 127.0.0.1',
        `dir ${this.dir}`,
        `sentinel monitor mymaster 127.0.0.1 ${masterPort} 2`,
        'sentinel down-after-milliseconds mymaster 1000',
        'sentinel failover-timeout mymaster 10000',
        'sentinel parallel-syncs mymaster 1',
        '',
      ].join('\n'),
    );
    const proc = startProcess(name, 'redis-server', [conf, '--sentinel'], { logFile: join(this.dir, `${name}.log`) });
    return this.track({ port, process: proc });
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.process.stop()));
  }

  private async track(node: RedisNode): Promise<RedisNode> {
    this.nodes.push(node);
    await waitFor(`${node.process.name} PING`, () => ping(node.port), { timeoutMs: 20_000, process: node.process });
    return node;
  }
}

export function ping(port: number): Promise<boolean> {
  return redisAnswers(`redis://127.0.0.1:${port}`);
}

/** Runs one command against a node and returns its answer. */
export async function command(port: number, name: string, ...args: (string | number)[]): Promise<unknown> {
  const client = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return await client.call(name, ...args.map(String));
  } finally {
    client.disconnect();
  }
}

/** Joins cluster-enabled nodes into one Redis Cluster of masters (redis-cli --cluster create). */
export async function createCluster(ports: readonly number[], logFile: string): Promise<void> {
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.once('error', reject);
    child.once('exit', (exitCode) => {
      writeFileSync(logFile, output);
      resolve(exitCode);
    });
  });
  if (code !== 0) throw new Error(`redis-cli --cluster create exited ${String(code)}; see ${logFile}`);
  await Promise.all(
    ports.map((port) =>
      waitFor(`cluster_state:ok on ${port}`, async () => String(await command(port, 'CLUSTER', 'INFO')).includes('cluster_state:ok'), { timeoutMs: 30_000 }),
    ),
  );
}

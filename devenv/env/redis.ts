import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './ports.js';
import { startProcess, waitFor, type ManagedProcess } from './processes.js';

export interface RedisServer {
  readonly url: string;
  readonly process: ManagedProcess;
}

export async function startRedis(dir: string): Promise<RedisServer> {
  const port = await freePort();
  const proc = startProcess(
    'redis-server',
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    { logFile: join(dir, 'redis.log') },
  );
  const url = `redis://127.0.0.1:${port}`;
  await waitFor(
    'redis PING',
    () => redisAnswers(url),
    { timeoutMs: 20_000, process: proc },
  );
  return { url, process: proc };
}

/** True once a Redis at `url` answers PING; rejects while it refuses connections (waitFor retries then). */
export async function redisAnswers(url: string): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  // Refused connections before redis listens are expected; connect() rejects with them.
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
    return true;
  } finally {
    client.disconnect();
  }
}

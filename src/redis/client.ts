import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { RedisConnection } from './settings.js';

/** A connection to one Redis (found directly or through Sentinels) or to a Redis Cluster. */
export type RedisClient = Redis | Cluster;

/**
 * Opens a connection as the settings say. `options` apply to every server
 * connection (for a Cluster: to each node's).
 */
export function connectRedis(target: RedisConnection, options: RedisOptions): RedisClient {
  const credentials = { ...(target.username ? { username: target.username } : {}), ...(target.password ? { password: target.password } : {}) };
  switch (target.kind) {
    case 'standalone':
      return new Redis(target.url, { ...options, ...credentials });
    case 'sentinel':
      return new Redis({
        ...options,
        ...credentials,
        sentinels: target.sentinels.map((n) => ({ host: n.host, port: n.port })),
        name: target.masterName,
        db: target.db,
        ...(target.sentinelPassword ? { sentinelPassword: target.sentinelPassword } : {}),
        // Without retries (preflight) a dead Sentinel is reported at once; otherwise the next one is asked.
        ...(options.retryStrategy ? { sentinelRetryStrategy: options.retryStrategy } : {}),
        // A master demoted by a failover answers writes with READONLY: reconnect, and ask the Sentinels again.
        reconnectOnError: (err) => err.message.startsWith('READONLY'),
      });
    case 'cluster':
      return new Cluster(
        target.nodes.map((n) => ({ host: n.host, port: n.port })),
        {
          redisOptions: { ...options, ...credentials },
          ...(options.lazyConnect ? { lazyConnect: true } : {}),
          ...(options.retryStrategy ? { clusterRetryStrategy: options.retryStrategy } : {}),
          ...(options.maxRetriesPerRequest === null ? { maxRedirections: 16 } : {}),
        },
      );
  }
}

/**
 * BullMQ's key prefix for a queue: a hash tag, so all keys of one queue land
 * in one slot of a Redis Cluster (BullMQ's scripts touch several keys at
 * once). The same prefix is used with a single Redis, so moving to a Cluster
 * changes nothing else.
 */
export function queuePrefix(queueName: string): string {
  return `{${queueName}}`;
}

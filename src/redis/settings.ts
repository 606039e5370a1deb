import { redactUrl } from '../redact.js';

/** How the controller reaches Redis: one server, Sentinels that name the master, or a Cluster. */
export type RedisConnection =
  | { readonly kind: 'standalone'; readonly url: string; readonly username: string | undefined; readonly password: string | undefined }
  | {
      readonly kind: 'sentinel';
      readonly sentinels: readonly HostPort[];
      readonly masterName: string;
      readonly db: number;
      readonly username: string | undefined;
      readonly password: string | undefined;
      readonly sentinelPassword: string | undefined;
    }
  | { readonly kind: 'cluster'; readonly nodes: readonly HostPort[]; readonly username: string | undefined; readonly password: string | undefined };

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** Where the controller's Redis is, for logs and messages: never with credentials. */
export function describeRedis(redis: RedisConnection): string {
  switch (redis.kind) {
    case 'standalone':
      return redactUrl(redis.url);
    case 'sentinel':
      return `master "${redis.masterName}" via Sentinels ${redis.sentinels.map(hostPort).join(',')}`;
    case 'cluster':
      return `Redis Cluster ${redis.nodes.map(hostPort).join(',')}`;
  }
}

function hostPort(node: HostPort): string {
  return node.host.includes(':') ? `[${node.host}]:${node.port}` : `${node.host}:${node.port}`;
}

/** "a:26379,b:26379" → nodes, or an error text naming what is wrong; `defaultPort` when a node has none. */
export function parseNodes(value: string, defaultPort: number): HostPort[] | string {
  const nodes: HostPort[] = [];
  for (const item of value.split(',').map((s) => s.trim()).filter(Boolean)) {
    const match = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(item);
    const port = match?.[2] === undefined ? defaultPort : Number(match[2]);
    if (!match?.[1] || port < 1 || port > 65535) return `"${item}" is not host:port`;
    nodes.push({ host: match[1].replace(/^\[|\]$/g, ''), port });
  }
  return nodes.length ? nodes : 'no host:port given';
}

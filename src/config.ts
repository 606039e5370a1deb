import { parseArgs } from 'node:util';
import { parseDuration } from './api/duration.js';
import { redactUrl } from './redact.js';
import { parseNodes, type RedisConnection } from './redis/settings.js';
import { OutboundPolicy } from './http/outbound-policy.js';

export const LogLevel = { Trace: 'trace', Debug: 'debug', Info: 'info', Warn: 'warn', Error: 'error', Fatal: 'fatal' } as const;
export type LogLevel = (typeof LogLevel)[keyof typeof LogLevel];

/** The controller's settings, parsed once at start-up, validated, frozen. */
export interface Config {
  /** Kubeconfig file; undefined: the default loading rules (KUBECONFIG, ~/.kube/config, in-cluster). */
  readonly kubeconfig: string | undefined;
  /** Kubeconfig context; undefined: its current-context. */
  readonly context: string | undefined;
  /** One Redis (a URL), Sentinels naming the master, or a Redis Cluster. */
  readonly redis: RedisConnection;
  /** BullMQ queue: controllers sharing a Redis share work only when they share this name. */
  readonly queueName: string;
  /** Default Prometheus for metrics whose template names no address. */
  readonly prometheusUrl: string | undefined;
  /** Namespaces to watch; empty: all. */
  readonly namespaces: readonly string[];
  readonly logLevel: LogLevel;
  readonly health: { readonly host: string; readonly port: number };
  /** Ticks processed at once by this replica. */
  readonly concurrency: number;
  /** How often every Rollout's tick chain is re-checked, so a lost event or a flushed Redis heals. */
  readonly resyncMs: number;
  /** Named in notifications, so a shared channel tells clusters apart; undefined: not named. */
  readonly clusterName: string | undefined;
  /** Where calls made for a Rollout (webhooks, alerts, a MetricTemplate's Prometheus) may connect. */
  readonly outbound: OutboundPolicy;
  /** Signs the notification jobs in Redis (NOTIFICATION_SIGNING_KEY, the same on every replica); see notifier/job-signature.ts. */
  readonly notificationKey: string | undefined;
}

/** A setting that is wrong: names the flag, its variable and the fix. */
export class ConfigError extends Error {
  readonly code = 'FLOWSHIFT_CONFIG_INVALID';
  override readonly name = 'ConfigError';
}

const SETTINGS = {
  kubeconfig: { env: 'FLOWSHIFT_KUBECONFIG' },
  context: { env: 'FLOWSHIFT_CONTEXT' },
  'redis-url': { env: 'REDIS_URL' },
  'redis-sentinels': { env: 'REDIS_SENTINELS' },
  'redis-sentinel-master': { env: 'REDIS_SENTINEL_MASTER', default: 'mymaster' },
  'redis-db': { env: 'REDIS_DB', default: '0' },
  'redis-cluster-nodes': { env: 'REDIS_CLUSTER_NODES' },
  'queue-name': { env: 'QUEUE_NAME', default: 'flowshift-ticks' },
  'prometheus-url': { env: 'PROMETHEUS_URL' },
  namespaces: { env: 'WATCH_NAMESPACES', default: '' },
  'log-level': { env: 'LOG_LEVEL', default: 'info' },
  'health-address': { env: 'HEALTH_ADDRESS', default: '0.0.0.0:8086' },
  concurrency: { env: 'CONCURRENCY', default: '20' },
  'resync-interval': { env: 'RESYNC_INTERVAL', default: '1m' },
  'cluster-name': { env: 'CLUSTER_NAME' },
  'outbound-deny-cidrs': { env: 'OUTBOUND_DENY_CIDRS', default: '' },
  'outbound-allow-cidrs': { env: 'OUTBOUND_ALLOW_CIDRS', default: '' },
  'outbound-deny-hosts': { env: 'OUTBOUND_DENY_HOSTS', default: '' },
  'outbound-allow-hosts': { env: 'OUTBOUND_ALLOW_HOSTS', default: '' },
} as const;
type Setting = keyof typeof SETTINGS;

/** Credentials are read from the environment only: a flag would show them in `ps`. */
const SECRETS = {
  redisUsername: 'REDIS_USERNAME',
  redisPassword: 'REDIS_PASSWORD',
  redisSentinelPassword: 'REDIS_SENTINEL_PASSWORD',
  notificationKey: 'NOTIFICATION_SIGNING_KEY',
} as const;

/** Every environment variable the controller reads. */
export const ENV_VARIABLES: readonly string[] = Object.freeze([...Object.values(SETTINGS).map((s) => s.env), ...Object.values(SECRETS)]);

const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

export const USAGE = `usage: flowshift [options]

  --kubeconfig <file>          kubeconfig (default: KUBECONFIG, ~/.kube/config, or in-cluster)
  --context <name>             kubeconfig context [FLOWSHIFT_CONTEXT] (default: its current-context)
  --redis-url <url>            one Redis for the tick queue [REDIS_URL] (default redis://127.0.0.1:6379)
  --redis-sentinels <h:p,...>  Redis Sentinels to ask for the master, instead of a URL [REDIS_SENTINELS]
  --redis-sentinel-master <n>  the master's name at the Sentinels [REDIS_SENTINEL_MASTER] (default mymaster)
  --redis-db <n>               database with Sentinels [REDIS_DB] (default 0; with a URL: its path)
  --redis-cluster-nodes <h:p,...> some nodes of a Redis Cluster, instead of a URL [REDIS_CLUSTER_NODES]
                               passwords only from the environment: REDIS_USERNAME, REDIS_PASSWORD,
                               REDIS_SENTINEL_PASSWORD
  notification jobs are signed with NOTIFICATION_SIGNING_KEY (environment only, the same
                               on every replica, at least 32 bytes); without it each process
                               signs with a key of its own and drops the jobs of the others
  --queue-name <name>          BullMQ queue replicas share [QUEUE_NAME] (default flowshift-ticks)
  --prometheus-url <url>       default Prometheus for analysis [PROMETHEUS_URL]
  --namespaces <a,b>           namespaces to watch [WATCH_NAMESPACES] (default: all)
  --log-level <level>          trace|debug|info|warn|error|fatal [LOG_LEVEL] (default info)
  --health-address <host:port> /healthz and /readyz [HEALTH_ADDRESS] (default 0.0.0.0:8086)
  --concurrency <n>            ticks processed at once [CONCURRENCY] (default 20)
  --resync-interval <duration> re-check every Rollout's schedule [RESYNC_INTERVAL] (default 1m)
  --cluster-name <name>        cluster named in notifications [CLUSTER_NAME] (default: none)
  --outbound-deny-cidrs <c,..> ranges no webhook, alert or MetricTemplate address may reach
                               [OUTBOUND_DENY_CIDRS] (always denied: also loopback, link-local,
                               cloud metadata unless allowed below)
  --outbound-allow-cidrs <c,..> exceptions to the always-denied ranges, e.g. 127.0.0.0/8 for a
                               local demo [OUTBOUND_ALLOW_CIDRS] (default: none)
  --outbound-deny-hosts <h,..> host names refused, *.domain for a whole domain [OUTBOUND_DENY_HOSTS]
  --outbound-allow-hosts <h,..> host names allowed whatever they resolve to [OUTBOUND_ALLOW_HOSTS]
`;

export function parseConfig(argv: readonly string[], env: NodeJS.ProcessEnv): Config {
  let values: Partial<Record<Setting | 'help', string | boolean>>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { ...Object.fromEntries(Object.keys(SETTINGS).map((k) => [k, { type: 'string' }])), help: { type: 'boolean' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new ConfigError(`${err instanceof Error ? err.message : String(err)}\n\n${USAGE}`);
  }
  if (values.help) throw new ConfigError(USAGE);
  const get = (key: Setting): string | undefined => {
    const flag = values[key];
    if (typeof flag === 'string') return flag;
    const setting: { env: string; default?: string } = SETTINGS[key];
    return env[setting.env] ?? setting.default;
  };
  return Object.freeze({
    kubeconfig: get('kubeconfig'),
    context: get('context'),
    redis: Object.freeze(redis(get, values, env)),
    queueName: queueName(get('queue-name') ?? ''),
    prometheusUrl: url('prometheus-url', get('prometheus-url'), ['http:', 'https:']),
    namespaces: Object.freeze((get('namespaces') ?? '').split(',').map((s) => s.trim()).filter(Boolean)),
    logLevel: logLevel(get('log-level') ?? 'info'),
    health: Object.freeze(hostPort(get('health-address') ?? '')),
    concurrency: positiveInt('concurrency', get('concurrency') ?? ''),
    resyncMs: duration('resync-interval', get('resync-interval') ?? ''),
    clusterName: clusterName(get('cluster-name')),
    outbound: outbound(get),
    notificationKey: notificationKey(env[SECRETS.notificationKey] || undefined),
  });
}

type Get = (key: Setting) => string | undefined;

/** At least 256 bits, as the HMAC's own output. */
const MIN_KEY_BYTES = 32;

function notificationKey(key: string | undefined): string | undefined {
  if (key !== undefined && Buffer.byteLength(key) < MIN_KEY_BYTES) {
    throw new ConfigError(`${SECRETS.notificationKey} is ${Buffer.byteLength(key)} bytes: use at least ${MIN_KEY_BYTES} random bytes (e.g. openssl rand -base64 32)`);
  }
  return key;
}

function outbound(get: Get): OutboundPolicy {
  const list = (key: Setting): string[] => (get(key) ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  try {
    return new OutboundPolicy({ denyCidrs: list('outbound-deny-cidrs'), allowCidrs: list('outbound-allow-cidrs'), denyHosts: list('outbound-deny-hosts'), allowHosts: list('outbound-allow-hosts') });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const flag = /^--([a-z-]+):/.exec(message)?.[1] as Setting | undefined;
    throw new ConfigError(flag ? `${describe(flag)}: ${message.slice(flag.length + 4)}` : message);
  }
}

function redis(get: Get, flags: Partial<Record<string, string | boolean>>, env: NodeJS.ProcessEnv): RedisConnection {
  const explicit = (key: Setting): boolean => typeof flags[key] === 'string' || env[SETTINGS[key].env] !== undefined;
  const chosen = (['redis-url', 'redis-sentinels', 'redis-cluster-nodes'] as const).filter(explicit);
  if (chosen.length > 1) throw new ConfigError(`${chosen.map(describe).join(' and ')} are set: set only one of them`);
  const username = env[SECRETS.redisUsername] || undefined;
  const password = env[SECRETS.redisPassword] || undefined;
  const sentinels = get('redis-sentinels');
  if (sentinels !== undefined) return sentinel(get, sentinels, { username, password, sentinelPassword: env[SECRETS.redisSentinelPassword] || undefined });
  const sentinelOnly = (['redis-sentinel-master', 'redis-db'] as const).filter(explicit).map(describe);
  if (env[SECRETS.redisSentinelPassword]) sentinelOnly.push(SECRETS.redisSentinelPassword);
  if (sentinelOnly.length) throw new ConfigError(`${sentinelOnly.join(' and ')} apply only with --redis-sentinels (REDIS_SENTINELS), which is not set`);
  const clusterNodes = get('redis-cluster-nodes');
  if (clusterNodes !== undefined) return { kind: 'cluster', nodes: nodes('redis-cluster-nodes', clusterNodes, 6379), username, password };
  const redisUrl = url('redis-url', get('redis-url') ?? DEFAULT_REDIS_URL, ['redis:', 'rediss:']) ?? DEFAULT_REDIS_URL;
  const inUrl = new URL(redisUrl);
  if ((password && inUrl.password) || (username && inUrl.username)) {
    throw new ConfigError(`${describe('redis-url')} has credentials and REDIS_USERNAME or REDIS_PASSWORD is set too: set them in one place`);
  }
  return { kind: 'standalone', url: redisUrl, username, password };
}

type Credentials = { readonly username: string | undefined; readonly password: string | undefined; readonly sentinelPassword: string | undefined };

function sentinel(get: Get, sentinels: string, credentials: Credentials): RedisConnection {
  const masterName = get('redis-sentinel-master') ?? '';
  if (!masterName) throw new ConfigError(`${describe('redis-sentinel-master')}: name the master the Sentinels watch`);
  const db = Number(get('redis-db'));
  if (!Number.isInteger(db) || db < 0) throw new ConfigError(`${describe('redis-db')}: "${get('redis-db') ?? ''}" must be a whole number of at least 0`);
  return { kind: 'sentinel', sentinels: nodes('redis-sentinels', sentinels, 26379), masterName, db, ...credentials };
}

function nodes(key: Setting, value: string, defaultPort: number): readonly { host: string; port: number }[] {
  const parsed = parseNodes(value, defaultPort);
  if (typeof parsed === 'string') throw new ConfigError(`${describe(key)}: ${parsed}; write host:port,host:port`);
  return Object.freeze(parsed.map((n) => Object.freeze(n)));
}

function describe(key: Setting): string {
  return `--${key} (${SETTINGS[key].env})`;
}

function url(key: Setting, value: string | undefined, protocols: readonly string[]): string | undefined {
  if (value === undefined || value === '') return undefined;
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new ConfigError(`${describe(key)}: "${redactUrl(value)}" is not a URL; write it like ${protocols[0] ?? ''}//host:port`);
  }
  if (!protocols.includes(parsed.protocol)) throw new ConfigError(`${describe(key)}: "${redactUrl(value)}" must use ${protocols.join(' or ')}`);
  return value;
}

function queueName(value: string): string {
  if (!/^[A-Za-z0-9._-]{1,100}$/.test(value)) throw new ConfigError(`${describe('queue-name')}: "${value}" must be 1-100 letters, digits, dots, dashes or underscores`);
  return value;
}

function clusterName(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^[A-Za-z0-9][A-Za-z0-9._ -]{0,62}$/.test(value)) {
    throw new ConfigError(`${describe('cluster-name')}: "${value}" must be 1-63 letters, digits, dots, dashes, underscores or spaces`);
  }
  return value;
}

function logLevel(value: string): LogLevel {
  const levels: readonly string[] = Object.values(LogLevel);
  if (!levels.includes(value)) throw new ConfigError(`${describe('log-level')}: "${value}" is not one of ${levels.join(', ')}`);
  return value as LogLevel;
}

function hostPort(value: string): { host: string; port: number } {
  const match = /^(.*):(\d+)$/.exec(value);
  const port = Number(match?.[2]);
  if (!match || port > 65535) throw new ConfigError(`${describe('health-address')}: "${value}" must be host:port, e.g. 0.0.0.0:8086`);
  return { host: match[1] || '0.0.0.0', port };
}

function positiveInt(key: Setting, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new ConfigError(`${describe(key)}: "${value}" must be a whole number of at least 1`);
  return n;
}

function duration(key: Setting, value: string): number {
  const ms = parseDuration(value);
  if (ms === undefined || ms < 1000) throw new ConfigError(`${describe(key)}: "${value}" must be a duration of at least 1s, e.g. 30s or 1m`);
  return ms;
}

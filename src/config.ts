import { parseArgs } from 'node:util';
import { parseDuration } from './api/duration.js';

export const LogLevel = { Trace: 'trace', Debug: 'debug', Info: 'info', Warn: 'warn', Error: 'error', Fatal: 'fatal' } as const;
export type LogLevel = (typeof LogLevel)[keyof typeof LogLevel];

/** The controller's settings, parsed once at start-up, validated, frozen. */
export interface Config {
  /** Kubeconfig file; undefined: the default loading rules (KUBECONFIG, ~/.kube/config, in-cluster). */
  readonly kubeconfig: string | undefined;
  readonly redisUrl: string;
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
}

/** A setting that is wrong: names the flag, its variable and the fix. */
export class ConfigError extends Error {
  readonly code = 'FLOWSHIFT_CONFIG_INVALID';
  override readonly name = 'ConfigError';
}

const SETTINGS = {
  kubeconfig: { env: 'FLOWSHIFT_KUBECONFIG' },
  'redis-url': { env: 'REDIS_URL', default: 'redis://127.0.0.1:6379' },
  'queue-name': { env: 'QUEUE_NAME', default: 'flowshift-ticks' },
  'prometheus-url': { env: 'PROMETHEUS_URL' },
  namespaces: { env: 'WATCH_NAMESPACES', default: '' },
  'log-level': { env: 'LOG_LEVEL', default: 'info' },
  'health-address': { env: 'HEALTH_ADDRESS', default: '0.0.0.0:8086' },
  concurrency: { env: 'CONCURRENCY', default: '20' },
  'resync-interval': { env: 'RESYNC_INTERVAL', default: '1m' },
  'cluster-name': { env: 'CLUSTER_NAME' },
} as const;
type Setting = keyof typeof SETTINGS;

export const USAGE = `usage: flowshift [options]

  --kubeconfig <file>          kubeconfig (default: KUBECONFIG, ~/.kube/config, or in-cluster)
  --redis-url <url>            Redis for the tick queue [REDIS_URL] (default redis://127.0.0.1:6379)
  --queue-name <name>          BullMQ queue replicas share [QUEUE_NAME] (default flowshift-ticks)
  --prometheus-url <url>       default Prometheus for analysis [PROMETHEUS_URL]
  --namespaces <a,b>           namespaces to watch [WATCH_NAMESPACES] (default: all)
  --log-level <level>          trace|debug|info|warn|error|fatal [LOG_LEVEL] (default info)
  --health-address <host:port> /healthz and /readyz [HEALTH_ADDRESS] (default 0.0.0.0:8086)
  --concurrency <n>            ticks processed at once [CONCURRENCY] (default 20)
  --resync-interval <duration> re-check every Rollout's schedule [RESYNC_INTERVAL] (default 1m)
  --cluster-name <name>        cluster named in notifications [CLUSTER_NAME] (default: none)
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
    redisUrl: url('redis-url', get('redis-url'), ['redis:', 'rediss:']) ?? '',
    queueName: queueName(get('queue-name') ?? ''),
    prometheusUrl: url('prometheus-url', get('prometheus-url'), ['http:', 'https:']),
    namespaces: Object.freeze((get('namespaces') ?? '').split(',').map((s) => s.trim()).filter(Boolean)),
    logLevel: logLevel(get('log-level') ?? 'info'),
    health: Object.freeze(hostPort(get('health-address') ?? '')),
    concurrency: positiveInt('concurrency', get('concurrency') ?? ''),
    resyncMs: duration('resync-interval', get('resync-interval') ?? ''),
    clusterName: clusterName(get('cluster-name')),
  });
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
    throw new ConfigError(`${describe(key)}: "${value}" is not a URL; write it like ${protocols[0] ?? ''}//host:port`);
  }
  if (!protocols.includes(parsed.protocol)) throw new ConfigError(`${describe(key)}: "${value}" must use ${protocols.join(' or ')}`);
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

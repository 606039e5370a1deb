import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../src/config.js';

describe('parseConfig', () => {
  it('defaults every setting', () => {
    const c = parseConfig([], {});
    expect(c).toMatchObject({
      kubeconfig: undefined,
      redis: { kind: 'standalone', url: 'redis://127.0.0.1:6379', username: undefined, password: undefined },
      queueName: 'flowshift-ticks',
      prometheusUrl: undefined,
      namespaces: [],
      logLevel: 'info',
      health: { host: '0.0.0.0', port: 8086 },
      concurrency: 20,
      resyncMs: 60_000,
      clusterName: undefined,
    });
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('reads the environment, and flags win over it', () => {
    const c = parseConfig(['--redis-url', 'redis://flag:1'], { REDIS_URL: 'redis://env:1', PROMETHEUS_URL: 'http://prom:9090', WATCH_NAMESPACES: 'a, b' });
    expect(c.redis).toMatchObject({ kind: 'standalone', url: 'redis://flag:1' });
    expect(c.prometheusUrl).toBe('http://prom:9090');
    expect(c.namespaces).toEqual(['a', 'b']);
  });

  it('takes the cluster name named in notifications from --cluster-name or CLUSTER_NAME', () => {
    expect(parseConfig([], { CLUSTER_NAME: 'prod-eu-1' }).clusterName).toBe('prod-eu-1');
    expect(parseConfig(['--cluster-name', 'staging'], { CLUSTER_NAME: 'prod-eu-1' }).clusterName).toBe('staging');
  });

  it.each([
    [['--redis-url', 'localhost:6379'], /--redis-url \(REDIS_URL\).*must use redis: or rediss:/],
    [['--prometheus-url', 'not a url'], /--prometheus-url \(PROMETHEUS_URL\): "not a url" is not a URL/],
    [['--log-level', 'loud'], /--log-level \(LOG_LEVEL\): "loud" is not one of/],
    [['--health-address', '8086'], /--health-address \(HEALTH_ADDRESS\): "8086" must be host:port/],
    [['--concurrency', '0'], /--concurrency \(CONCURRENCY\): "0" must be a whole number/],
    [['--resync-interval', '500ms'], /--resync-interval \(RESYNC_INTERVAL\): "500ms" must be a duration of at least 1s/],
    [['--queue-name', 'a b'], /--queue-name \(QUEUE_NAME\)/],
    [['--cluster-name', '<prod>'], /--cluster-name \(CLUSTER_NAME\): "<prod>" must be/],
    [['--no-such-flag'], /Unknown option '--no-such-flag'/],
    [['--redis-sentinels', 'a:1', '--redis-url', 'redis://b'], /--redis-url \(REDIS_URL\) and --redis-sentinels \(REDIS_SENTINELS\) are set: set only one of them/],
    [['--redis-sentinels', 'a:x'], /--redis-sentinels \(REDIS_SENTINELS\): "a:x" is not host:port/],
    [['--redis-cluster-nodes', ','], /--redis-cluster-nodes \(REDIS_CLUSTER_NODES\): no host:port given/],
    [['--redis-sentinel-master', 'm'], /--redis-sentinel-master \(REDIS_SENTINEL_MASTER\) apply only with --redis-sentinels/],
    [['--redis-sentinels', 'a', '--redis-db=-1'], /--redis-db \(REDIS_DB\): "-1" must be a whole number/],
  ])('rejects %j naming the setting', (argv, message) => {
    expect(() => parseConfig(argv, {})).toThrow(ConfigError);
    expect(() => parseConfig(argv, {})).toThrow(message);
  });

  it('connects through Sentinels or to a Cluster, with passwords only from the environment', () => {
    const env = { REDIS_SENTINELS: 's1, s2:26380,[::1]:1', REDIS_PASSWORD: 'pw', REDIS_SENTINEL_PASSWORD: 'spw' };
    expect(parseConfig(['--redis-sentinel-master', 'm1', '--redis-db', '2'], env).redis).toEqual({
      kind: 'sentinel',
      sentinels: [{ host: 's1', port: 26379 }, { host: 's2', port: 26380 }, { host: '::1', port: 1 }],
      masterName: 'm1',
      db: 2,
      username: undefined,
      password: 'pw',
      sentinelPassword: 'spw',
    });
    expect(parseConfig(['--redis-cluster-nodes', 'n1:7000,n2'], { REDIS_USERNAME: 'u' }).redis).toEqual({
      kind: 'cluster',
      nodes: [{ host: 'n1', port: 7000 }, { host: 'n2', port: 6379 }],
      username: 'u',
      password: undefined,
    });
    expect(() => parseConfig(['--redis-password', 'x'], {})).toThrow(/Unknown option '--redis-password'/);
  });

  it('reads the notification signing key from the environment only, and refuses one shorter than 32 bytes without quoting it', () => {
    const key = 'k'.repeat(32);
    expect(parseConfig([], { NOTIFICATION_SIGNING_KEY: key }).notificationKey).toBe(key);
    expect(parseConfig([], {}).notificationKey).toBeUndefined();
    expect(() => parseConfig([], { NOTIFICATION_SIGNING_KEY: 'short-secret' })).toThrow(/NOTIFICATION_SIGNING_KEY is 12 bytes: use at least 32/);
    expect(() => parseConfig([], { NOTIFICATION_SIGNING_KEY: 'short-secret' })).not.toThrow(/short-secret/);
  });

  it('refuses a password given twice, and never quotes a password back', () => {
    expect(() => parseConfig(['--redis-url', 'redis://:inurl@h'], { REDIS_PASSWORD: 'env' })).toThrow(/set them in one place/);
    let message = '';
    try {
      parseConfig(['--redis-url', 'http://user:hunter2@h:1'], {});
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('"http://***@h:1" must use redis: or rediss:');
    expect(message).not.toContain('hunter2');
  });
});

import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config.js';

describe('parseConfig', () => {
  it('defaults every setting', () => {
    const c = parseConfig([], {});
    expect(c).toMatchObject({
      kubeconfig: undefined,
      redisUrl: 'redis://127.0.0.1:6379',
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
    expect(c.redisUrl).toBe('redis://flag:1');
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
  ])('rejects %j naming the setting', (argv, message) => {
    expect(() => parseConfig(argv, {})).toThrow(ConfigError);
    expect(() => parseConfig(argv, {})).toThrow(message);
  });
});

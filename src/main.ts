import { pino } from 'pino';
import { kubeMetricSources } from './analysis/kube-sources.js';
import { MetricAnalyzer } from './analysis/metric-analyzer.js';
import { ConfigError, parseConfig, type Config } from './config.js';
import { Controller } from './controller/controller.js';
import { ControllerMetrics } from './controller/telemetry/controller-metrics.js';
import { startHealthServer } from './health.js';
import { KubeClients } from './kube/client.js';
import { loadKubeConfig } from './kube/kubeconfig.js';
import { PreflightError, preflight } from './startup-check.js';
import { logRedaction } from './log-redaction.js';
import { redactUrl, redactUrlsIn } from './redact.js';
import { describeRedis } from './redis/settings.js';

function loadConfig(): Config {
  try {
    return parseConfig(process.argv.slice(2), process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`flowshift: ${err.message}\n`);
      process.exit(err.message.startsWith('usage:') ? 0 : 2);
    }
    throw err;
  }
}

/** A tick takes well under a second; a drain still running after this is stuck on a dependency. */
const DRAIN_TIMEOUT_MS = 30_000;

async function main(): Promise<void> {
  const config = loadConfig();
  const log = pino({
    level: config.logLevel,
    base: { component: 'flowshift' },
    // Errors (from Redis, Prometheus, the API server) can quote a URL with its credentials, or a password.
    ...logRedaction(),
  });
  const kubeConfig = (() => {
    try {
      return loadKubeConfig(config);
    } catch (err) {
      throw new PreflightError(err instanceof Error ? err.message : String(err), { cause: err });
    }
  })();
  const metrics = new ControllerMetrics();
  // One client (one connection pool) for everything, every request counted.
  const clients = new KubeClients(kubeConfig, { onRequest: (method, code) => metrics.kubeRequests.inc({ method, code }) });
  await preflight(clients, config.redis, (message) => log.warn(message));

  const sources = kubeMetricSources(clients);
  const now = (): Date => new Date();
  const webhooks = { readSecret: sources.readSecret, now, outbound: config.outbound };
  const analyzer = new MetricAnalyzer({ ...sources, defaultAddress: config.prometheusUrl, outbound: config.outbound, now });
  const controller = new Controller({
    clients,
    metrics,
    redis: config.redis,
    queueName: config.queueName,
    namespaces: config.namespaces,
    concurrency: config.concurrency,
    resyncMs: config.resyncMs,
    clusterName: config.clusterName,
    notificationKey: config.notificationKey,
    analyzer,
    webhooks,
    readTemplate: sources.readTemplate,
    prometheusUrl: config.prometheusUrl,
    log,
  });
  const health = await startHealthServer(config.health.host, config.health.port, () => controller.ready(), controller.metrics.registry);
  let stopping = false;
  const drain = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'draining: finishing running ticks');
    setTimeout(() => {
      log.error({ afterMs: DRAIN_TIMEOUT_MS }, 'drain did not finish: exiting');
      process.exit(1);
    }, DRAIN_TIMEOUT_MS).unref();
    controller
      .stop()
      .then(() => {
        health.close();
        log.info('stopped');
        process.exit(0);
      })
      .catch((err: unknown) => {
        log.error({ err }, 'drain failed');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => drain('SIGTERM'));
  process.on('SIGINT', () => drain('SIGINT'));
  await controller.start();
  log.info({ redis: describeRedis(config.redis), prometheus: config.prometheusUrl ? redactUrl(config.prometheusUrl) : 'none', health: `${config.health.host}:${config.health.port}` }, 'flowshift running');
}

main().catch((err: unknown) => {
  if (err instanceof PreflightError) {
    process.stderr.write(`flowshift: ${err.message}\n`);
    process.exit(1);
  }
  process.stderr.write(`flowshift: ${redactUrlsIn(err instanceof Error ? (err.stack ?? err.message) : String(err))}\n`);
  process.exit(1);
});

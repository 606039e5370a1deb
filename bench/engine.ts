// npm run bench:engine [-- --rollouts 200 --interval 5s]
//
// Drives N Rollouts through a release at once on the test environment (real
// kube-apiserver, etcd, Redis, Prometheus) with the built controller as its
// own process, and prints tick lag, ticks per second, API requests per tick,
// controller RSS and the time from a failing check to rewritten routes.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { AppsV1Api, CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import type { Rollout } from '../src/api/types.gen.js';
import { podinfo, updateWithRetry } from '../devenv/env/deployments.js';
import { startEnvironment } from '../devenv/env/environment.js';
import { freePort } from '../devenv/env/ports.js';
import { startProcess, waitFor } from '../devenv/env/processes.js';
import { inBatches, percentile, readMetricCounters, rssMb } from './stats.js';

const { values } = parseArgs({ options: { rollouts: { type: 'string', default: '200' }, interval: { type: 'string', default: '5s' } } });
const N = Number(values.rollouts);
const INTERVAL = values.interval;
const FAILING_EVERY = 4; // every 4th Rollout gets a check that fails, to measure rollbacks
const NS = 'bench';

const environment = await startEnvironment({ readyAfterMs: 200 });
try {
  await run();
} finally {
  await environment.stop();
}

async function run(): Promise<void> {
  const { info } = environment;
  const kc = new KubeConfig();
  kc.loadFromFile(info.kubeconfigPath);
  const apps = kc.makeApiClient(AppsV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: NS } } });
  const names = Array.from({ length: N }, (_, i) => `app-${String(i).padStart(3, '0')}`);
  const failing = new Set(names.filter((_, i) => i % FAILING_EVERY === FAILING_EVERY - 1));

  const healthPort = await freePort();
  const logFile = join(info.dir, 'bench-controller.log');
  const controller = startProcess(
    'flowshift',
    process.execPath,
    ['dist/main.js', '--kubeconfig', info.kubeconfigPath, '--redis-url', info.redisUrl, '--prometheus-url', info.prometheusUrl,
      '--namespaces', NS, '--health-address', `127.0.0.1:${healthPort}`, '--log-level', 'debug', '--concurrency', '50', '--resync-interval', '30s'],
    { logFile },
  );
  const metricsUrl = `http://127.0.0.1:${healthPort}/metrics`;
  await waitFor('controller ready', async () => (await fetch(`http://127.0.0.1:${healthPort}/readyz`)).ok, { timeoutMs: 30_000, process: controller });

  log(`creating ${N} Deployments and Rollouts (${failing.size} with a failing check), interval ${INTERVAL}`);
  await inBatches(names, 20, async (name) => {
    await apps.createNamespacedDeployment({ namespace: NS, body: podinfo(name, 'podinfo:1') });
    await custom.createNamespacedCustomObject({ group: 'flowshift.io', version: 'v1alpha1', plural: 'rollouts', namespace: NS, body: rollout(name, failing.has(name)) });
  });
  const listRollouts = async (): Promise<Rollout[]> =>
    ((await custom.listNamespacedCustomObject({ group: 'flowshift.io', version: 'v1alpha1', plural: 'rollouts', namespace: NS })) as { items: Rollout[] }).items;
  await waitFor('all Initialized', async () => (await listRollouts()).filter((r) => r.status?.phase === 'Initialized').length === N, { timeoutMs: 300_000, intervalMs: 1000, process: controller });

  const logOffset = statSync(logFile).size;
  const before = await readMetricCounters(metricsUrl);
  const rss: number[] = [];
  const sampler = setInterval(() => rss.push(rssMb(controller.pid)), 500);
  const t0 = Date.now();
  log('releasing a new image on every Deployment at once');
  await inBatches(names, 20, async (name) => {
    await updateWithRetry(apps, NS, name, (d) => {
      const c = d.spec?.template.spec?.containers[0];
      if (c) c.image = 'podinfo:2';
    });
  });
  await waitFor('every release finished', async () => (await listRollouts()).filter((r) => r.status?.phase === 'Succeeded' || r.status?.phase === 'Failed').length === N, {
    timeoutMs: 600_000,
    intervalMs: 1000,
    process: controller,
  });
  const seconds = (Date.now() - t0) / 1000;
  clearInterval(sampler);
  const after = await readMetricCounters(metricsUrl);
  const phases = (await listRollouts()).map((r) => `${r.metadata.name ?? ''}:${r.status?.phase ?? ''}`);
  await controller.stop();

  report({ seconds, rss, before, after, logLines: readFileSync(logFile, 'utf8').slice(logOffset).split('\n'), phases, failing });
}

interface Report {
  seconds: number;
  rss: number[];
  before: Map<string, number>;
  after: Map<string, number>;
  logLines: string[];
  phases: string[];
  failing: Set<string>;
}

function report({ seconds, rss, before, after, logLines, phases, failing }: Report): void {
  const lags: number[] = [];
  const durations: number[] = [];
  const rollbacks: number[] = [];
  for (const line of logLines) {
    if (!line.startsWith('{')) continue;
    const entry = JSON.parse(line) as { tick?: { lagMs: number; durationMs: number }; rollbackMs?: number };
    if (entry.tick) {
      lags.push(entry.tick.lagMs);
      durations.push(entry.tick.durationMs);
    }
    if (entry.rollbackMs !== undefined) rollbacks.push(entry.rollbackMs);
  }
  const delta = (key: string): number => (after.get(key) ?? 0) - (before.get(key) ?? 0);
  const requests = ['GET', 'PATCH', 'POST', 'PUT', 'DELETE'].map((m) => [m, delta(`flowshift_kube_requests_total{method="${m}"}`)] as const);
  const totalRequests = requests.reduce((sum, [, n]) => sum + n, 0);
  const ticks = lags.length;
  const wrongPhase = phases.filter((p) => {
    const [name = '', phase] = p.split(':');
    return phase !== (failing.has(name) ? 'Failed' : 'Succeeded');
  });
  const p = (xs: number[], q: number): string => `${percentile(xs, q).toFixed(0)} ms`;
  const lines = [
    `flowshift engine benchmark: ${N} Rollouts, interval ${INTERVAL}, ${failing.size} with a failing check`,
    `releases finished in ${seconds.toFixed(1)} s; unexpected end states: ${wrongPhase.length ? wrongPhase.join(', ') : 'none'}`,
    `ticks: ${ticks} (${(ticks / seconds).toFixed(1)}/s)`,
    `tick lag (actual - planned start): p50 ${p(lags, 50)}, p99 ${p(lags, 99)}, max ${p(lags, 100)}   [target p99 < 250 ms]`,
    `tick duration: p50 ${p(durations, 50)}, p99 ${p(durations, 99)}`,
    `API requests per tick: ${(totalRequests / Math.max(ticks, 1)).toFixed(2)} (${requests.filter(([, n]) => n).map(([m, n]) => `${m} ${(n / Math.max(ticks, 1)).toFixed(2)}`).join(', ')})`,
    `controller RSS: max ${Math.max(...rss).toFixed(0)} MB, last ${(rss.at(-1) ?? 0).toFixed(0)} MB   [target < 250 MB]`,
    `rollback, failing check to routes rewritten: p50 ${p(rollbacks, 50)}, p99 ${p(rollbacks, 99)}, max ${p(rollbacks, 100)} (n=${rollbacks.length})   [target < 250 ms]`,
  ];
  process.stdout.write(`\n${lines.join('\n')}\n`);
}

function rollout(name: string, fails: boolean): Rollout {
  return {
    apiVersion: 'flowshift.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name },
    spec: {
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
      service: { port: 9898 },
      strategy: { canary: { stepWeights: [20, 40, 60] } },
      analysis: {
        interval: INTERVAL,
        threshold: 2,
        // A real Prometheus query every check; vector(0) < 1 fails.
        metrics: [{ name: 'bench-check', query: fails ? 'vector(0)' : 'vector(1)', thresholdRange: { min: 1 } }],
      },
    },
  };
}

function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}


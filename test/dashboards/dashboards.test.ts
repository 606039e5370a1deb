import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPromql } from '../../src/metrics/promql.js';
import { MeshSimulator } from '../../devenv/sim/mesh-simulator.js';
import { addScrapeTarget, createNamespace, env, kubeConfig, removeScrapeTarget } from '../support/env/context.js';
import { waitFor } from '../../devenv/env/processes.js';
import { Cluster, podinfo, startController, type ControllerProcess } from '../support/harness.js';
import { quickRollout } from '../support/rollouts.js';
import { HttpSink } from '../notifier/sink.js';
import { dashboardQueries, substitute } from './panels.js';

const SYNTAX_VALUES = { namespace: 'shop', rollout: 'podinfo', target: 'podinfo', __rate_interval: '1m', __interval: '30s', __range: '1h' };

/** Panels that must show data while a release is held at a step after a promotion. */
const KEY_PANELS: Readonly<Record<string, readonly string[]>> = {
  'flowshift / controller': ['Tick lag (p50, p99)', 'Ticks by outcome', 'Tick duration (p99) by replica', 'Kubernetes API requests', 'Queue depth', 'Notifications', 'Rollouts by phase', 'CPU by replica', 'Memory by replica', 'Event-loop lag p99 by replica', 'variable: namespace'],
  'flowshift / release': [
    'Phase', 'Revision', 'Failed checks', 'Promotions / rollbacks in range', 'Canary weight', 'Request rate: canary vs primary', 'Success rate: canary vs primary',
    'p99 latency: canary vs primary', 'Analysis values against their bounds', 'Checks passing', 'Release duration (mean over range)', 'annotation: Promotions',
    'variable: namespace', 'variable: rollout', 'variable: target',
  ],
};

interface QueryAnswer {
  readonly status: string;
  readonly error?: string;
  readonly data?: { result: { metric: Record<string, string>; value: [number, string] }[] };
}

async function query(expr: string): Promise<QueryAnswer> {
  const res = await fetch(`${env().prometheusUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
  return (await res.json()) as QueryAnswer;
}

describe('Grafana dashboards', () => {
  const queries = dashboardQueries();

  it('have the controller and the release dashboard, each templated by namespace (and the release one by Rollout)', () => {
    expect(Object.keys(KEY_PANELS).every((title) => queries.some((q) => q.dashboard === title))).toBe(true);
    expect(queries.filter((q) => q.where.startsWith('variable:')).map((q) => `${q.dashboard} ${q.where}`)).toEqual(
      expect.arrayContaining(['flowshift / controller variable: namespace', 'flowshift / release variable: namespace', 'flowshift / release variable: rollout']),
    );
    for (const [dashboard, panels] of Object.entries(KEY_PANELS)) {
      for (const where of panels) expect(queries.some((q) => q.dashboard === dashboard && q.where === where), `${dashboard}: ${where}`).toBe(true);
    }
  });

  it.each(queries.map((q) => ({ ...q, name: `${q.dashboard}: ${q.where}: ${q.expr}` })))('parses $name', ({ expr }) => {
    const substituted = substitute(expr, SYNTAX_VALUES);
    expect(substituted).not.toMatch(/\$\w/);
    expect(checkPromql(substituted)).toBeNull();
  });
});

describe('Grafana dashboards against Prometheus while a release is in progress', () => {
  let cluster: Cluster;
  let sim: MeshSimulator;
  let controller: ControllerProcess;
  let sink: HttpSink;
  let values: Record<string, string>;

  beforeAll(async () => {
    cluster = new Cluster(await createNamespace('dashboards'));
    const ns = cluster.namespace;
    sim = await MeshSimulator.start({ kubeConfig: kubeConfig(), namespace: ns, target: 'podinfo', requestsPerSecond: 100, primary: { errorRate: 0, latencyMs: { p50: 20, p99: 50 } }, canary: { errorRate: 0, latencyMs: { p50: 20, p99: 50 } } });
    addScrapeTarget(env().prometheusTargetsDir, `sim-${ns}`, sim.address);
    controller = await startController(ns);
    addScrapeTarget(env().prometheusTargetsDir, `controller-${ns}`, `127.0.0.1:${controller.healthPort}`);
    sink = await HttpSink.start();
    await cluster.core.createNamespacedSecret({ namespace: ns, body: { metadata: { name: 'hook-url' }, stringData: { address: `${sink.url}/hook` } } });
    await cluster.custom.createNamespacedCustomObject({
      group: 'flowshift.io', version: 'v1alpha1', plural: 'alertproviders', namespace: ns,
      body: { apiVersion: 'flowshift.io/v1alpha1', kind: 'AlertProvider', metadata: { name: 'hook' }, spec: { type: 'webhook', secretRef: { name: 'hook-url' } } },
    });
    await cluster.apps.createNamespacedDeployment({ namespace: ns, body: podinfo('podinfo') });
    await cluster.createRollout(
      quickRollout('podinfo', {
        strategy: { canary: { stepWeights: [50] } },
        // threshold 1000: a failing canary is held at its step, a release in progress for as long as the test looks.
        // Interval 5 s, not 2: the canary's 5xx series is new when the failing release routes to it, and a check
        // before Prometheus scraped it twice reads no errors at all (rate() needs two samples), while the 200s
        // series, alive since the first release, is read: 100%, and the failing canary was promoted (CI, twice).
        analysis: {
          interval: '5s', threshold: 1000,
          metrics: [{ name: 'request-success-rate', interval: '10s', thresholdRange: { min: 99 } }, { name: 'request-duration', interval: '10s', thresholdRange: { max: 500 } }],
          alerts: [{ name: 'hook', severity: 'info', providerRef: { name: 'hook' } }],
        },
      }),
    );
    await cluster.waitForRollout('podinfo', 'Initialized', (r) => r.status?.phase === 'Initialized');
    // increase() sees a promotion only if Prometheus scraped the counter at 0 before it: on a loaded
    // machine a scrape can time out (1 s) for longer than a release takes, and the annotation then never shows.
    const promotions = `flowshift_rollout_promotions_total{namespace="${ns}", rollout="podinfo"}`;
    await waitFor('Prometheus to scrape the promotions counter at 0', async () => (await query(promotions)).data?.result[0]?.value[1] === '0', { timeoutMs: 60_000, intervalMs: 250 });
    // A promotion first, for the promotion counters, annotation and release duration.
    await cluster.setImage('podinfo', 'podinfo:2');
    await cluster.waitForRollout('podinfo', 'Succeeded', (r) => r.status?.phase === 'Succeeded', 90_000);
    // Then a release held at weight 50 by a canary answering 20% 5xx.
    sim.setVersion('canary', { errorRate: 0.2 });
    await cluster.setImage('podinfo', 'podinfo:3');
    await cluster.waitForRollout('podinfo', 'held at 50 with failed checks', (r) => r.status?.canaryWeight === 50 && (r.status.failedChecks ?? 0) >= 2, 90_000);
    values = { namespace: ns, rollout: 'podinfo', target: 'podinfo', __rate_interval: '15s', __interval: '5m', __range: '1h' };
  });

  afterAll(async () => {
    removeScrapeTarget(env().prometheusTargetsDir, `sim-${cluster.namespace}`);
    removeScrapeTarget(env().prometheusTargetsDir, `controller-${cluster.namespace}`);
    await controller.stop();
    await sim.stop();
    await sink.stop();
  });

  it('runs every expression without an error', async () => {
    for (const q of dashboardQueries()) {
      const answer = await query(substitute(q.expr, values));
      expect(answer.error, `${q.dashboard}: ${q.where}`).toBeUndefined();
      expect(answer.status).toBe('success');
    }
  });

  it.each(Object.entries(KEY_PANELS).flatMap(([dashboard, panels]) => panels.map((where) => ({ dashboard, where }))))('$dashboard: "$where" returns data', async ({ dashboard, where }) => {
    const targets = dashboardQueries().filter((q) => q.dashboard === dashboard && q.where === where);
    let results: number[] = [];
    // Rates need two scrapes after the step; wait for them rather than for a fixed time.
    await waitFor(`${dashboard}: ${where} returns data`, async () => {
      results = await Promise.all(targets.map(async (q) => (await query(substitute(q.expr, values))).data?.result.length ?? 0));
      return results.every((n) => n > 0);
    }, { timeoutMs: 60_000, intervalMs: 500 });
    expect(results.every((n) => n > 0)).toBe(true);
  });

  it('shows canary and primary side by side, and each analysis metric with its bound', async () => {
    const rate = dashboardQueries().find((q) => q.where === 'Request rate: canary vs primary');
    const answer = await query(substitute(rate?.expr ?? '', values));
    expect(answer.data?.result.map((r) => r.metric.destination_workload).sort()).toEqual(['podinfo', 'podinfo-primary']);
    const [value, bound] = dashboardQueries().filter((q) => q.where === 'Analysis values against their bounds');
    const measured = await query(substitute(value?.expr ?? '', values));
    const success = Number(measured.data?.result.find((r) => r.metric.metric === 'request-success-rate')?.value[1]);
    expect(success).toBeLessThan(99);
    const bounds = await query(substitute(bound?.expr ?? '', values));
    expect(bounds.data?.result.map((r) => `${r.metric.metric} ${r.metric.bound} ${r.value[1]}`).sort()).toEqual(['request-duration max 500', 'request-success-rate min 99']);
  });
});

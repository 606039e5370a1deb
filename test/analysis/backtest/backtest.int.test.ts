import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backtest, backtestDeps, type BacktestReport } from '../../../src/analysis/backtest/backtest.js';
import { MetricAnalyzer } from '../../../src/analysis/metric-analyzer.js';
import { analysisContextOf } from '../../../src/analysis/metric-query.js';
import type { MetricResult, MetricTemplate, Rollout } from '../../../src/api/types.gen.js';
import { runBacktest } from '../../../src/cli/backtest.js';
import { prometheusDataDir, startPrometheus, type PrometheusServer } from '../../../devenv/env/prometheus.js';
import { backfill } from '../../support/mesh-history.js';
import { createNamespace, env, kubeConfig } from '../../support/env/context.js';
import { startPrometheusProxy, type PrometheusProxy } from '../../support/prometheus-proxy.js';
import { backtestedRollout, INTERVAL, ROLLOUT_YAML, weekOfHistory } from './history.js';

const MINUTE = 60;
const noTemplates = { readTemplate: () => Promise.resolve(undefined), readSecret: () => Promise.resolve(undefined) };
const week = weekOfHistory(new Date());
const { a, b, c } = week.incidents;
const iso = (t: number): string => new Date(t * 1000).toISOString();

let dir: string;
let prometheus: PrometheusServer;
let proxy: PrometheusProxy;
let report: BacktestReport;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'flowshift-backtest-'));
  await backfill(week.history, prometheusDataDir(dir), dir);
  prometheus = await startPrometheus(dir, { retention: '30d' });
  proxy = await startPrometheusProxy(prometheus.url);
  const result = await backtest({ rollout: backtestedRollout(), since: new Date(week.since * 1000), until: new Date(week.until * 1000), against: 'primary' }, backtestDeps(noTemplates, proxy.url));
  if (!result.ok) throw new Error(result.message);
  report = result.report;
}, 120_000);

afterAll(async () => {
  await proxy.stop();
  await prometheus.process.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** The backtest's check at `at`. */
function checkAt(at: number): { releaseStart: number; results: readonly MetricResult[] } {
  const check = report.checks.find((x) => x.at === at);
  if (!check) throw new Error(`no check at ${iso(at)}`);
  return check;
}

describe('backtest against a week of known history in a real Prometheus', () => {
  it('evaluates every metric with exactly one range query each, and no instant query', () => {
    expect(report.rangeQueries).toBe(3);
    expect(proxy.counts.get('/api/v1/query_range')).toBe(3);
    expect(proxy.counts.get('/api/v1/query')).toBeUndefined();
    expect(report.checks).toHaveLength((7 * 24 * 60) / 2);
    expect(report.workload).toBe('podinfo-primary');
  });

  it('finds the rollbacks where the history says: three in the 20 minutes of 5% errors, one in the slow 10 minutes, none for the 4-minute spike', () => {
    expect(report.rollbacks.map((r) => iso(r.at))).toEqual([a + 6 * MINUTE, a + 12 * MINUTE, a + 18 * MINUTE, b + 6 * MINUTE].map(iso));
    const [first] = report.rollbacks;
    expect(first?.failedChecks).toBe(3);
    expect(first?.reason).toMatch(/^3 failed checks \(request-success-rate 95 < 99 \(min\); error-budget-burn/);
    expect(first?.results.find((r) => r.name === 'request-success-rate')).toMatchObject({ value: 95, passed: false });
    expect(report.rollbacks[3]?.results.find((r) => r.name === 'request-duration')).toMatchObject({ passed: false, message: expect.stringMatching(/^request-duration 995 ms > 500 ms \(max\)$/) as unknown });
    // The spike failed its two checks, one short of the threshold.
    expect([c + 2 * MINUTE, c + 4 * MINUTE].map((t) => checkAt(t).results[0]?.passed)).toEqual([false, false]);
    expect(report.releases.rolledBack).toBe(4);
  });

  it('summarizes each metric: checks, failures and the longest failing run', () => {
    expect(report.metrics.map((m) => [m.name, m.bound, m.failures, m.longestFailingRun?.checks, m.longestFailingRun && iso(m.longestFailingRun.from)])).toEqual([
      ['request-success-rate', '>= 99', 12, 10, iso(a + 2 * MINUTE)],
      ['request-duration', '<= 500 ms', 5, 5, iso(b + 2 * MINUTE)],
      ['error-budget-burn', '10m/2m > 10×', expect.any(Number) as unknown, expect.any(Number) as unknown, expect.any(String) as unknown],
    ]);
  });

  it('reads known burn rates on both windows: 50× on each in the incident, 25× long but 0× short once it ended', () => {
    expect(checkAt(a + 8 * MINUTE).results[2]).toMatchObject({
      passed: false,
      value: 50,
      message: 'error-budget-burn (objective 99.9%): 50× over 10m (2m so far) and 50× over 2m, both above 10×; at 50× the 30d budget lasts 14h',
    });
    expect(checkAt(a + 22 * MINUTE).results[2]).toMatchObject({
      passed: true,
      message: 'error-budget-burn (objective 99.9%): 25× over 10m (4m so far) / 0× over 2m (fails above 10× on both)',
    });
  });

  it('gives the verdicts the controller\'s own analysis gives with instant queries at the same moments', async () => {
    const moments = [week.since + INTERVAL, a + 2 * MINUTE, a + 8 * MINUTE, a + 22 * MINUTE, c + 4 * MINUTE, b + 4 * MINUTE, week.until];
    for (const at of moments) {
      const check = checkAt(at);
      const rollout: Rollout = { ...backtestedRollout(), status: { releaseStartTime: iso(check.releaseStart) } };
      const analyzer = new MetricAnalyzer({ ...noTemplates, defaultAddress: proxy.url, now: () => new Date(at * 1000) });
      proxy.pinnedTime = at;
      const live = await analyzer.analyze(rollout, { ...analysisContextOf(rollout), canary: 'podinfo-primary' });
      proxy.pinnedTime = undefined;
      expect(live.results, iso(at)).toEqual(check.results);
    }
  });
});

describe('backtest of a MetricTemplate\'s query and of the sequential judge', () => {
  const template: MetricTemplate = {
    apiVersion: 'flowshift.io/v1alpha1',
    kind: 'MetricTemplate',
    metadata: { name: 'ok-rate', namespace: 'bt' },
    spec: {
      provider: { type: 'prometheus' },
      query: 'sum(rate(istio_requests_total{destination_workload="{{ target }}",response_code!~"5.."}[{{ interval }}])) / sum(rate(istio_requests_total{destination_workload="{{ target }}"}[{{ interval }}]))',
    },
  };
  const templates = { readTemplate: (ns: string, name: string) => Promise.resolve(ns === 'bt' && name === 'ok-rate' ? template : undefined), readSecret: () => Promise.resolve(undefined) };
  const rollout = (): Rollout => {
    const base = backtestedRollout();
    return {
      ...base,
      spec: {
        ...base.spec,
        analysis: {
          ...base.spec.analysis,
          metrics: [
            { name: 'ok-rate', templateRef: { name: 'ok-rate' }, thresholdRange: { min: 0.99 } },
            { name: 'request-success-rate', judge: { test: 'errorRate' } },
          ],
        },
      },
    };
  };

  it('renders the template and the judge\'s counts as the controller does, one range query each, and agrees with the controller at every moment', async () => {
    const before = proxy.counts.get('/api/v1/query_range') ?? 0;
    const hours = { since: new Date((a - 2 * 60 * MINUTE) * 1000), until: new Date((a + 60 * MINUTE) * 1000) };
    const result = await backtest({ rollout: rollout(), ...hours, against: 'primary' }, backtestDeps(templates, proxy.url));
    if (!result.ok) throw new Error(result.message);
    // Against the primary the judge's two queries are one.
    expect(result.report.rangeQueries).toBe(2);
    expect((proxy.counts.get('/api/v1/query_range') ?? 0) - before).toBe(2);
    expect(result.report.metrics.map((m) => [m.name, m.failures])).toEqual([['ok-rate', 10], ['request-success-rate', 0]]);
    for (const at of [a + 2 * MINUTE, a + 10 * MINUTE, a + 40 * MINUTE]) {
      const check = result.report.checks.find((x) => x.at === at);
      const live: Rollout = { ...rollout(), status: { releaseStartTime: iso(check?.releaseStart ?? 0) } };
      const analyzer = new MetricAnalyzer({ ...templates, defaultAddress: proxy.url, now: () => new Date(at * 1000) });
      proxy.pinnedTime = at;
      const verdict = await analyzer.analyze(live, { ...analysisContextOf(live), canary: 'podinfo-primary' });
      proxy.pinnedTime = undefined;
      expect(verdict.results, iso(at)).toEqual(check?.results);
    }
    // The primary judged against itself is never worse: why --against canary is the judge's question.
    expect(result.report.checks.every((x) => x.results[1]?.conclusion !== 'worse')).toBe(true);
  });
});

describe('backtest --against another workload', () => {
  it('reads that workload\'s history: the target Deployment has none here, so every check finds no data', async () => {
    const hour = { since: new Date((a - 60 * MINUTE) * 1000), until: new Date(a * 1000) };
    const result = await backtest({ rollout: backtestedRollout(), ...hour, against: 'canary' }, backtestDeps(noTemplates, prometheus.url));
    if (!result.ok) throw new Error(result.message);
    expect(result.report.workload).toBe('podinfo');
    expect(result.report.metrics.map((m) => m.failures)).toEqual([30, 30, 30]);
    expect(result.report.checks[0]?.results[0]?.message).toBe('no values found for request-success-rate: is the canary receiving traffic?');
  });
});

describe('kubectl flowshift backtest NAME: the Rollout read from the cluster with the user\'s kubeconfig', () => {
  it('backtests the Rollout as the API server holds it, in the namespace -n names', async () => {
    const namespace = await createNamespace('bt-name');
    const body = { ...backtestedRollout(), metadata: { name: 'podinfo', namespace } };
    await kubeConfig().makeApiClient(CustomObjectsApi).createNamespacedCustomObject({ group: 'flowshift.io', version: 'v1alpha1', plural: 'rollouts', namespace, body });
    let printed = '';
    const hour = { since: iso(a - 60 * MINUTE), until: iso(a) };
    await runBacktest('podinfo', { ...hour, kubeconfig: env().kubeconfigPath, namespace, prometheus: prometheus.url, output: 'json' }, (text) => (printed += text));
    const json = JSON.parse(printed) as { rollout: string; workload: string; metrics: { name: string; checks: number }[] };
    expect(json).toMatchObject({ rollout: `${namespace}/podinfo`, workload: 'podinfo-primary' });
    expect(json.metrics.map((m) => [m.name, m.checks])).toEqual([['request-success-rate', 30], ['request-duration', 30], ['error-budget-burn', 30]]);
    await expect(runBacktest('nothing-here', { ...hour, kubeconfig: env().kubeconfigPath, namespace, prometheus: prometheus.url }, () => undefined)).rejects.toThrow(`rollout nothing-here not found in namespace ${namespace}`);
  });
});

describe('kubectl flowshift backtest on the same history', () => {
  it('prints the report as JSON, exits 1 for the rollbacks, and writes a self-contained chart', async () => {
    const file = join(dir, 'rollout.yaml');
    writeFileSync(file, ROLLOUT_YAML);
    const chart = join(dir, 'chart.html');
    let printed = '';
    const code = await runBacktest(file, { since: iso(week.since), until: iso(week.until), prometheus: proxy.url, output: 'json', chart }, (text) => (printed += text));
    expect(code).toBe(1);
    const json = JSON.parse(printed) as { rollbacks: { at: number; reason: string }[]; metrics: { name: string; failures: number }[]; checks: number; rangeQueries: number };
    expect(json.rollbacks.map((r) => r.at)).toEqual(report.rollbacks.map((r) => r.at));
    expect(json.checks).toBe(report.checks.length);
    expect(json.rangeQueries).toBe(3);
    const html = readFileSync(chart, 'utf8');
    expect(html).toContain('uPlot');
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=/);
    expect(html).toContain('"title":"request-success-rate (>= 99): 12 of 5040 checks failed"');
  });

  it('prints a table per metric and every rollback with its values', async () => {
    const file = join(dir, 'rollout.yaml');
    let printed = '';
    await runBacktest(file, { since: iso(week.since), until: iso(week.until), prometheus: prometheus.url }, (text) => (printed += text));
    expect(printed).toContain('backtest of bt/podinfo on the history of podinfo-primary');
    expect(printed).toMatch(/^request-success-rate\s+>= 99\s+5040\s+12\s+10 \(20m, /m);
    // The second rollback's release began at the first rollback.
    expect(printed).toContain(`${iso(a + 12 * MINUTE).replace('.000Z', 'Z')}   ${iso(a + 6 * MINUTE).replace('.000Z', 'Z')}   3`);
    expect(printed).toMatch(/request-success-rate=95 \(failed\), request-duration=49\.5, error-budget-burn=\d+/);
  });
});

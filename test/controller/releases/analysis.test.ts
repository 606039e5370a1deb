import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { MetricSpec } from '../../../src/api/types.gen.js';
import { startPrometheus, type PrometheusServer } from '../../../devenv/env/prometheus.js';
import { meshScenario as scenario, stopScenario, type MeshScenario } from '../../support/mesh-scenario.js';

const successRate: MetricSpec = { name: 'request-success-rate', interval: '10s', thresholdRange: { min: 99 } };
const latency: MetricSpec = { name: 'request-duration', interval: '10s', thresholdRange: { max: 100 } };

describe('releases gated on Prometheus, with the mesh simulator as the data plane', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  const track = (s: MeshScenario, targetsDir?: string): MeshScenario => {
    cleanups.push(() => stopScenario(s, targetsDir));
    return s;
  };

  it('promotes a healthy canary after the metrics pass at every step', async () => {
    // threshold 3: the first check may land before two scrapes of the canary exist.
    const { cluster } = track(await scenario('healthy', [successRate, latency], { threshold: 3 }));
    const recorder = await cluster.recordWeights('podinfo');
    await cluster.setImage('podinfo', 'podinfo:2');
    const r = await cluster.waitForRollout('podinfo', 'Succeeded', (x) => x.status?.phase === 'Succeeded', 90_000);
    recorder.stop();
    expect(recorder.weights).toEqual([0, 20, 50, 0]);
    const evidence = r.status?.analysis ?? [];
    expect(evidence.map((a) => [a.name, a.passed])).toEqual([['request-success-rate', true], ['request-duration', true]]);
    expect(evidence[0]?.value).toBeGreaterThanOrEqual(99);
  });

  it('rolls back a canary returning 20% 5xx after threshold failed checks, with the success rate in the status', async () => {
    const { cluster } = track(await scenario('errors', [successRate], { canary: { errorRate: 0.2, latencyMs: { p50: 20, p99: 50 } } }));
    await cluster.setImage('podinfo', 'podinfo:2');
    const r = await cluster.waitForRollout('podinfo', 'Failed', (x) => x.status?.phase === 'Failed', 90_000);
    expect(r.status?.message).toMatch(/^rolled back: 2 failed checks \(request-success-rate [\d.]+ < 99/);
    const evidence = r.status?.analysis?.find((a) => a.name === 'request-success-rate');
    expect(evidence?.passed).toBe(false);
    expect(evidence?.value).toBeGreaterThan(70);
    expect(evidence?.value).toBeLessThan(90);
    // The first check may find no data yet (fewer than two scrapes of the canary); the event of a real failure names the number.
    const failedEvents = (await cluster.eventsOnce('podinfo', 'RolledBack')).filter((e) => e.reason === 'AnalysisFailed' || e.reason === 'RolledBack');
    expect(failedEvents.some((e) => /request-success-rate [\d.]+ < 99/.test(e.message))).toBe(true);
    const vs = await cluster.virtualService('podinfo');
    expect(vs.spec.http[0]?.route.map((x) => x.weight)).toEqual([100, 0]);
  });

  it('rolls back a canary burning its error budget 200× through error-budget-burn, naming both windows and their burn rates', async () => {
    const burn: MetricSpec = { name: 'error-budget-burn', errorBudget: { objective: 99.9 } };
    // Threshold 3: the first check may land before the canary has a whole interval of counts.
    const { cluster } = track(await scenario('burn', [burn], { canary: { errorRate: 0.2, latencyMs: { p50: 20, p99: 50 } }, threshold: 3 }));
    await cluster.setImage('podinfo', 'podinfo:2');
    const r = await cluster.waitForRollout('podinfo', 'Failed', (x) => x.status?.phase === 'Failed', 90_000);
    expect(r.status?.message).toMatch(/error-budget-burn \(objective 99\.9%\): [\d.]+× over 1h \(\d+s so far\) and [\d.]+× over 5m \(\d+s so far\), both above 14\.4×/);
    const evidence = r.status?.analysis?.find((a) => a.name === 'error-budget-burn');
    expect(evidence?.passed).toBe(false);
    // 20% errors against a 0.1% budget: a burn near 200.
    expect(evidence?.value).toBeGreaterThan(100);
    expect(evidence?.value).toBeLessThan(300);
  });

  it('rolls back a canary whose p99 latency triples through request-duration', async () => {
    // Threshold 4: on a loaded machine the first checks may find no samples yet, and this test reads the value of a real failure.
    const { cluster } = track(await scenario('slow', [latency], { canary: { errorRate: 0, latencyMs: { p50: 60, p99: 150 } }, threshold: 4 }));
    await cluster.setImage('podinfo', 'podinfo:2');
    const r = await cluster.waitForRollout('podinfo', 'Failed', (x) => x.status?.phase === 'Failed', 90_000);
    expect(r.status?.message).toMatch(/request-duration [\d.]+ ms > 100/);
    expect(r.status?.analysis?.[0]?.value).toBeGreaterThan(120);
  });

  it('fails a canary 50% slower than the primary on a relative gate an absolute bound would pass', async () => {
    const relative: MetricSpec = { name: 'request-duration', interval: '10s', thresholdRange: { max: 500 }, compare: { baseline: 'primary', maxIncrease: '20%' } };
    const { cluster } = track(await scenario('relative', [relative], { canary: { errorRate: 0, latencyMs: { p50: 30, p99: 75 } }, threshold: 4 }));
    await cluster.setImage('podinfo', 'podinfo:2');
    const r = await cluster.waitForRollout('podinfo', 'Failed', (x) => x.status?.phase === 'Failed', 90_000);
    expect(r.status?.message).toMatch(/above primary/);
    const evidence = r.status?.analysis?.[0];
    expect(evidence?.value).toBeLessThan(500);
    expect(evidence?.primaryValue).toBeGreaterThan(40);
  });

  it('rolls back a canary that gets no traffic, saying so', async () => {
    const { cluster } = track(await scenario('idle', [successRate], { rps: 0 }));
    await cluster.setImage('podinfo', 'podinfo:2');
    const r = await cluster.waitForRollout('podinfo', 'Failed', (x) => x.status?.phase === 'Failed', 90_000);
    expect(r.status?.message).toContain('no values found for request-success-rate: is the canary receiving traffic?');
  });

  it('holds the release while Prometheus is down and completes it once Prometheus returns', async () => {
    let prometheus: PrometheusServer = await startPrometheus(mkdtempSync(join(tmpdir(), 'flowshift-prom-')));
    const dir = prometheus.targetsDir.replace(/\/prometheus-targets$/, '');
    const port = Number(new URL(prometheus.url).port);
    cleanups.push(async () => {
      await prometheus.process.stop();
    });
    // threshold 10: after its restart Prometheus needs a few seconds (WAL replay, two scrapes for rate()) before the canary has data again.
    const s = track(await scenario('promdown', [successRate], { threshold: 10, prometheusUrl: prometheus.url, scrapeInto: prometheus.targetsDir }), prometheus.targetsDir);
    await s.cluster.setImage('podinfo', 'podinfo:2');
    await s.cluster.waitForRollout('podinfo', 'weight 20 checked', (r) => r.status?.canaryWeight === 20);
    await prometheus.process.stop();

    const held = await s.cluster.waitForRollout('podinfo', 'two failed checks', (r) => (r.status?.failedChecks ?? 0) >= 2, 60_000);
    expect(held.status?.canaryWeight).toBe(20);
    expect(held.status?.phase).toBe('Progressing');
    expect(held.status?.analysis?.[0]?.message).toMatch(/unreachable/);

    prometheus = await startPrometheus(dir, { port });
    const r = await s.cluster.waitForRollout('podinfo', 'Succeeded', (x) => x.status?.phase === 'Succeeded', 90_000);
    expect(r.status?.failedChecks).toBeLessThan(10);
  });
});

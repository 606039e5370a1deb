import { createServer } from 'node:net';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AnalysisVerdict } from '../../src/domain/model.js';
import type { MetricSpec, Rollout } from '../../src/api/types.gen.js';
import { kubeMetricSources } from '../../src/analysis/kube-sources.js';
import { analysisContextOf } from '../../src/analysis/metric-query.js';
import { MetricAnalyzer } from '../../src/analysis/metric-analyzer.js';
import type { KubeClients } from '../../src/kube/client.js';
import { createNamespace, env, kubeClients, kubeConfig } from '../support/env/context.js';
import { pollQuery, requestRate } from '../devenv/sim/prometheus-poll.js';
import { simulateService, type SimulatedService } from '../devenv/sim/sim-fixture.js';
import { startAuthProxy, type AuthProxy } from './auth-proxy.js';
import { granted, metricTemplate, rolloutWith } from './fixtures.js';

let clients: KubeClients;
beforeAll(async () => {
  clients = await kubeClients();
});

function analyzer(): MetricAnalyzer {
  return new MetricAnalyzer({
    ...kubeMetricSources(clients),
    defaultAddress: env().prometheusUrl,
    now: () => new Date(),
    queryTimeoutMs: 5_000,
  });
}

/** Runs the analysis until `accept` holds (data takes a few scrapes to arrive), and returns that verdict. */
async function analyzeUntil(rollout: Rollout, accept: (verdict: AnalysisVerdict) => boolean, timeoutMs = 45_000): Promise<AnalysisVerdict> {
  const deadline = Date.now() + timeoutMs;
  let last: AnalysisVerdict | undefined;
  while (Date.now() < deadline) {
    last = await analyzer().analyze(rollout, analysisContextOf(rollout));
    if (accept(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  throw new Error(`timed out after ${timeoutMs} ms; last verdict: ${JSON.stringify(last)}`);
}

const successRate: MetricSpec = { name: 'request-success-rate', interval: '5s', thresholdRange: { min: 99 } };
const duration: MetricSpec = { name: 'request-duration', interval: '5s', thresholdRange: { max: 500 } };

describe('MetricAnalyzer on the simulated mesh, through the real Prometheus', () => {
  const services: SimulatedService[] = [];
  afterEach(async () => {
    for (const service of services.splice(0)) await service.stop();
  });
  async function simulate(...args: Parameters<typeof simulateService>): Promise<SimulatedService> {
    const service = await simulateService(...args);
    services.push(service);
    return service;
  }

  it('passes a healthy canary on the built-in success rate and latency', async () => {
    const { namespace } = await simulate('an-healthy', { route: { primary: 80, canary: 20 } });
    const rollout = rolloutWith([successRate, duration], { namespace });
    const verdict = await analyzeUntil(rollout, (v) => v.passed);
    expect(verdict.reason).toBe('');
    expect(verdict.results).toMatchObject([
      { name: 'request-success-rate', passed: true, thresholdRange: { min: 99 } },
      { name: 'request-duration', passed: true, thresholdRange: { max: 500 } },
    ]);
    expect(verdict.results[0]?.value).toBeCloseTo(100, 1);
    expect(verdict.results[1]?.value).toBeGreaterThan(95);
    expect(verdict.results[1]?.value).toBeLessThan(105);
  });

  it('fails a canary answering 20% 5xx, naming the success rate in the reason', async () => {
    const { namespace } = await simulate('an-errors', { route: { primary: 50, canary: 50 }, canary: { errorRate: 0.2 } });
    const rollout = rolloutWith([successRate, duration], { namespace });
    const verdict = await analyzeUntil(rollout, (v) => Math.abs((v.results[0]?.value ?? 0) - 80) < 2);
    expect(verdict.passed).toBe(false);
    expect(verdict.results[0]).toMatchObject({ passed: false, message: expect.stringMatching(/^request-success-rate (79|80|81)(\.\d+)? < 99 \(min\)$/) as unknown });
    expect(verdict.results[1]?.passed).toBe(true);
    expect(verdict.reason).toBe(verdict.results[0]?.message);
  });

  it('fails a canary 50% slower than primary on a relative gate that an absolute bound would pass', async () => {
    const { namespace } = await simulate('an-relative', {
      route: { primary: 50, canary: 50 },
      canary: { latencyMs: { p50: 30, p99: 150 } },
    });
    const metric: MetricSpec = { ...duration, compare: { baseline: 'primary', maxIncrease: '20%' } };
    const rollout = rolloutWith([metric], { namespace });
    const verdict = await analyzeUntil(rollout, (v) => Math.abs((v.results[0]?.value ?? 0) / (v.results[0]?.primaryValue ?? 1) - 1.5) < 0.05);
    const [result] = verdict.results;
    expect(result).toMatchObject({ passed: false, thresholdRange: { max: 500 } });
    expect(result?.value).toBeLessThan(500);
    expect(result?.primaryValue).toBeGreaterThan(95);
    expect(verdict.reason).toMatch(/^request-duration 1\d\d(\.\d+)? ms is (4[6-9]|5[0-4])% above primary \d+(\.\d+)? ms \(max \+20%\)$/);
  });

  it('fails with "no values found" when the canary receives no traffic', async () => {
    const { namespace } = await simulate('an-notraffic', { route: { primary: 100, canary: 0 } });
    const rollout = rolloutWith([successRate], { namespace });
    // The primary's series prove the scrape works; the canary's never appear.
    await pollQuery(env().prometheusUrl, requestRate(namespace, 'podinfo-primary', '5s'), (o) => o.kind === 'value' && o.value > 0);
    const verdict = await analyzer().analyze(rollout, analysisContextOf(rollout));
    expect(verdict).toMatchObject({
      passed: false,
      reason: 'no values found for request-success-rate: is the canary receiving traffic?',
    });
  });

  it('fails every check, without throwing, when Prometheus is unreachable', async () => {
    const port = await closedPort();
    const rollout = rolloutWith([successRate, duration], { namespace: 'shop' });
    const verdict = await new MetricAnalyzer({
      ...kubeMetricSources(clients),
      defaultAddress: `http://127.0.0.1:${port}`,
      now: () => new Date(),
    }).analyze(rollout, analysisContextOf(rollout));
    expect(verdict.passed).toBe(false);
    expect(verdict.results.map((r) => r.message)).toEqual([
      expect.stringMatching(new RegExp(`^request-success-rate not checked: http://127\\.0\\.0\\.1:${port} unreachable: .*ECONNREFUSED`)),
      expect.stringMatching(/^request-duration not checked: .* unreachable/),
    ]);
  });
});

describe('MetricAnalyzer judging canary against primary (spec.analysis.metrics[].judge), through the real Prometheus', () => {
  const services: SimulatedService[] = [];
  afterAll(async () => {
    for (const service of services.splice(0)) await service.stop();
  });

  /** A release that started 30 s ago: the judge reads its intervals from there. */
  const releasing = (metrics: MetricSpec[], namespace: string): Rollout => ({
    ...rolloutWith(metrics, { namespace }),
    status: { phase: 'Progressing', releaseStartTime: new Date(Date.now() - 30_000).toISOString() },
  });

  it("finds a canary with 30% errors worse than a primary with 1%, from a MetricTemplate's counts, and rolls it back by its conclusion", async () => {
    const service = await simulateService('an-judge', { route: { primary: 50, canary: 50 }, primary: { errorRate: 0.01 }, canary: { errorRate: 0.3 } });
    services.push(service);
    const workload = 'destination_workload_namespace="{{ namespace }}",destination_workload="{{ target }}"';
    const counts = [
      `label_replace(sum(increase(istio_requests_total{${workload}}[{{ interval }}])), "count", "requests", "", "")`,
      `or label_replace(sum(increase(istio_requests_total{${workload},response_code=~"5.."}[{{ interval }}])), "count", "errors", "", "")`,
    ].join(' ');
    const custom = kubeConfig().makeApiClient(CustomObjectsApi);
    await custom.createNamespacedCustomObject({ group: 'flowshift.io', version: 'v1alpha1', plural: 'metrictemplates', namespace: service.namespace, body: metricTemplate(service.namespace, 'error-counts', counts) });
    const judged: MetricSpec = { name: 'errors', interval: '2s', templateRef: { name: 'error-counts' }, judge: { test: 'errorRate', alpha: 0.01, margin: '20%' } };
    const verdict = await analyzeUntil(releasing([judged], service.namespace), (v) => v.results[0]?.conclusion === 'worse');
    expect(verdict.passed).toBe(false);
    const [result] = verdict.results;
    expect(result?.message).toMatch(/^errors: canary errors (2\d|3\d)(\.\d+)?% vs primary [0-2](\.\d+)?% \(\d+ of \d+ vs \d+ of \d+ requests\): worse than the primary by more than 20%, p(≤0\.\d+|<0\.0001)$/);
    expect(result?.eValue).toBeGreaterThanOrEqual(100);
    expect(result?.value).toBeGreaterThan(20);
    expect(result?.primaryValue).toBeLessThan(3);
  });

  it('fails a judged metric whose query yields a ratio instead of counts, saying what shape the judge reads', async () => {
    const service = await simulateService('an-judge-shape', { route: { primary: 50, canary: 50 } });
    services.push(service);
    const ratio: MetricSpec = { name: 'ratio', interval: '2s', query: 'sum(rate(istio_requests_total{destination_workload="{{ target }}"}[{{ interval }}]))', judge: { test: 'errorRate' } };
    // Before the first scrape there is no series at all, which reads as no requests yet.
    const verdict = await analyzeUntil(releasing([ratio], service.namespace), (v) => v.results[0]?.message.includes('a series without') === true);
    expect(verdict.passed).toBe(false);
    expect(verdict.results[0]?.message).toBe('ratio: canary: a series without count="requests" or count="errors" ({}): an errorRate query yields exactly those two');
  });
});

describe('MetricAnalyzer with MetricTemplates behind an authenticating proxy', () => {
  const tenant = 'tenant-a';
  let proxy: AuthProxy;
  let templates: string;
  let service: SimulatedService;

  beforeAll(async () => {
    proxy = await startAuthProxy(env().prometheusUrl, ['Bearer s3cret-token', `Basic ${Buffer.from('flowshift:pa55').toString('base64')}`], tenant);
    templates = await createNamespace('an-templates');
    service = await simulateService('an-tpl-app', { route: { primary: 50, canary: 50 }, canary: { errorRate: 0.1 } });
    const core = kubeConfig().makeApiClient(CoreV1Api);
    const custom = kubeConfig().makeApiClient(CustomObjectsApi);
    const secret = (name: string, data: Record<string, string>): Promise<unknown> =>
      core.createNamespacedSecret({ namespace: templates, body: { metadata: { name }, stringData: data } });
    await secret('prom-token', { token: 's3cret-token\n' });
    await secret('prom-wrong-token', { token: 'guess' });
    await secret('prom-basic', { username: 'flowshift', password: 'pa55' });
    const errorRate = 'sum(rate(istio_requests_total{destination_workload_namespace="{{ namespace }}",destination_workload="{{ target }}",response_code=~"{{ variables.codes }}"}[{{ interval }}])) / sum(rate(istio_requests_total{destination_workload_namespace="{{ namespace }}",destination_workload="{{ target }}"}[{{ interval }}])) * 100';
    for (const [name, secretName] of [['error-rate', 'prom-token'], ['error-rate-wrong', 'prom-wrong-token'], ['error-rate-basic', 'prom-basic']] as const) {
      // Shared from a namespace of their own, granted to the service's; their Secrets stay beside them.
      const body = granted(metricTemplate(templates, name, errorRate, { address: proxy.url, headers: { 'X-Scope-OrgID': tenant }, secretRef: { name: secretName } }), service.namespace);
      await custom.createNamespacedCustomObject({ group: 'flowshift.io', version: 'v1alpha1', plural: 'metrictemplates', namespace: templates, body });
    }
  });
  afterAll(async () => {
    await service.stop();
    await proxy.stop();
  });

  const fromTemplate = (name: string, max: number): MetricSpec => ({
    name: `errors-${name}`,
    interval: '5s',
    templateRef: { name, namespace: templates },
    templateVariables: { codes: '5..' },
    thresholdRange: { max },
  });

  it('reaches Prometheus with the bearer token from the Secret and the tenant header', async () => {
    const rollout = rolloutWith([fromTemplate('error-rate', 15)], { namespace: service.namespace });
    const forwardedBefore = proxy.counts.forwarded;
    const verdict = await analyzeUntil(rollout, (v) => Math.abs((v.results[0]?.value ?? 0) - 10) < 1);
    expect(verdict).toMatchObject({ passed: true, results: [{ name: 'errors-error-rate', passed: true }] });
    expect(proxy.counts.forwarded).toBeGreaterThan(forwardedBefore);
  });

  it('reaches Prometheus with basic auth from username and password', async () => {
    const rollout = rolloutWith([fromTemplate('error-rate-basic', 5)], { namespace: service.namespace });
    const verdict = await analyzeUntil(rollout, (v) => Math.abs((v.results[0]?.value ?? 0) - 10) < 1);
    expect(verdict.passed).toBe(false);
    expect(verdict.reason).toMatch(/^errors-error-rate-basic (9|10)(\.\d+)? > 5 \(max\)$/);
  });

  it('fails the check with the HTTP status when the proxy refuses the token', async () => {
    const rollout = rolloutWith([fromTemplate('error-rate-wrong', 15)], { namespace: service.namespace });
    const refusedBefore = proxy.counts.refused;
    const verdict = await analyzer().analyze(rollout, analysisContextOf(rollout));
    expect(verdict).toMatchObject({
      passed: false,
      reason: 'errors-error-rate-wrong query failed: http_error: HTTP 401 Unauthorized: unauthorized',
    });
    expect(proxy.counts.refused).toBe(refusedBefore + 1);
  });

  it('fails a metric whose MetricTemplate does not exist', async () => {
    const rollout = rolloutWith([fromTemplate('no-such-template', 1)], { namespace: service.namespace });
    const verdict = await analyzer().analyze(rollout, analysisContextOf(rollout));
    expect(verdict.reason).toBe(`errors-no-such-template not checked: MetricTemplate ${templates}/no-such-template not found`);
  });
});

/** A TCP port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const info = server.address();
  const port = typeof info === 'object' && info ? info.port : 0;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

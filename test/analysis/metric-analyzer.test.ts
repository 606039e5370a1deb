import { describe, expect, it } from 'vitest';
import type { MetricTemplate } from '../../src/api/types.gen.js';
import { analysisContextOf } from '../../src/analysis/metric-query.js';
import { MetricAnalyzer, type MetricAnalyzerDeps } from '../../src/analysis/metric-analyzer.js';
import { METRIC_PROVIDERS } from '../../src/metrics/providers/registry.js';
import type { PrometheusProviderOptions } from '../../src/metrics/providers/prometheus/provider.js';
import type { MetricsProvider, QueryOutcome } from '../../src/metrics/provider.js';
import { granted, metricTemplate, rolloutWith } from './fixtures.js';

// The analyzer's own logic (resolution, rendering, reason) with a provider
// that answers from a table. Prometheus itself is exercised in
// metric-analyzer.int.test.ts.
function analyzerWith(
  answers: (query: string) => QueryOutcome,
  extra: Partial<MetricAnalyzerDeps> & { templates?: MetricTemplate[]; secrets?: Record<string, Record<string, string>> } = {},
): { analyzer: MetricAnalyzer; queries: { query: string; options: PrometheusProviderOptions }[] } {
  const queries: { query: string; options: PrometheusProviderOptions }[] = [];
  const deps: MetricAnalyzerDeps = {
    readTemplate: (namespace, name) =>
      Promise.resolve(extra.templates?.find((t) => t.metadata.namespace === namespace && t.metadata.name === name)),
    readSecret: (namespace, name) => Promise.resolve(extra.secrets?.[`${namespace}/${name}`]),
    defaultAddress: 'http://prometheus:9090',
    now: () => new Date('2025-01-01T00:00:00Z'),
    providers: {
      prometheus: {
        ...METRIC_PROVIDERS.prometheus,
        create: (options): MetricsProvider => ({
          instantQuery: (query) => {
            queries.push({ query, options });
            return Promise.resolve(answers(query));
          },
          rangeQuery: () => Promise.reject(new Error('no range query in these tests')),
        }),
      },
    },
    ...extra,
  };
  return { analyzer: new MetricAnalyzer(deps), queries };
}

const value = (v: number): QueryOutcome => ({ kind: 'value', value: v });

describe('MetricAnalyzer (logic)', () => {
  it('passes when every metric passes, with results in spec order', async () => {
    const rollout = rolloutWith([
      { name: 'request-success-rate', thresholdRange: { min: 99 } },
      { name: 'request-duration', thresholdRange: { max: 500 } },
    ]);
    const { analyzer, queries } = analyzerWith((q) => (q.includes('histogram_quantile') ? value(120) : value(99.9)));
    const verdict = await analyzer.analyze(rollout, analysisContextOf(rollout));
    expect(verdict).toEqual({
      passed: true,
      reason: '',
      results: [
        expect.objectContaining({ name: 'request-success-rate', value: 99.9, passed: true }),
        expect.objectContaining({ name: 'request-duration', value: 120, passed: true, message: 'request-duration 120 ms <= 500 ms (max)' }),
      ],
    });
    expect(queries.map((q) => q.options.address)).toEqual(['http://prometheus:9090', 'http://prometheus:9090']);
    expect(queries[0]?.query).toContain('destination_workload="podinfo"');
    expect(queries[0]?.query).toContain('[1m]');
  });

  it('fails naming the metric and value in the reason', async () => {
    const rollout = rolloutWith([{ name: 'request-success-rate', thresholdRange: { min: 99 } }]);
    const { analyzer } = analyzerWith(() => value(91.2));
    const verdict = await analyzer.analyze(rollout, analysisContextOf(rollout));
    expect(verdict.passed).toBe(false);
    expect(verdict.reason).toBe('request-success-rate 91.2 < 99 (min)');
  });

  it('uses the metric interval, else the analysis interval', async () => {
    const rollout = rolloutWith(
      [
        { name: 'a', query: 'rate(x[{{ interval }}])' },
        { name: 'b', query: 'rate(y[{{ interval }}])', interval: '30s' },
      ],
      { interval: '2m' },
    );
    const { analyzer, queries } = analyzerWith(() => value(1));
    await analyzer.analyze(rollout, analysisContextOf(rollout));
    expect(queries.map((q) => q.query).sort()).toEqual(['rate(x[2m])', 'rate(y[30s])']);
  });

  it('runs a relative gate on the canary and on the primary', async () => {
    const rollout = rolloutWith([{ name: 'request-duration', compare: { baseline: 'primary', maxIncrease: '20%' } }]);
    const { analyzer, queries } = analyzerWith((q) => (q.includes('"podinfo-primary"') ? value(200) : value(300)));
    const verdict = await analyzer.analyze(rollout, analysisContextOf(rollout));
    expect(queries).toHaveLength(2);
    expect(verdict.results[0]).toMatchObject({ value: 300, primaryValue: 200, passed: false });
    expect(verdict.reason).toBe('request-duration 300 ms is 50% above primary 200 ms (max +20%)');
  });

  it('reads the template in the Rollout namespace by default, with its provider and Secret', async () => {
    const rollout = rolloutWith([{ name: 'errors', templateRef: { name: 'errors' }, templateVariables: { code: '503' }, thresholdRange: { max: 1 } }]);
    const template = metricTemplate('shop', 'errors', 'sum(rate(e{app="{{ target }}",code="{{ variables.code }}"}[{{ interval }}]))', {
      address: 'http://thanos:10902',
      headers: { 'X-Scope-OrgID': 'team-a' },
      secretRef: { name: 'thanos-auth' },
    });
    const { analyzer, queries } = analyzerWith(() => value(0.5), { templates: [template], secrets: { 'shop/thanos-auth': { token: 't0k' } } });
    const verdict = await analyzer.analyze(rollout, analysisContextOf(rollout));
    expect(verdict.passed).toBe(true);
    expect(queries).toEqual([
      {
        query: 'sum(rate(e{app="podinfo",code="503"}[1m]))',
        options: { address: 'http://thanos:10902', headers: { 'X-Scope-OrgID': 'team-a' }, auth: { kind: 'bearer', token: 't0k' } },
      },
    ]);
  });

  it('sends the canary and primary names of a shared template as literal regexes, not patterns', async () => {
    const rollout = rolloutWith([{ name: 'latency', templateRef: { name: 'latency' }, compare: { baseline: 'primary', maxIncrease: '20%' } }], {
      target: 'my.app',
    });
    const template = metricTemplate('shop', 'latency', 'max(x{namespace="{{ namespace }}",workload=~"{{ target }}"})');
    const { analyzer, queries } = analyzerWith(() => value(1), { templates: [template] });
    await analyzer.analyze(rollout, analysisContextOf(rollout));
    expect(queries.map((q) => q.query).sort()).toEqual([
      'max(x{namespace="shop",workload=~"my\\\\.app"})',
      'max(x{namespace="shop",workload=~"my\\\\.app-primary"})',
    ]);
  });

  it('fails, unqueried, a metric whose template is in another namespace that does not grant the Rollout\'s', async () => {
    const rollout = rolloutWith([
      { name: 'latency', templateRef: { name: 'latency', namespace: 'platform' }, thresholdRange: { max: 500 } },
      { name: 'request-success-rate', thresholdRange: { min: 99 } },
    ]);
    const template = metricTemplate('platform', 'latency', 'up', { secretRef: { name: 'prom-token' } });
    const secretsRead: string[] = [];
    const { analyzer, queries } = analyzerWith(() => value(100), {
      templates: [granted(template, 'other-team')],
      readSecret: (namespace, name) => {
        secretsRead.push(`${namespace}/${name}`);
        return Promise.resolve({ token: 't0k' });
      },
    });
    const verdict = await analyzer.analyze(rollout, analysisContextOf(rollout));
    expect(verdict.results.map((r) => [r.name, r.passed, r.message])).toEqual([
      [
        'latency',
        false,
        'latency not checked: spec.analysis.metrics[0].templateRef: MetricTemplate platform/latency is in another namespace and does not grant shop ' +
          '(its owner adds "shop" to spec.allowedNamespaces, or copy the template into shop)',
      ],
      ['request-success-rate', true, 'request-success-rate 100 >= 99 (min)'],
    ]);
    expect(queries.map((q) => q.query)).not.toContain('up');
    expect(secretsRead).toEqual([]);
  });

  it('reads the Secret of a template granted to the Rollout\'s namespace from the template\'s namespace, never the Rollout\'s', async () => {
    const rollout = rolloutWith([{ name: 'latency', templateRef: { name: 'latency', namespace: 'platform' }, thresholdRange: { max: 500 } }]);
    const template = metricTemplate('platform', 'latency', 'up', { secretRef: { name: 'prom-token' } });
    const secretsRead: string[] = [];
    const { analyzer, queries } = analyzerWith(() => value(100), {
      templates: [granted(template, 'shop')],
      readSecret: (namespace, name) => {
        secretsRead.push(`${namespace}/${name}`);
        return Promise.resolve(namespace === 'platform' ? { token: 'platform-token' } : { token: 'shop-token' });
      },
    });
    const verdict = await analyzer.analyze(rollout, analysisContextOf(rollout));
    expect(verdict.passed).toBe(true);
    expect(secretsRead).toEqual(['platform/prom-token']);
    expect(queries.map((q) => q.options.auth)).toEqual([{ kind: 'bearer', token: 'platform-token' }]);
  });

  it('fails a metric whose template, Secret or query is unusable, and still runs the others', async () => {
    const rollout = rolloutWith([
      { name: 'missing-template', templateRef: { name: 'nope', namespace: 'mon' } },
      { name: 'missing-secret', templateRef: { name: 'auth' } },
      { name: 'bad-query', query: 'sum(x' },
      { name: 'unknown-var', query: 'x{a="{{ variables.a }}"}' },
      { name: 'no-query' },
      { name: 'request-success-rate', thresholdRange: { min: 99 } },
    ]);
    const templates = [metricTemplate('shop', 'auth', 'up', { secretRef: { name: 'gone' } })];
    const { analyzer, queries } = analyzerWith(() => value(100), { templates });
    const verdict = await analyzer.analyze(rollout, analysisContextOf(rollout));
    expect(verdict.results.map((r) => [r.name, r.passed, r.message])).toEqual([
      ['missing-template', false, 'missing-template not checked: MetricTemplate mon/nope not found'],
      ['missing-secret', false, 'missing-secret not checked: Secret shop/gone (secretRef of MetricTemplate shop/auth) not found'],
      ['bad-query', false, 'bad-query query 1:6: invalid PromQL: unexpected end of query (rendered: sum(x)'],
      ['unknown-var', false, 'unknown-var query 1:6: unknown variable "variables.a" in query template: templateVariables is empty'],
      ['no-query', false, expect.stringContaining('metric "no-query" has no query') as unknown],
      ['request-success-rate', true, 'request-success-rate 100 >= 99 (min)'],
    ]);
    expect(queries).toHaveLength(1);
    expect(verdict.reason.split('; ')).toHaveLength(5);
  });

  it('fails a metric whose template names a provider type the registry lacks, listing the supported ones', async () => {
    const rollout = rolloutWith([{ name: 'errors', templateRef: { name: 'dd' }, thresholdRange: { max: 1 } }]);
    const template = metricTemplate('shop', 'dd', 'up');
    const datadog = { ...template, spec: { ...template.spec, provider: { type: 'datadog' } } } as unknown as MetricTemplate;
    const { analyzer, queries } = analyzerWith(() => value(0), { templates: [datadog] });
    const verdict = await analyzer.analyze(rollout, analysisContextOf(rollout));
    expect(verdict).toMatchObject({
      passed: false,
      reason: `errors not checked: MetricTemplate shop/dd: unknown provider type "datadog" (supported: ${Object.keys(METRIC_PROVIDERS).join(', ')})`,
    });
    expect(queries).toEqual([]);
  });

  it('turns an API error while reading a template into a failed check, never a throw', async () => {
    const rollout = rolloutWith([{ name: 't', templateRef: { name: 'x' } }]);
    const { analyzer } = analyzerWith(() => value(1), { readTemplate: () => Promise.reject(new Error('connection reset')) });
    const verdict = await analyzer.analyze(rollout, analysisContextOf(rollout));
    expect(verdict).toMatchObject({ passed: false, reason: 't not checked: connection reset' });
  });

  it('passes a Rollout without metrics', async () => {
    const rollout = rolloutWith([]);
    const { analyzer } = analyzerWith(() => value(1));
    expect(await analyzer.analyze(rollout, analysisContextOf(rollout))).toEqual({ passed: true, results: [], reason: '' });
  });
});

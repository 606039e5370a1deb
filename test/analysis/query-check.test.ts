import { describe, expect, it } from 'vitest';
import { checkRolloutQueries } from '../../src/analysis/query-check.js';
import { granted, metricTemplate, rolloutWith } from './fixtures.js';

describe('checkRolloutQueries', () => {
  it('finds nothing wrong with built-ins, a valid inline query and a valid template', () => {
    const rollout = rolloutWith([
      { name: 'request-success-rate', thresholdRange: { min: 99 } },
      { name: 'request-duration', thresholdRange: { max: 500 }, compare: { baseline: 'primary', maxIncrease: '20%' } },
      { name: 'errors', query: 'sum(rate(errors_total{app="{{ target }}"}[{{ interval }}]))', thresholdRange: { max: 1 } },
      { name: 'from-template', templateRef: { name: 'latency' }, templateVariables: { q: '0.9' } },
    ]);
    const templates = [metricTemplate('shop', 'latency', 'histogram_quantile({{ variables.q }}, sum(rate(x_bucket[1m])) by (le))')];
    expect(checkRolloutQueries(rollout, templates)).toEqual([]);
  });

  it('refuses a StatefulSet query or template that cannot tell the canary from the primary, and takes one that selects {{ versionService }}', () => {
    const base = rolloutWith([
      { name: 'request-success-rate', thresholdRange: { min: 99 } },
      { name: 'errors', query: 'sum(rate(errors_total{app="{{ target }}"}[{{ interval }}]))', thresholdRange: { max: 1 } },
      { name: 'from-template', templateRef: { name: 'latency' } },
      { name: 'by-service', query: 'sum(rate(istio_requests_total{destination_service_name="{{ versionService }}"}[{{ interval }}]))', thresholdRange: { max: 1 } },
    ]);
    const rollout = { ...base, spec: { ...base.spec, targetRef: { ...base.spec.targetRef, kind: 'StatefulSet' as const } } };
    const templates = [metricTemplate('shop', 'latency', 'histogram_quantile(0.9, sum(rate(x_bucket{pod=~"{{ target }}-.*"}[1m])) by (le))')];
    const problems = checkRolloutQueries(rollout, templates);
    expect(problems.map((p) => p.path)).toEqual(['spec.analysis.metrics[1].query', 'spec.analysis.metrics[2].templateRef']);
    expect(problems[0]?.message).toContain('does not use {{ versionService }}');
    expect(problems[1]?.message).toMatch(/MetricTemplate .*latency.* spec\.query does not use \{\{ versionService \}\}/);
    // The same queries on a Deployment target tell its two workloads apart by name.
    expect(checkRolloutQueries(base, templates)).toEqual([]);
  });

  it('reports a syntax error in an inline query with the field path and its position in the template', () => {
    const rollout = rolloutWith([
      { name: 'request-success-rate' },
      { name: 'request-duration' },
      { name: 'error-budget', query: 'sum(rate(my_errors{app="{{ target }}"}[{{ interval }}])', thresholdRange: { max: 1 } },
    ]);
    const problems = checkRolloutQueries(rollout);
    const query = rollout.spec.analysis?.metrics?.[2]?.query ?? '';
    expect(problems).toEqual([
      {
        path: 'spec.analysis.metrics[2].query',
        metric: 'error-budget',
        message: expect.stringMatching(/^1:56: invalid PromQL: unexpected end of query \(rendered: sum\(rate\(my_errors\{app="podinfo"\}\[1m\]\)\)$/) as unknown,
        position: { offset: query.length, line: 1, column: query.length + 1 },
      },
    ]);
  });

  it('points into the template, not the rendered text, when the error follows a placeholder', () => {
    const rollout = rolloutWith([{ name: 'm', query: 'up{app="{{ target }}",}} + 1' }]);
    const [problem] = checkRolloutQueries(rollout);
    expect(problem?.position?.offset).toBe('up{app="{{ target }}",}'.length);
  });

  it('reports an unknown variable with its name and position', () => {
    const rollout = rolloutWith([{ name: 'm', query: 'up{\n  job="{{ variables.job }}"}', templateVariables: { app: 'x' } }]);
    expect(checkRolloutQueries(rollout)).toEqual([
      {
        path: 'spec.analysis.metrics[0].query',
        metric: 'm',
        message: '2:8: unknown variable "variables.job" in query template: templateVariables has "app"',
        position: { offset: 11, line: 2, column: 8 },
      },
    ]);
  });

  it('refuses a name placed outside quotes, with its position and the way out', () => {
    const rollout = rolloutWith([{ name: 'm', query: 'sum by ({{ target }}) (x)' }]);
    expect(checkRolloutQueries(rollout)).toEqual([
      {
        path: 'spec.analysis.metrics[0].query',
        metric: 'm',
        message:
          '1:9: "{{ target }}" is outside quotes, where only a number or duration can go, and its value "podinfo" is neither: ' +
          'put the placeholder inside a label matcher\'s quotes, e.g. app="{{ target }}"',
        position: { offset: 8, line: 1, column: 9 },
      },
    ]);
  });

  it('names the MetricTemplate whose placeholder cannot be placed', () => {
    const rollout = rolloutWith([{ name: 'm', templateRef: { name: 'by-name', namespace: 'monitoring' } }]);
    const problems = checkRolloutQueries(rollout, [granted(metricTemplate('monitoring', 'by-name', '{{ target }}{a="b"}'), 'shop')]);
    expect(problems).toMatchObject([
      { path: 'spec.analysis.metrics[0].templateRef', message: expect.stringMatching(/^MetricTemplate monitoring\/by-name spec\.query 1:1: "\{\{ target \}\}" is outside quotes/) as unknown },
    ]);
  });

  it('reports a bad template query under templateRef, naming the template', () => {
    const rollout = rolloutWith([{ name: 'from-template', templateRef: { name: 'broken', namespace: 'monitoring' } }]);
    const problems = checkRolloutQueries(rollout, [granted(metricTemplate('monitoring', 'broken', 'rate(x[5m]'), '*')]);
    expect(problems).toMatchObject([
      { path: 'spec.analysis.metrics[0].templateRef', message: expect.stringMatching(/^MetricTemplate monitoring\/broken spec\.query 1:11: invalid PromQL/) as unknown },
    ]);
  });

  it('does not render the query of another namespace\'s template that does not grant the Rollout\'s namespace', () => {
    const rollout = rolloutWith([{ name: 'from-template', templateRef: { name: 'broken', namespace: 'monitoring' } }]);
    const broken = metricTemplate('monitoring', 'broken', 'rate(x[5m]');
    expect(checkRolloutQueries(rollout, [broken])).toEqual([]);
    expect(checkRolloutQueries(rollout, [granted(broken, 'other-team')])).toEqual([]);
    expect(checkRolloutQueries(rollout, [granted(broken, 'shop')])).toHaveLength(1);
  });

  it('skips a templateRef whose template it was not given', () => {
    expect(checkRolloutQueries(rolloutWith([{ name: 'x', templateRef: { name: 'unknown' } }]))).toEqual([]);
  });

  it('reports a metric without a query that is not a built-in', () => {
    expect(checkRolloutQueries(rolloutWith([{ name: 'error-rate', thresholdRange: { max: 1 } }]))).toEqual([
      {
        path: 'spec.analysis.metrics[0]',
        metric: 'error-rate',
        message: 'metric "error-rate" has no query: it is not a built-in (request-success-rate, request-duration, error-budget-burn) and sets neither query nor templateRef',
      },
    ]);
  });

  it('reports a compare bound the verdict could not parse', () => {
    const rollout = rolloutWith([{ name: 'request-duration', compare: { baseline: 'primary', maxIncrease: 'lots' } }]);
    expect(checkRolloutQueries(rollout)).toMatchObject([
      { path: 'spec.analysis.metrics[0].compare', message: expect.stringContaining('compare.maxIncrease "lots" is not a number') as unknown },
    ]);
  });

  it('accepts a Rollout without analysis', () => {
    const rollout = rolloutWith([]);
    delete rollout.spec.analysis;
    expect(checkRolloutQueries(rollout)).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { BUILTIN_METRICS, BuiltinMetric, builtinDefinition, builtinQuery, isBuiltinMetric } from '../../src/metrics/builtins.js';
import { renderQuery } from '../../src/metrics/render.js';
import { checkPromql } from '../../src/metrics/promql.js';

const vars = { namespace: 'shop', target: 'podinfo', service: 'podinfo', interval: '2m' };

function query(name: BuiltinMetric): string {
  const result = builtinQuery(name, vars);
  if (!result.ok) throw new Error(result.error.message);
  return result.query;
}

describe('built-in Istio metrics', () => {
  it('request-success-rate: % of non-5xx destination-reported requests of the workload over the interval', () => {
    const workload = 'reporter="destination",destination_workload_namespace="shop",destination_workload="podinfo"';
    expect(query(BuiltinMetric.RequestSuccessRate)).toBe(
      `(sum(rate(istio_requests_total{${workload},response_code!~"5.."}[2m])) or on() vector(0))` +
        ` / sum(rate(istio_requests_total{${workload}}[2m])) * 100`,
    );
  });

  it('request-duration: p99 latency in ms from the duration histogram', () => {
    expect(query(BuiltinMetric.RequestDuration)).toBe(
      'histogram_quantile(0.99, sum(rate(istio_request_duration_milliseconds_bucket{reporter="destination",' +
        'destination_workload_namespace="shop",destination_workload="podinfo"}[2m])) by (le))',
    );
  });

  it('renders for the primary workload when asked', () => {
    const result = builtinQuery(BuiltinMetric.RequestDuration, { ...vars, target: 'podinfo-primary' });
    expect(result.ok && result.query).toContain('destination_workload="podinfo-primary"');
  });

  it('select a StatefulSet\'s versions by their Service, judged or not: both are one workload to Istio', () => {
    for (const judged of [false, true]) {
      for (const name of Object.values(BuiltinMetric)) {
        const rendered = renderQuery(builtinDefinition(name, true, judged).query, { ...vars, versionService: 'podinfo-canary' });
        const text = rendered.ok ? rendered.query : rendered.error.message;
        expect(text).toContain('destination_service_name="podinfo-canary"');
        expect(text).not.toContain('destination_workload=');
        expect(checkPromql(text)).toBeNull();
      }
    }
  });

  it('are valid PromQL', () => {
    for (const name of Object.values(BuiltinMetric)) expect(checkPromql(query(name))).toBeNull();
  });

  it('carry a unit for messages: ms for request-duration, none for the success rate', () => {
    expect(BUILTIN_METRICS['request-duration'].unit).toBe('ms');
    expect(BUILTIN_METRICS['request-success-rate'].unit).toBe('');
  });

  it('are recognised by name only', () => {
    expect(isBuiltinMetric('request-success-rate')).toBe(true);
    expect(isBuiltinMetric('request-duration')).toBe(true);
    expect(isBuiltinMetric('error-budget')).toBe(false);
    expect(isBuiltinMetric('constructor')).toBe(false);
  });
});

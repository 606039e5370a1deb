import { describe, expect, it } from 'vitest';
import { BUILTIN_METRICS, BuiltinMetric, builtinQuery, isBuiltinMetric } from '../../src/metrics/builtins.js';
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

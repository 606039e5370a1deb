import { describe, expect, it } from 'vitest';
import { LatencyDistribution, defaultLatencyBuckets, standardNormalCdf } from '../../../devenv/sim/latency.js';
import { renderIstioMetrics, workloadIdentities } from '../../../devenv/sim/exposition.js';
import { TrafficModel } from '../../../devenv/sim/traffic-model.js';

function fakeClock(): { now: () => number; tick: (ms: number) => void } {
  let t = 1_000_000;
  return { now: () => t, tick: (ms) => (t += ms) };
}

/** histogram_quantile() as Prometheus computes it from cumulative buckets. */
function histogramQuantile(q: number, buckets: readonly number[], counts: readonly number[], total: number): number {
  const rank = q * total;
  for (let i = 0; i < buckets.length; i++) {
    const count = counts[i] ?? 0;
    if (count >= rank) {
      const lower = i === 0 ? 0 : buckets[i - 1]!;
      const below = i === 0 ? 0 : counts[i - 1]!;
      return lower + ((buckets[i]! - lower) * (rank - below)) / (count - below);
    }
  }
  return Infinity;
}

describe('LatencyDistribution', () => {
  it('has the configured median and p99', () => {
    const d = new LatencyDistribution({ p50: 20, p99: 100 });
    expect(d.cdf(20)).toBeCloseTo(0.5, 6);
    expect(d.cdf(100)).toBeCloseTo(0.99, 5);
    expect(d.cdf(0)).toBe(0);
    expect(d.cdf(Infinity)).toBe(1);
  });

  it('is a step when p50 equals p99', () => {
    const d = new LatencyDistribution({ p50: 50, p99: 50 });
    expect([d.cdf(49.9), d.cdf(50)]).toEqual([0, 1]);
    expect(d.mean()).toBe(50);
  });

  it('refuses impossible quantiles', () => {
    expect(() => new LatencyDistribution({ p50: 0, p99: 10 })).toThrow(RangeError);
    expect(() => new LatencyDistribution({ p50: 100, p99: 50 })).toThrow('p99');
  });

  it('computes the normal CDF closely', () => {
    expect(standardNormalCdf(0)).toBeCloseTo(0.5, 7);
    expect(standardNormalCdf(2.3263478740408408)).toBeCloseTo(0.99, 6);
    expect(standardNormalCdf(-1.959963984540054)).toBeCloseTo(0.025, 6);
  });

  it('gives histogram_quantile within 1% of p50 and p99 over the default buckets', () => {
    const buckets = defaultLatencyBuckets();
    for (const q of [{ p50: 20, p99: 100 }, { p50: 60, p99: 300 }, { p50: 100, p99: 150 }, { p50: 3, p99: 40 }]) {
      const d = new LatencyDistribution(q);
      const counts = buckets.map((le) => 1000 * d.cdf(le));
      expect(histogramQuantile(0.99, buckets, counts, 1000) / q.p99).toBeCloseTo(1, 1);
      expect(Math.abs(histogramQuantile(0.99, buckets, counts, 1000) / q.p99 - 1)).toBeLessThan(0.01);
      expect(Math.abs(histogramQuantile(0.5, buckets, counts, 1000) / q.p50 - 1)).toBeLessThan(0.01);
    }
  });
});

describe('TrafficModel', () => {
  it('counts the rate over elapsed time, split by weights', () => {
    const clock = fakeClock();
    const model = new TrafficModel({ requestsPerSecond: 100, now: clock.now });
    model.setSplit({ live: { primary: 0.8, canary: 0.2 }, mirrored: { primary: 0, canary: 0 } });
    clock.tick(10_000);
    expect(model.counts('primary').total).toBeCloseTo(800, 9);
    expect(model.counts('canary').total).toBeCloseTo(200, 9);
  });

  it('sends everything to the primary before any VirtualService is read', () => {
    const clock = fakeClock();
    const model = new TrafficModel({ requestsPerSecond: 10, now: clock.now });
    clock.tick(1000);
    expect([model.counts('primary').total, model.counts('canary').total]).toEqual([10, 0]);
  });

  it('adds mirrored copies to the mirror target on top of live traffic', () => {
    const clock = fakeClock();
    const model = new TrafficModel({ requestsPerSecond: 100, now: clock.now });
    model.setSplit({ live: { primary: 1, canary: 0 }, mirrored: { primary: 0, canary: 0.5 } });
    clock.tick(2000);
    expect(model.counts('primary').total).toBeCloseTo(200, 9);
    expect(model.counts('canary').total).toBeCloseTo(100, 9);
  });

  it('counts exact fractions of errors, not samples', () => {
    const clock = fakeClock();
    const model = new TrafficModel({ requestsPerSecond: 7, now: clock.now, canary: { errorRate: 0.2 } });
    model.setSplit({ live: { primary: 0, canary: 1 }, mirrored: { primary: 0, canary: 0 } });
    clock.tick(1500);
    const counts = model.counts('canary');
    expect(counts.errors).toBeCloseTo(2.1, 9);
    expect(counts.successes).toBeCloseTo(8.4, 9);
  });

  it('applies a change from the moment it is made', () => {
    const clock = fakeClock();
    const model = new TrafficModel({ requestsPerSecond: 10, now: clock.now });
    clock.tick(1000);
    model.setVersion('primary', { errorRate: 1 });
    model.setRate(20);
    clock.tick(1000);
    const counts = model.counts('primary');
    expect(counts.successes).toBeCloseTo(10, 9);
    expect(counts.errors).toBeCloseTo(20, 9);
  });

  it('merges a partial behaviour update and validates it', () => {
    const model = new TrafficModel({ canary: { latencyMs: { p50: 10, p99: 40 } } });
    model.setVersion('canary', { errorRate: 0.1 });
    expect(model.behaviour('canary')).toEqual({ errorRate: 0.1, latencyMs: { p50: 10, p99: 40 } });
    expect(() => model.setVersion('canary', { errorRate: 1.5 })).toThrow(RangeError);
    expect(() => model.setRate(-1)).toThrow(RangeError);
  });
});

describe('renderIstioMetrics', () => {
  it('exposes requests and the duration histogram with Istio labels, only for workloads that served requests', () => {
    const clock = fakeClock();
    const model = new TrafficModel({ requestsPerSecond: 10, now: clock.now, buckets: [10, 100], primary: { errorRate: 0.5 } });
    clock.tick(1000);
    const ids = workloadIdentities('shop', 'podinfo', 'podinfo');
    const text = renderIstioMetrics([
      { identity: ids.primary, counts: model.counts('primary') },
      { identity: ids.canary, counts: model.counts('canary') },
    ]);
    const labels = 'reporter="destination",destination_workload="podinfo-primary",destination_workload_namespace="shop",destination_service_name="podinfo-primary"';
    expect(text).toContain(`istio_requests_total{${labels},response_code="200"} 5\n`);
    expect(text).toContain(`istio_requests_total{${labels},response_code="500"} 5\n`);
    expect(text).toContain(`istio_request_duration_milliseconds_bucket{${labels},le="+Inf"} 10\n`);
    expect(text).toContain(`istio_request_duration_milliseconds_count{${labels}} 10\n`);
    expect(text).toMatch(/istio_request_duration_milliseconds_bucket\{[^}]*le="100"\} 9\.9\d*\n/);
    expect(text).not.toContain('destination_workload="podinfo"');
    expect(text).toContain('# TYPE istio_request_duration_milliseconds histogram');
  });
});

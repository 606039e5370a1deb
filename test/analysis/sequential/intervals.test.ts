import { describe, expect, it } from 'vitest';
import { errorCountsOf, latencyBucketsOf } from '../../../src/analysis/sequential/intervals.js';
import type { RangeSeries } from '../../../src/metrics/provider.js';

const series = (labels: Record<string, string>, points: [number, number][]): RangeSeries => ({ labels, points });

describe('errorCountsOf: the judge\'s errorRate query, per interval', () => {
  it('pairs each interval of both versions, rounding extrapolated counts and reading a missing errors series as none', () => {
    const canary = [series({ count: 'requests' }, [[60, 99.6], [120, 200.2]]), series({ count: 'errors' }, [[120, 3.4]])];
    const primary = [series({ count: 'requests' }, [[60, 900], [120, 1800.5]]), series({ count: 'errors' }, [[60, 9.2], [120, 18]])];
    expect(errorCountsOf(canary, primary)).toEqual({
      ok: true,
      intervals: [
        { canary: { requests: 100, errors: 0 }, primary: { requests: 900, errors: 9 } },
        { canary: { requests: 200, errors: 3 }, primary: { requests: 1801, errors: 18 } },
      ],
    });
  });

  it('caps errors at the requests of the interval and skips samples that are not finite', () => {
    const canary = [series({ count: 'requests' }, [[60, 10], [120, Number.NaN]]), series({ count: 'errors' }, [[60, 10.4], [120, 2]])];
    const parsed = errorCountsOf(canary, []);
    expect(parsed).toEqual({ ok: true, intervals: [
      { canary: { requests: 10, errors: 10 }, primary: { requests: 0, errors: 0 } },
      { canary: { requests: 0, errors: 0 }, primary: { requests: 0, errors: 0 } },
    ] });
  });

  it('refuses a series without the count label, naming the version and the shape expected', () => {
    const parsed = errorCountsOf([], [series({ code: '500' }, [[60, 1]])]);
    expect(parsed).toEqual({ ok: false, message: 'primary: a series without count="requests" or count="errors" ({"code":"500"}): an errorRate query yields exactly those two' });
  });
});

describe('latencyBucketsOf: the judge\'s latency query, per interval', () => {
  const buckets = (counts: [string, number][], t = 60): RangeSeries[] => counts.map(([le, v]) => series({ le }, [[t, v]]));

  it('orders bounds, keeps those both versions have, and makes the counts cumulative and whole', () => {
    const canary = buckets([['+Inf', 10], ['50', 8.6], ['10', 9.2], ['25', 5]]);
    const primary = buckets([['10', 50], ['50', 80], ['+Inf', 100]]);
    expect(latencyBucketsOf(canary, primary)).toEqual({ ok: true, intervals: [{ bounds: [10, 50, Infinity], canary: [9, 9, 10], primary: [50, 80, 100] }] });
  });

  it('leaves out an interval one version has no buckets for, or without the +Inf bucket', () => {
    const canary = [...buckets([['10', 1], ['+Inf', 2]], 60), ...buckets([['10', 1]], 120)];
    const primary = [...buckets([['10', 1], ['+Inf', 2]], 120)];
    expect(latencyBucketsOf(canary, primary)).toEqual({ ok: true, intervals: [] });
  });

  it('refuses a series without a numeric le, naming the shape expected', () => {
    const parsed = latencyBucketsOf(buckets([['fast', 1]]), []);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.message).toMatch(/^canary: a series without a numeric le label \({"le":"fast"}\): a latency query yields histogram buckets/);
  });
});

import { describe, expect, it } from 'vitest';
import { histogramQuantile, percentile, shareAtMost } from '../../bench/stats.js';

describe('percentile', () => {
  it('takes the nearest rank of the sorted samples', () => {
    const samples = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
    expect(percentile(samples, 50)).toBe(5);
    expect(percentile(samples, 99)).toBe(10);
    expect(percentile(samples, 100)).toBe(10);
    expect(percentile(samples, 0)).toBe(1);
  });

  it('is 0 for no samples', () => {
    expect(percentile([], 99)).toBe(0);
  });

  it('leaves the samples unsorted', () => {
    const samples = [3, 1, 2];
    percentile(samples, 50);
    expect(samples).toEqual([3, 1, 2]);
  });
});

describe('histogramQuantile', () => {
  const buckets = [
    { le: 0.1, count: 50 },
    { le: 0.25, count: 90 },
    { le: 0.5, count: 100 },
    { le: Infinity, count: 100 },
  ];

  it('interpolates linearly inside the bucket the rank falls in, as Prometheus does', () => {
    expect(histogramQuantile(buckets, 0.5)).toBeCloseTo(0.1);
    expect(histogramQuantile(buckets, 0.7)).toBeCloseTo(0.175);
    expect(histogramQuantile(buckets, 0.99)).toBeCloseTo(0.475);
  });

  it('answers the highest finite bound when the rank falls in the +Inf bucket', () => {
    expect(histogramQuantile([{ le: 1, count: 1 }, { le: Infinity, count: 10 }], 0.99)).toBe(1);
  });

  it('is 0 for no observations', () => {
    expect(histogramQuantile([{ le: 1, count: 0 }, { le: Infinity, count: 0 }], 0.99)).toBe(0);
  });
});

describe('shareAtMost', () => {
  it('is the share of observations in the buckets up to a bound', () => {
    expect(shareAtMost([{ le: 0.25, count: 99 }, { le: Infinity, count: 100 }], 0.25)).toBe(0.99);
  });

  it('is 0 when every observation lies above the bound', () => {
    expect(shareAtMost([{ le: 0.25, count: 0 }, { le: 10, count: 7 }, { le: Infinity, count: 7 }], 0.25)).toBe(0);
  });

  it('is undefined for a bound that is no bucket bound', () => {
    expect(shareAtMost([{ le: 0.5, count: 1 }], 0.25)).toBeUndefined();
  });
});

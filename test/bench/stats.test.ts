import { describe, expect, it } from 'vitest';
import { histogramQuantile, mappingRssKb, memoryParts, percentile, shareAtMost } from '../../bench/stats.js';

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

describe('memoryParts', () => {
  it('adds up the resident kB of the mappings asked for, from a smaps text', () => {
    const smaps = [
      '55d0c0000000-55d0c4000000 rw-p 00000000 00:00 0                          [heap]',
      'Size:              65536 kB',
      'Rss:               40960 kB',
      '7f0000000000-7f0000100000 r-xp 00000000 08:01 123                        /usr/bin/node',
      'Rss:                1024 kB',
      '7f0000200000-7f0000300000 rw-p 00000000 00:00 0 ',
      'Rss:                 512 kB',
      'LazyFree:            128 kB',
      '7f0000400000-7f0000500000 r--p 00000000 08:01 456                        /usr/lib/libc.so.6',
      'Rss:                 256 kB',
    ].join('\n');
    expect(mappingRssKb(smaps, (name) => name === '[heap]')).toBe(40960);
    expect(mappingRssKb(smaps, (name) => name.startsWith('/'))).toBe(1280);
    expect(mappingRssKb(smaps, (name) => name === '')).toBe(512);
    // Pages freed with MADV_FREE, resident until the kernel needs them: another field of the same mappings.
    expect(mappingRssKb(smaps, () => true, 'LazyFree')).toBe(128);
  });

  it("reads V8's heap and external memory from prom-client's default metrics, and this process's mappings", () => {
    const metrics = ['# HELP nodejs_heap_size_total_bytes Process heap size from Node.js in bytes.', 'nodejs_heap_size_total_bytes 209715200', 'nodejs_heap_size_used_bytes 104857600', 'nodejs_external_memory_bytes 10485760'].join('\n');
    const parts = memoryParts(process.pid, metrics);
    expect(parts).toMatchObject({ heapUsed: 100, heapCommitted: 200, external: 10 });
    expect(parts?.files).toBeGreaterThan(0);
    expect(parts?.anonymous).toBeGreaterThan(0);
    expect(memoryParts(process.pid, 'nodejs_heap_size_used_bytes 1')).toBeUndefined();
  });
});

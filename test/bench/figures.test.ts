import { describe, expect, it } from 'vitest';
import { latencyRow, rssRow } from '../../bench/figures.js';
import { parseLog } from '../../bench/measure.js';

describe('latencyRow', () => {
  const buckets = [
    { le: 0.1, count: 980 },
    { le: 0.25, count: 995 },
    { le: 0.5, count: 1000 },
    { le: Infinity, count: 1000 },
  ];

  it('judges p99 from the histogram by the share of observations up to the target bound', () => {
    const row = latencyRow('tick lag', [], buckets, 250);
    expect(row.pass).toBe(true);
    expect(row.target).toBe('p99 < 250 ms');
    expect(row.measured).toContain('(n=1000, histogram); ≤ 250 ms: 99.5%');
  });

  it('misses when more than 1% of the observations lie above the target bound', () => {
    const late = [{ le: 0.25, count: 980 }, { le: 0.5, count: 1000 }, { le: Infinity, count: 1000 }];
    expect(latencyRow('tick lag', [], late, 250).pass).toBe(false);
  });

  it('prefers the exact samples of the debug log when there are some', () => {
    const row = latencyRow('tick lag', [10, 20, 300], buckets, 250);
    expect(row.measured).toBe('p50 20 ms, p99 300 ms (n=3, debug log)');
    expect(row.pass).toBe(false);
  });

  it('misses when every tick was later than the target', () => {
    const row = latencyRow('tick lag', [], [{ le: 0.25, count: 0 }, { le: 5, count: 0 }, { le: 10, count: 900 }, { le: Infinity, count: 1000 }], 250);
    expect(row.pass).toBe(false);
    expect(row.measured).toContain('≤ 250 ms: 0.0%');
  });

  it('leaves the mark open and says why when the histogram has no bucket at the target', () => {
    const row = latencyRow('tick lag', [], [{ le: 0.5, count: 1 }, { le: Infinity, count: 1 }], 250);
    expect(row.pass).toBeUndefined();
    expect(row.measured).toContain('no 250 ms bound: use --debug-log');
  });

  it('does not pass a run without a single observation', () => {
    expect(latencyRow('tick lag', [], [{ le: 0.25, count: 0 }, { le: Infinity, count: 0 }], 250).pass).toBe(false);
  });
});

describe('rssRow', () => {
  it('reports one Rollout after the release, holds 200 to 110 MB at peak, one controller above to under 200 MB, each of several replicas to 250 MB', () => {
    expect(rssRow(1, [{ max: 120, last: 75 }])).toEqual({ figure: 'controller RSS after the release', measured: '75 MB (peak 120 MB)' });
    expect(rssRow(200, [{ max: 111, last: 90 }])).toMatchObject({ target: '≤ 110 MB', pass: false });
    expect(rssRow(1000, [{ max: 201, last: 90 }])).toMatchObject({ target: '< 200 MB', pass: false });
    expect(rssRow(1000, [{ max: 150, last: 90 }, { max: 249, last: 100 }])).toMatchObject({ figure: 'controller peak RSS, highest replica', measured: '249 MB (each, in start order: 150, 249 MB)', target: '≤ 250 MB', pass: true });
  });
});

describe('parseLog', () => {
  it('takes tick lag and duration from debug lines and rollback times from info lines', () => {
    const lines = [
      '{"level":20,"rollout":"bench/app-000","tick":{"lagMs":12,"durationMs":30,"outcome":"done"},"msg":"tick"}',
      '{"level":30,"rollbackMs":41,"reason":"failed","msg":"routes to the primary rewritten"}',
      '{"level":30,"msg":"controller started"}',
    ];
    expect(parseLog(lines)).toEqual({ logLagMs: [12], logDurationMs: [30], rollbackMs: [41] });
  });
});

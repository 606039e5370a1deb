import { describe, expect, it } from 'vitest';
import { outcomeAt, readAt } from '../../src/analysis/metric-reading.js';
import { QueryOutcomeKind, type RangeOutcome } from '../../src/metrics/provider.js';

const range = (...series: [Record<string, string>, [number, number][]][]): RangeOutcome => ({ kind: 'series', series: series.map(([labels, points]) => ({ labels, points })) });

describe('outcomeAt: one step of a range query read as the instant query at that time', () => {
  it('is the value of the one series with a point there, or no data without one', () => {
    const r = range([{}, [[60, 99.5], [180, 98]]]);
    expect(outcomeAt(r, 60)).toEqual({ kind: QueryOutcomeKind.Value, value: 99.5 });
    expect(outcomeAt(r, 120)).toEqual({ kind: QueryOutcomeKind.NoData });
  });

  it('reports several series and values that are not finite as the provider does', () => {
    expect(outcomeAt(range([{ pod: 'a' }, [[60, 1]]], [{ pod: 'b' }, [[60, 2]]]), 60)).toEqual({ kind: QueryOutcomeKind.MultipleSeries, count: 2, series: [{ pod: 'a' }, { pod: 'b' }] });
    expect(outcomeAt(range([{}, [[60, Number.NaN]]]), 60)).toEqual({ kind: QueryOutcomeKind.NotFinite, value: Number.NaN });
  });

  it('passes a failed query on as it is', () => {
    const failed = { kind: QueryOutcomeKind.Timeout, message: 'slow' } as const;
    expect(outcomeAt(failed, 60)).toBe(failed);
  });
});

describe('readAt: what a check of a replayed release would have read', () => {
  const counts = range([{ count: 'requests' }, [[60, 10], [120, 20], [180, 30]]]);

  it('gives a judged or error-budget metric only the release\'s own intervals, up to the check', () => {
    expect(readAt({ canary: counts, primary: counts }, 'intervals', 180, 60, 60)).toEqual({
      kind: 'intervals',
      canary: range([{ count: 'requests' }, [[120, 20], [180, 30]]]),
      primary: range([{ count: 'requests' }, [[120, 20], [180, 30]]]),
      stepSeconds: 60,
    });
  });

  it('gives an instant metric the value at the check', () => {
    expect(readAt({ canary: counts }, 'instant', 120, 0, 60)).toEqual({ kind: 'instant', canary: { kind: 'value', value: 20 }, primary: undefined });
  });
});

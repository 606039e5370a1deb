import { describe, expect, it } from 'vitest';
import { parseQueryData, parseSampleValue } from '../../../../src/metrics/providers/prometheus/response.js';

describe('parseSampleValue', () => {
  it('reads Prometheus spellings of special values, which parseFloat gets wrong for +Inf', () => {
    expect(parseSampleValue('+Inf')).toBe(Infinity);
    expect(parseSampleValue('-Inf')).toBe(-Infinity);
    expect(parseSampleValue('NaN')).toBeNaN();
    expect(parseSampleValue('0.25')).toBe(0.25);
    expect(parseSampleValue('1e3')).toBe(1000);
  });

  it('refuses what is not a sample value', () => {
    expect(parseSampleValue('')).toBeUndefined();
    expect(parseSampleValue('abc')).toBeUndefined();
    expect(parseSampleValue(3)).toBeUndefined();
  });
});

describe('parseQueryData', () => {
  const vector = (...values: string[]): unknown => ({
    resultType: 'vector',
    result: values.map((v, i) => ({ metric: { pod: `p${i}` }, value: [1700000000, v] })),
  });

  it('turns each shape of result into its outcome', () => {
    expect(parseQueryData(vector('99.5'))).toEqual({ kind: 'value', value: 99.5 });
    expect(parseQueryData(vector())).toEqual({ kind: 'no-data' });
    expect(parseQueryData(vector('+Inf'))).toEqual({ kind: 'not-finite', value: Infinity });
    expect(parseQueryData({ resultType: 'scalar', result: [1700000000, 'NaN'] })).toEqual({ kind: 'not-finite', value: NaN });
    expect(parseQueryData({ resultType: 'scalar', result: [1700000000, '2'] })).toEqual({ kind: 'value', value: 2 });
    expect(parseQueryData(vector('1', '2', '3', '4'))).toEqual({
      kind: 'multiple-series',
      count: 4,
      series: [{ pod: 'p0' }, { pod: 'p1' }, { pod: 'p2' }],
    });
  });

  it('reports results it cannot judge as unexpected responses', () => {
    expect(parseQueryData({ resultType: 'matrix', result: [] })).toMatchObject({ kind: 'query-error', errorType: 'unexpected_response' });
    expect(parseQueryData({ resultType: 'string', result: [0, 'x'] })).toMatchObject({ kind: 'query-error' });
    expect(parseQueryData(undefined)).toMatchObject({ kind: 'query-error' });
    expect(parseQueryData({ resultType: 'vector', result: [{ metric: {}, histogram: [0, {}] }] })).toMatchObject({
      kind: 'query-error',
      message: expect.stringContaining('native histogram') as unknown,
    });
  });
});

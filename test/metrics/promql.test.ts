import { describe, expect, it } from 'vitest';
import { checkPromql, positionOf } from '../../src/metrics/promql.js';

describe('checkPromql', () => {
  it.each([
    'up',
    'sum(rate(http_requests_total{code!~"5.."}[1m])) / sum(rate(http_requests_total[1m]))',
    'histogram_quantile(0.99, sum(rate(x_bucket[5m])) by (le))',
    'sum by (le) (rate(x_bucket[5m]))',
    '1/0',
    'vector(1) or on() vector(0)',
  ])('accepts %s', (query) => {
    expect(checkPromql(query)).toBeNull();
  });

  it('reports a missing closing parenthesis at the end of the query', () => {
    expect(checkPromql('sum(rate(up[1m])')).toEqual({ position: { offset: 16, line: 1, column: 17 }, message: 'unexpected end of query' });
  });

  it('reports a label matcher without a value at the closing brace', () => {
    expect(checkPromql('up{job=}')).toEqual({ position: { offset: 7, line: 1, column: 8 }, message: 'unexpected "}"' });
  });

  it('reports an unexpected word', () => {
    expect(checkPromql('up foo')).toEqual({ position: { offset: 3, line: 1, column: 4 }, message: 'unexpected "foo"' });
  });

  it('reports a bad duration', () => {
    const error = checkPromql('rate(up[5x])');
    expect(error).toEqual({ position: { offset: 9, line: 1, column: 10 }, message: 'unexpected "x"' });
  });

  it('gives line and column on a multi-line query', () => {
    const error = checkPromql('sum(\n  rate(up[1m])\n) by (job');
    expect(error?.position).toEqual({ offset: 29, line: 3, column: 10 });
    expect(error?.message).toBe('unexpected end of query');
  });

  it('rejects an empty query', () => {
    expect(checkPromql('  ')?.message).toBe('empty query');
  });
});

describe('positionOf', () => {
  it('counts lines and columns from 1', () => {
    expect(positionOf('ab\ncd', 0)).toEqual({ offset: 0, line: 1, column: 1 });
    expect(positionOf('ab\ncd', 4)).toEqual({ offset: 4, line: 2, column: 2 });
  });
});

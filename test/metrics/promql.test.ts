import { describe, expect, it } from 'vitest';
import { checkPromql, contextsAt, isNumberLiteral, positionOf } from '../../src/metrics/promql.js';

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

describe('contextsAt', () => {
  const at = (query: string, marker: string): ReturnType<typeof contextsAt>[number] | undefined => contextsAt(query, [query.indexOf(marker)])[0];

  it('tells a plain string, a regex matcher\'s string and its quote', () => {
    expect(at('x{a="HERE"}', 'HERE')).toEqual({ kind: 'string', quote: '"', regex: false });
    expect(at('x{a!="HERE"}', 'HERE')).toEqual({ kind: 'string', quote: '"', regex: false });
    expect(at("x{a=~'HERE'}", 'HERE')).toEqual({ kind: 'string', quote: "'", regex: true });
    expect(at('x{a!~`HERE`}', 'HERE')).toEqual({ kind: 'string', quote: '`', regex: true });
    expect(at('{"HERE"=~"a"}', 'HERE')).toEqual({ kind: 'string', quote: '"', regex: false });
    expect(at('{"a"=~"HERE"}', 'HERE')).toEqual({ kind: 'string', quote: '"', regex: true });
  });

  it('reads only label_replace\'s fifth argument as a regex', () => {
    const query = 'label_replace(x, "A", "B", "C", "D")';
    expect(['A', 'B', 'C', 'D'].map((marker) => at(query, marker))).toEqual([
      { kind: 'string', quote: '"', regex: false },
      { kind: 'string', quote: '"', regex: false },
      { kind: 'string', quote: '"', regex: false },
      { kind: 'string', quote: '"', regex: true },
    ]);
    expect(at('count_values("D", x)', 'D')).toEqual({ kind: 'string', quote: '"', regex: false });
  });

  it('tells a comment and bare PromQL', () => {
    expect(at('x # HERE', 'HERE')).toEqual({ kind: 'comment' });
    expect(at('rate(x[HERE])', 'HERE')).toEqual({ kind: 'bare' });
    expect(at('sum by (HERE) (x)', 'HERE')).toEqual({ kind: 'bare' });
  });

  it('still finds strings in a query with a syntax error elsewhere', () => {
    expect(at('sum(rate(x{a=~"HERE"}[1m])', 'HERE')).toEqual({ kind: 'string', quote: '"', regex: true });
  });
});

describe('isNumberLiteral', () => {
  it.each(['1', '0.99', '30s', '1m30s', '1h', '5ms', '1e3'])('accepts %s', (text) => {
    expect(isNumberLiteral(text)).toBe(true);
  });

  it.each(['', 'podinfo', '-1m', '+1', 'Inf', '1.5m', '1m ', '1m # x', '1m]', '1 or vector(1)'])('refuses %j', (text) => {
    expect(isNumberLiteral(text)).toBe(false);
  });
});

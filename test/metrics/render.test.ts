import { describe, expect, it } from 'vitest';
import { renderQuery, templateOffset, type QueryVariables } from '../../src/metrics/render.js';

const vars: QueryVariables = {
  namespace: 'shop',
  target: 'podinfo',
  service: 'podinfo-svc',
  interval: '30s',
  variables: { region: 'eu-west-1', 'max-errors': '5' },
};

function rendered(template: string, v: QueryVariables = vars): string {
  const result = renderQuery(template, v);
  if (!result.ok) throw new Error(result.error.message);
  return result.query;
}

describe('renderQuery', () => {
  it('fills in every variable', () => {
    expect(rendered('x{a="{{ namespace }}",b="{{ target }}",c="{{ service }}",d="{{ variables.region }}"}[{{ interval }}] > {{ variables.max-errors }}')).toBe(
      'x{a="shop",b="podinfo",c="podinfo-svc",d="eu-west-1"}[30s] > 5',
    );
  });

  it('accepts placeholders with and without spaces inside the braces', () => {
    expect(rendered('x{a="{{target}} {{ target }} {{  target}} {{target   }}"}')).toBe('x{a="podinfo podinfo podinfo podinfo"}');
  });

  it('renders a realistic query and leaves PromQL braces alone', () => {
    expect(rendered('sum(rate(http_requests_total{namespace="{{ namespace }}",app="{{ target }}"}[{{ interval }}]))')).toBe(
      'sum(rate(http_requests_total{namespace="shop",app="podinfo"}[30s]))',
    );
  });

  it('leaves a template without placeholders unchanged', () => {
    expect(rendered('vector(1)')).toBe('vector(1)');
  });

  it('names an unknown variable in the error, with its offset', () => {
    const result = renderQuery('up{job="{{ job }}"}', vars);
    expect(result).toEqual({
      ok: false,
      error: expect.objectContaining({ variable: 'job', offset: 8, message: expect.stringContaining('unknown variable "job"') as unknown }) as unknown,
    });
  });

  it('names a templateVariables key that is missing, and lists the keys there are', () => {
    const result = renderQuery('up{region="{{ variables.zone }}"}', vars);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.variable).toBe('variables.zone');
    expect(result.error.message).toBe('unknown variable "variables.zone" in query template: templateVariables has "region", "max-errors"');
  });

  it('says templateVariables is empty when a metric has none', () => {
    const result = renderQuery('{{ variables.x }}', { ...vars, variables: {} });
    expect(!result.ok && result.error.message).toContain('templateVariables is empty');
  });

  it('does not read inherited properties as variables', () => {
    const result = renderQuery('{{ variables.toString }}', vars);
    expect(result.ok).toBe(false);
  });

  it('rejects an empty placeholder and an unclosed one', () => {
    expect(renderQuery('up{{ }}', vars)).toMatchObject({ ok: false, error: { offset: 2, message: 'empty "{{ }}" in query template' } });
    expect(renderQuery('up{a="{{ target"}', vars)).toMatchObject({ ok: false, error: { offset: 6, message: 'unclosed "{{" in query template' } });
  });
});

describe('templateOffset', () => {
  it('maps offsets in the rendered query back to the template', () => {
    const template = 'rate(x{app="{{ target }}"}[{{ interval }}]) +';
    const result = renderQuery(template, vars);
    if (!result.ok) throw new Error('render failed');
    const q = result.query; // rate(x{app="podinfo"}[30s]) +
    expect(templateOffset(result.segments, q.indexOf('podinfo') + 3)).toBe(template.indexOf('{{ target }}'));
    expect(templateOffset(result.segments, q.indexOf(')'))).toBe(template.indexOf(')'));
    expect(templateOffset(result.segments, q.length)).toBe(template.length);
  });
});

import { parser } from '@prometheus-io/lezer-promql';
import { describe, expect, it } from 'vitest';
import { BuiltinMetric, builtinQuery } from '../../src/metrics/builtins.js';
import { checkPromql } from '../../src/metrics/promql.js';
import { renderQuery, type QueryVariables, type RenderResult } from '../../src/metrics/render.js';

const plain: QueryVariables = { namespace: 'shop', target: 'podinfo', service: 'podinfo', interval: '1m', variables: { codes: '5..' } };

/** Names a Rollout author could give its namespace, Deployment or Service to reach other teams' series. */
const HOSTILE = [
  'x"} or vector(1) or {a="',
  '.*',
  'a|b',
  'back\\slash\\',
  '\\"} or vector(1) #',
  'new\nline',
  'cr\rreturn',
  "it's",
  '(?s).+',
  '^[a-z]+$',
];

function rendered(result: RenderResult): string {
  if (!result.ok) throw new Error(result.error.message);
  return result.query;
}

function render(template: string, vars: Partial<QueryVariables> = {}): string {
  return rendered(renderQuery(template, { ...plain, ...vars }));
}

/** The names of a query's syntax nodes in order: what the query is, whatever its strings hold. */
function shape(query: string): string[] {
  const names: string[] = [];
  parser.parse(query).iterate({
    enter: (node) => {
      names.push(node.name);
    },
  });
  return names;
}

interface Matcher {
  readonly label: string;
  readonly op: string;
  /** The string's value as Prometheus reads it (our escapes are all JSON's). */
  readonly value: string;
}

/** Every label matcher of a query, read by Prometheus' grammar. */
function matchers(query: string): Matcher[] {
  const found: Matcher[] = [];
  const text = (from = 0, to = 0): string => query.slice(from, to);
  parser.parse(query).iterate({
    enter: (ref) => {
      if (ref.name !== 'UnquotedLabelMatcher') return;
      const [label, op, value] = ['LabelName', 'MatchOp', 'StringLiteral'].map((name) => ref.node.getChild(name));
      found.push({ label: text(label?.from, label?.to), op: text(op?.from, op?.to), value: JSON.parse(text(value?.from, value?.to)) as string });
    },
  });
  return found;
}

/** Whether a matcher value, read as Prometheus reads a regex (anchored), matches a label value. */
function regexMatches(pattern: string, labelValue: string): boolean {
  return new RegExp(`^(?:${pattern})$`, 's').test(labelValue);
}

describe('renderQuery escapes each value for the place it is inserted', () => {
  const template = 'sum(rate(http_requests_total{namespace="{{ namespace }}",workload="{{ target }}",service=~"{{ service }}"}[{{ interval }}]))';

  it.each(HOSTILE)('a hostile name %j selects only itself, in = and =~ matchers', (name) => {
    const query = render(template, { namespace: name, target: name, service: name });
    expect(checkPromql(query)).toBeNull();
    expect(shape(query)).toEqual(shape(render(template)));
    const [namespace, workload, service] = matchers(query);
    expect(namespace).toEqual({ label: 'namespace', op: '=', value: name });
    expect(workload).toEqual({ label: 'workload', op: '=', value: name });
    expect(service?.op).toBe('=~');
    expect(regexMatches(service?.value ?? '', name)).toBe(true);
    for (const other of ['', 'a', 'b', 'other-team', 'x', name + name]) expect(regexMatches(service?.value ?? '', other)).toBe(false);
  });

  it('renders plain names exactly as written', () => {
    expect(render(template)).toBe('sum(rate(http_requests_total{namespace="shop",workload="podinfo",service=~"podinfo"}[1m]))');
  });

  it('escapes a regex matcher name the way Go\'s regexp.QuoteMeta does, doubled inside the PromQL string', () => {
    expect(render('x{w=~"{{ target }}"}', { target: 'a.b|c\\d' })).toBe('x{w=~"a\\\\.b\\\\|c\\\\\\\\d"}');
    expect(render('x{w!~"{{ target }}"}', { target: 'podinfo-primary' })).toBe('x{w!~"podinfo-primary"}');
  });

  it('keeps the built-in metrics to the literal workload', () => {
    for (const name of Object.values(BuiltinMetric)) {
      const hostile = rendered(builtinQuery(name, { ...plain, target: HOSTILE[0] ?? '' }));
      expect(shape(hostile)).toEqual(shape(rendered(builtinQuery(name, plain))));
      expect(matchers(hostile).find((m) => m.label === 'destination_workload')?.value).toBe(HOSTILE[0]);
    }
  });

  it('keeps a templateVariables value in a regex matcher as the pattern the template asks for, inside its matcher', () => {
    expect(render('x{code=~"{{ variables.codes }}"}')).toBe('x{code=~"5.."}');
    const query = render('x{code=~"{{ variables.codes }}",app="podinfo"}', { variables: { codes: '5.."} or vector(1) or {a=~"' } });
    expect(matchers(query)).toEqual([
      { label: 'code', op: '=~', value: '5.."} or vector(1) or {a=~"' },
      { label: 'app', op: '=', value: 'podinfo' },
    ]);
  });

  it('escapes only the quote of a single-quoted string', () => {
    expect(render("x{a='{{ target }}'}", { target: 'it\'s "x"\\' })).toBe("x{a='it\\'s \"x\"\\\\'}");
  });

  it('puts a value into a raw (backtick) string as it is, regex-escaped in a regex matcher', () => {
    expect(render('x{a=`{{ target }}`,b=~`{{ target }}`}', { target: 'a.b"\\' })).toBe('x{a=`a.b"\\`,b=~`a\\.b"\\\\`}');
  });

  it('refuses a value with a backtick inside a raw string, since nothing escapes it there', () => {
    expect(renderQuery('x{a=`{{ target }}`}', { ...plain, target: 'a` or vector(1) or {a=`' })).toMatchObject({
      ok: false,
      error: { variable: 'target', offset: 5, message: expect.stringContaining('use double quotes around the placeholder') as unknown },
    });
  });

  it('regex-escapes the regex argument of label_replace and nothing else there', () => {
    expect(render('label_replace(x, "dst", "{{ target }}", "src", "{{ target }}")', { target: 'a.b' })).toBe(
      'label_replace(x, "dst", "a.b", "src", "a\\\\.b")',
    );
  });

  it('accepts numbers and durations outside quotes', () => {
    expect(render('histogram_quantile({{ variables.q }}, rate(x[{{ interval }}] offset {{ variables.offset }}))', {
      interval: '1m30s',
      variables: { q: '0.99', offset: '5m' },
    })).toBe('histogram_quantile(0.99, rate(x[1m30s] offset 5m))');
  });

  it.each(['podinfo', '1m] or vector(1) or x[1m', '-1m', '1m # x', '1.5m', ' 1m', ''])(
    'refuses %j outside quotes, naming the placeholder and the fix',
    (value) => {
      const result = renderQuery('rate(x[{{ interval }}])', { ...plain, interval: value });
      expect(result).toMatchObject({ ok: false, error: { variable: 'interval', offset: 7 } });
      expect(!result.ok && result.error.message).toBe(
        `"{{ interval }}" is outside quotes, where only a number or duration can go, and its value ${JSON.stringify(value)} is neither: ` +
          'put the placeholder inside a label matcher\'s quotes, e.g. app="{{ interval }}"',
      );
    },
  );

  it('refuses a name used as a label name or metric name, where no quoting can hold it', () => {
    expect(renderQuery('sum by ({{ target }}) (x)', plain)).toMatchObject({ ok: false, error: { variable: 'target', offset: 8 } });
    expect(renderQuery('{{ target }}{a="b"}', plain)).toMatchObject({ ok: false, error: { variable: 'target', offset: 0 } });
  });

  it('puts a single-line value into a comment and refuses one with a line break', () => {
    expect(render('x # for {{ target }}\n+ 1')).toBe('x # for podinfo\n+ 1');
    for (const target of ['a\nvector(1) or x', 'a\rvector(1) or x']) {
      expect(renderQuery('x # for {{ target }}\n+ 1', { ...plain, target })).toMatchObject({
        ok: false,
        error: { variable: 'target', message: expect.stringContaining('take the placeholder out of the comment') as unknown },
      });
    }
  });

  it('tells a string from a comment by the template\'s own quotes, not by the value', () => {
    expect(render('x{a="# {{ target }}"}', { target: 'b"' })).toBe('x{a="# b\\""}');
    expect(render('x{a="{{ namespace }}", b="{{ target }}"}', { namespace: '"', target: '"' })).toBe('x{a="\\"", b="\\""}');
  });
});

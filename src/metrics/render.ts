/** The values a query template can use. */
export interface QueryVariables {
  readonly namespace: string;
  /** The workload the query is about: the canary, or `<target>-primary` for a baseline. */
  readonly target: string;
  readonly service: string;
  /** PromQL range, e.g. "1m". */
  readonly interval: string;
  /** A metric's templateVariables, used as {{ variables.<key> }}. */
  readonly variables?: Readonly<Record<string, string>>;
}

/** A stretch of the rendered query and where it came from in the template. */
export interface RenderSegment {
  /** Start offset in the rendered query. */
  readonly from: number;
  /** End offset (exclusive) in the rendered query. */
  readonly to: number;
  /** Offset in the template of the text (or of the `{{` of the placeholder). */
  readonly source: number;
  readonly placeholder: boolean;
}

export type RenderResult =
  | { readonly ok: true; readonly query: string; readonly segments: readonly RenderSegment[] }
  | { readonly ok: false; readonly error: RenderError };

export interface RenderError {
  /** The placeholder's name, e.g. "variables.region" or "tenant"; absent for a malformed placeholder. */
  readonly variable?: string;
  /** Offset of the offending `{{` in the template. */
  readonly offset: number;
  readonly message: string;
}

const PLACEHOLDER = /\{\{([^{}]*)\}\}/g;
const VARIABLES_PREFIX = 'variables.';
const KNOWN = 'namespace, target, service, interval, variables.<key>';

/**
 * Renders `{{ namespace }}`, `{{ target }}`, `{{ service }}`, `{{ interval }}`
 * and `{{ variables.<key> }}` (spaces inside the braces optional). An unknown
 * name is an error that names it, never an empty string in the query.
 */
export function renderQuery(template: string, vars: QueryVariables): RenderResult {
  const segments: RenderSegment[] = [];
  let query = '';
  let last = 0;
  for (const match of template.matchAll(PLACEHOLDER)) {
    const name = (match[1] ?? '').trim();
    const value = lookup(name, vars);
    if (typeof value !== 'string') return { ok: false, error: { ...value, offset: match.index } };
    push(segments, query.length, template.slice(last, match.index), last, false);
    query += template.slice(last, match.index);
    push(segments, query.length, value, match.index, true);
    query += value;
    last = match.index + match[0].length;
  }
  const unclosed = template.indexOf('{{', last);
  if (unclosed >= 0) return { ok: false, error: { offset: unclosed, message: 'unclosed "{{" in query template' } };
  push(segments, query.length, template.slice(last), last, false);
  query += template.slice(last);
  return { ok: true, query, segments };
}

/** Maps an offset in a rendered query back to the template the user wrote. */
export function templateOffset(segments: readonly RenderSegment[], renderedOffset: number): number {
  for (const segment of segments) {
    if (renderedOffset < segment.from || renderedOffset >= segment.to) continue;
    return segment.placeholder ? segment.source : segment.source + (renderedOffset - segment.from);
  }
  const end = segments.at(-1);
  if (!end) return renderedOffset;
  // At (or past) the end of the query: the end of the template.
  return end.placeholder ? end.source : end.source + (end.to - end.from);
}

function push(segments: RenderSegment[], from: number, text: string, source: number, placeholder: boolean): void {
  if (text.length === 0 && !placeholder) return;
  segments.push({ from, to: from + text.length, source, placeholder });
}

function lookup(name: string, vars: QueryVariables): string | Omit<RenderError, 'offset'> {
  switch (name) {
    case 'namespace':
      return vars.namespace;
    case 'target':
      return vars.target;
    case 'service':
      return vars.service;
    case 'interval':
      return vars.interval;
    default:
      return lookupVariable(name, vars.variables ?? {});
  }
}

function lookupVariable(name: string, variables: Readonly<Record<string, string>>): string | Omit<RenderError, 'offset'> {
  if (name === '') return { message: 'empty "{{ }}" in query template' };
  if (!name.startsWith(VARIABLES_PREFIX)) {
    return { variable: name, message: `unknown variable "${name}" in query template (known: ${KNOWN})` };
  }
  const key = name.slice(VARIABLES_PREFIX.length);
  const value = Object.hasOwn(variables, key) ? variables[key] : undefined;
  if (value === undefined) {
    const known = Object.keys(variables);
    const hint = known.length > 0 ? `templateVariables has ${known.map((k) => `"${k}"`).join(', ')}` : 'templateVariables is empty';
    return { variable: name, message: `unknown variable "${name}" in query template: ${hint}` };
  }
  return value;
}

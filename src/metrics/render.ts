import { contextsAt, isNumberLiteral, type TextContext } from './promql.js';

/** The values a query template can use. */
export interface QueryVariables {
  readonly namespace: string;
  /** The workload the query is about: the canary, or `<target>-primary` for a baseline. */
  readonly target: string;
  readonly service: string;
  /** The per-version Service the query is about: `<service>-canary`, or `<service>-primary` for a baseline (a StatefulSet's versions are told apart only by it). */
  readonly versionService?: string;
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
const KNOWN = 'namespace, target, service, versionService, interval, variables.<key>';

/**
 * Stands in for every placeholder while the template is parsed to learn where
 * each one is. A number reads as bare PromQL where a duration goes and as
 * text inside a string or comment; it has no quote or `#`, so the strings and
 * comments found are exactly the template's own.
 */
const PROBE = '1';

/** A placeholder of the template with its value. */
interface Placeholder {
  readonly name: string;
  /** Offset of its `{{` in the template. */
  readonly start: number;
  readonly end: number;
  readonly value: string;
  /**
   * A name flowshift fills in (namespace, target, service, interval) means
   * itself, also inside a regex matcher. A templateVariables value is the
   * template's own parameter: in a regex matcher it is a pattern the template
   * asks for, e.g. response_code=~"{{ variables.codes }}" with codes "5..";
   * string escaping still keeps it inside that one matcher.
   */
  readonly literal: boolean;
}

/**
 * Renders `{{ namespace }}`, `{{ target }}`, `{{ service }}`, `{{ interval }}`
 * and `{{ variables.<key> }}` (spaces inside the braces optional). An unknown
 * name is an error that names it, never an empty string in the query.
 *
 * Each value is escaped for the place it lands, so that it selects only
 * itself: inside quotes it is a PromQL string (and a literal regex in a
 * `=~`/`!~` matcher); outside quotes only a number or duration may stand;
 * a value that cannot be put where it is refuses the template.
 */
export function renderQuery(template: string, vars: QueryVariables): RenderResult {
  const found = placeholdersOf(template, vars);
  if (!found.ok) return found;
  const contexts = contextsOf(template, found.placeholders);
  const segments: RenderSegment[] = [];
  let query = '';
  let last = 0;
  for (const [index, placeholder] of found.placeholders.entries()) {
    const value = insertion(placeholder, contexts[index] ?? { kind: 'bare' });
    if (typeof value !== 'string') return { ok: false, error: { variable: placeholder.name, offset: placeholder.start, ...value } };
    push(segments, query.length, template.slice(last, placeholder.start), last, false);
    query += template.slice(last, placeholder.start);
    push(segments, query.length, value, placeholder.start, true);
    query += value;
    last = placeholder.end;
  }
  push(segments, query.length, template.slice(last), last, false);
  query += template.slice(last);
  return { ok: true, query, segments };
}

function placeholdersOf(
  template: string,
  vars: QueryVariables,
): { ok: true; placeholders: Placeholder[] } | { ok: false; error: RenderError } {
  const placeholders: Placeholder[] = [];
  let last = 0;
  for (const match of template.matchAll(PLACEHOLDER)) {
    const name = (match[1] ?? '').trim();
    const value = lookup(name, vars);
    if (typeof value !== 'string') return { ok: false, error: { ...value, offset: match.index } };
    last = match.index + match[0].length;
    placeholders.push({ name, start: match.index, end: last, value, literal: !name.startsWith(VARIABLES_PREFIX) });
  }
  const unclosed = template.indexOf('{{', last);
  if (unclosed >= 0) return { ok: false, error: { offset: unclosed, message: 'unclosed "{{" in query template' } };
  return { ok: true, placeholders };
}

function contextsOf(template: string, placeholders: readonly Placeholder[]): TextContext[] {
  if (placeholders.length === 0) return [];
  let probe = '';
  let last = 0;
  const offsets: number[] = [];
  for (const placeholder of placeholders) {
    probe += template.slice(last, placeholder.start);
    offsets.push(probe.length);
    probe += PROBE;
    last = placeholder.end;
  }
  return contextsAt(probe + template.slice(last), offsets);
}

/** The text that stands for a placeholder where it is, or why its value cannot stand there. */
function insertion(placeholder: Placeholder, context: TextContext): string | { readonly message: string } {
  const { name, value } = placeholder;
  const shown = `"{{ ${name} }}"`;
  switch (context.kind) {
    case 'bare':
      if (isNumberLiteral(value)) return value;
      return {
        message:
          `${shown} is outside quotes, where only a number or duration can go, and its value ${JSON.stringify(value)} is neither: ` +
          `put the placeholder inside a label matcher's quotes, e.g. app="{{ ${name} }}"`,
      };
    case 'comment':
      // Prometheus ends a comment at "\r" as well as "\n".
      if (!/[\r\n]/.test(value)) return value;
      return { message: `${shown} is in a comment and its value has a line break, which would end the comment: take the placeholder out of the comment` };
    case 'string': {
      const text = context.regex && placeholder.literal ? escapeRegex(value) : value;
      if (context.quote !== '`') return escapeString(text, context.quote);
      if (!text.includes('`')) return text;
      return { message: `${shown} is inside a raw (backtick) string, which has no escapes, and its value has a backtick: use double quotes around the placeholder` };
    }
  }
}

/** RE2's metacharacters, as Go's regexp.QuoteMeta escapes them: the value then matches only itself. */
function escapeRegex(value: string): string {
  return value.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}

/** The escapes Prometheus reads in a quoted string: a backslash, the quote itself and line breaks (a raw one ends the string). */
function escapeString(value: string, quote: '"' | "'"): string {
  return value.replace(/[\\"'\n\r]/g, (char) => {
    switch (char) {
      case '\n':
        return '\\n';
      case '\r':
        return '\\r';
      default:
        // The other quote stays as it is: Prometheus refuses \' in "…" and \" in '…'.
        return char === '\\' || char === quote ? `\\${char}` : char;
    }
  });
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
    case 'versionService':
      return vars.versionService ?? { variable: name, message: 'unknown variable "versionService" in query template: it is only known in a Rollout\'s analysis' };
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

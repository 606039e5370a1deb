import { parser } from '@prometheus-io/lezer-promql';

export interface SourcePosition {
  /** 0-based character offset. */
  readonly offset: number;
  /** 1-based line. */
  readonly line: number;
  /** 1-based column. */
  readonly column: number;
}

export interface PromqlSyntaxError {
  readonly position: SourcePosition;
  /** e.g. `unexpected ")"` or "unexpected end of query". */
  readonly message: string;
}

/**
 * Checks a rendered query's syntax with Prometheus' own lezer grammar: the
 * first error node of the tree is the error. Returns null for a valid query.
 * Only syntax: a query can parse and still fail in Prometheus (a type error
 * like rate() of an instant vector), which the analysis reports as a query error.
 */
export function checkPromql(query: string): PromqlSyntaxError | null {
  // Every tick checks the same few queries: parse each text once.
  const known = checked.get(query);
  if (known !== undefined) return known;
  const result = parsePromql(query);
  if (checked.size >= CHECKED_MAX) checked.delete(checked.keys().next().value ?? '');
  checked.set(query, result);
  return result;
}

/** Answers of checkPromql by query text; the oldest are dropped past CHECKED_MAX (a few per Rollout). */
const checked = new Map<string, PromqlSyntaxError | null>();
const CHECKED_MAX = 4096;

function parsePromql(query: string): PromqlSyntaxError | null {
  if (query.trim() === '') return { position: positionOf(query, 0), message: 'empty query' };
  let errorAt: { from: number; to: number } | undefined;
  parser.parse(query).iterate({
    enter: (node) => {
      if (errorAt) return false;
      if (node.type.isError) errorAt = { from: node.from, to: node.to };
      return undefined;
    },
  });
  if (!errorAt) return null;
  return { position: positionOf(query, errorAt.from), message: describe(query, errorAt.from, errorAt.to) };
}

function describe(query: string, from: number, to: number): string {
  const rest = query.slice(from);
  if (rest.trim() === '') return 'unexpected end of query';
  const token = to > from ? query.slice(from, to) : (/^\s*(\w+|\S)/.exec(rest)?.[1] ?? rest);
  return `unexpected ${JSON.stringify(token.trim())}`;
}

/** Line and column (1-based) of an offset in a text. */
export function positionOf(text: string, offset: number): SourcePosition {
  const before = text.slice(0, offset);
  const lineStart = before.lastIndexOf('\n') + 1;
  return { offset, line: before.split('\n').length, column: offset - lineStart + 1 };
}

export function formatPosition(position: SourcePosition): string {
  return `${position.line}:${position.column}`;
}

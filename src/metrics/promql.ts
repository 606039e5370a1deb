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

/** What a place in a query is, for putting text there (see contextsAt). */
export type TextContext =
  | { readonly kind: 'string'; readonly quote: StringQuote; readonly regex: boolean }
  | { readonly kind: 'comment' }
  | { readonly kind: 'bare' };

export type StringQuote = '"' | "'" | '`';

type SyntaxNode = ReturnType<ReturnType<typeof parser.parse>['resolveInner']>;

/**
 * Where each offset of a query falls, as Prometheus' grammar reads it: inside
 * a string literal (and whether that string is read as a regex: the value of
 * a `=~`/`!~` matcher or label_replace's regex), in a comment, or in bare
 * PromQL. Which text is a string or a comment depends only on the quotes and
 * `#` around it, so a query with a syntax error elsewhere still answers.
 */
export function contextsAt(query: string, offsets: readonly number[]): TextContext[] {
  const tree = parser.parse(query);
  return offsets.map((offset) => contextOf(query, tree.resolveInner(offset, 1)));
}

function contextOf(query: string, node: SyntaxNode): TextContext {
  if (node.name === 'LineComment') return { kind: 'comment' };
  if (node.name !== 'StringLiteral') return { kind: 'bare' };
  const quote = query[node.from];
  const known: StringQuote = quote === "'" || quote === '`' ? quote : '"';
  return { kind: 'string', quote: known, regex: readsAsRegex(node) };
}

function readsAsRegex(literal: SyntaxNode): boolean {
  const parent = literal.parent;
  if (!parent) return false;
  if (parent.name === 'UnquotedLabelMatcher' || parent.name === 'QuotedLabelMatcher') {
    // A QuotedLabelMatcher's name is a string too, but under QuotedLabelName, not here.
    const op = parent.getChild('MatchOp')?.firstChild?.name;
    return op === 'EqlRegex' || op === 'NeqRegex';
  }
  return parent.name === 'FunctionCallBody' && isLabelReplaceRegex(parent, literal);
}

/** label_replace(v, dst, replacement, src, regex): the fifth argument is an anchored regex. */
function isLabelReplaceRegex(body: SyntaxNode, literal: SyntaxNode): boolean {
  if (body.parent?.getChild('FunctionIdentifier')?.firstChild?.name !== 'LabelReplace') return false;
  let index = 0;
  for (let arg = literal.prevSibling; arg; arg = arg.prevSibling) index += 1;
  return index === 4;
}

/**
 * Whether a text is one unsigned number or duration literal ("30s", "1m30s",
 * "0.99", "5"), the only values that can stand outside quotes without
 * changing what the query selects.
 */
export function isNumberLiteral(text: string): boolean {
  if (!/^[0-9.]/.test(text)) return false;
  const only = parser.parse(text).topNode.firstChild;
  return only?.name === 'NumberDurationLiteral' && only.from === 0 && only.to === text.length && only.nextSibling === null;
}

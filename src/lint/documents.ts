import { LineCounter, isMap, isScalar, isSeq, parseAllDocuments, type Node } from 'yaml';

/** One YAML document of a linted file, with the way back from a field path to its line. */
export interface LintDocument {
  readonly file: string;
  /** The document as plain data; undefined for an empty document. */
  readonly value: unknown;
  /** Line (1-based) of the deepest field of `path` present in the file ("spec.analysis.metrics[0].query"). */
  lineOf(path: string): number;
}

/** A file that cannot be read as YAML: where, and what the parser said. */
export interface SyntaxProblem {
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

/** Every document of a YAML stream, or the syntax errors that stop it being read. */
export function parseDocuments(file: string, text: string): { documents: LintDocument[]; syntax: SyntaxProblem[] } {
  const lineCounter = new LineCounter();
  const parsed = parseAllDocuments(text, { lineCounter, prettyErrors: false });
  const docs = Array.isArray(parsed) ? parsed : [];
  const syntax = docs.flatMap((d) => d.errors.map((e) => ({ file, line: lineCounter.linePos(e.pos[0]).line, message: e.message.split('\n')[0] ?? e.message })));
  if (syntax.length) return { documents: [], syntax };
  const documents = docs.map((doc): LintDocument => {
    const start = doc.contents?.range[0] ?? 0;
    return {
      file,
      value: doc.toJS() as unknown,
      lineOf: (path) => lineCounter.linePos(offsetOf(doc.contents, segments(path)) ?? start).line,
    };
  });
  return { documents, syntax: [] };
}

/** "spec.metrics[0].query" → ["spec", "metrics", 0, "query"]; a leading dot (as the API server writes it) is dropped. */
export function segments(path: string): (string | number)[] {
  return path
    .replace(/^\./, '')
    .split(/\.|(?=\[)/)
    .filter((s) => s !== '')
    .map((s) => (/^\[\d+\]$/.test(s) ? Number(s.slice(1, -1)) : s));
}

/** The offset of the deepest node along `path`: the key's own line for a field, the item's for a list item. */
function offsetOf(root: Node | null, path: readonly (string | number)[]): number | undefined {
  let node: unknown = root;
  let offset: number | undefined = root?.range?.[0];
  for (const segment of path) {
    const step = stepInto(node, segment);
    if (!step) break;
    node = step.node;
    offset = step.offset ?? offset;
  }
  return offset;
}

function stepInto(node: unknown, segment: string | number): { node: unknown; offset: number | undefined } | undefined {
  if (isMap(node)) {
    const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment));
    if (!pair) return undefined;
    return { node: pair.value, offset: isScalar(pair.key) ? pair.key.range?.[0] : undefined };
  }
  if (isSeq(node) && typeof segment === 'number') {
    const item: unknown = node.items[segment];
    if (item === undefined) return undefined;
    return { node: item, offset: (item as Node).range?.[0] };
  }
  return undefined;
}

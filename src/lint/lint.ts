import { controllerCheck, fileSources, portCheck, schemaCheck, type LintProblem, type LintedObject } from './check.js';
import { clusterSources, dryRunCheck, referenceCheck, type ClusterLint } from './cluster.js';
import { parseDocuments } from './documents.js';

export interface LintInput {
  readonly file: string;
  readonly text: string;
}

export interface LintRun {
  /** Namespace of objects that name none (-n, else the context's, else default). */
  readonly namespace: string;
  /** Set: also ask the cluster (dry-run, references). */
  readonly cluster?: ClusterLint;
}

/**
 * Lints YAML streams the way flowshift would see them: the API server's
 * structural schema (offline), the controller's validation, and, with a
 * cluster, the API server's own verdict (CEL rules included) and every
 * reference the release preflight resolves. One problem per field, by line.
 */
export async function lintTexts(inputs: readonly LintInput[], run: LintRun): Promise<{ problems: LintProblem[]; objects: number }> {
  const parsed = inputs.map((i) => parseDocuments(i.file, i.text));
  const problems: LintProblem[] = parsed.flatMap((p) => p.syntax.map((s) => ({ file: s.file, line: s.line, path: '(yaml)', message: `${s.message} (fix the YAML syntax)` })));
  const documents = parsed.flatMap((p) => p.documents);
  const schema = schemaCheck(documents);
  problems.push(...schema.problems);
  const namespaceOf = (o: LintedObject): string => {
    const metadata = o.object['metadata'] as { namespace?: unknown } | undefined;
    return typeof metadata?.namespace === 'string' ? metadata.namespace : run.namespace;
  };
  const files = fileSources(documents, run.namespace);
  const sources = run.cluster ? clusterSources(run.cluster, files) : files;
  // What the API server refuses is said once, in its words; the controller's rules add what it cannot see.
  const refused = new Set(schema.problems.map((p) => `${p.file}:${p.path}`));
  problems.push(...(await controllerCheck(schema.objects, sources, namespaceOf)).filter((p) => !refused.has(`${p.file}:${p.path}`)));
  problems.push(...(await portCheck(schema.objects, sources, namespaceOf)));
  if (run.cluster) {
    const dry = await dryRunCheck(run.cluster, schema.objects, namespaceOf);
    // The schema problems found offline are the API server's too: each is said once.
    const said = new Set(problems.map((p) => `${p.file}:${p.line}`));
    problems.push(...dry.filter((p) => !said.has(`${p.file}:${p.line}`)));
    problems.push(...(await referenceCheck(run.cluster, schema.objects, sources, namespaceOf)));
  }
  const order = new Map(inputs.map((input, i) => [input.file, i]));
  const byPosition = (a: LintProblem, b: LintProblem): number => (order.get(a.file) ?? 0) - (order.get(b.file) ?? 0) || a.line - b.line;
  return { problems: dedupe(problems).sort(byPosition), objects: schema.objects.length };
}

function dedupe(problems: readonly LintProblem[]): LintProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.file}:${p.line}:${p.path}:${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

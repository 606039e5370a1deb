import { readFile } from 'node:fs/promises';
import type { KubeClients } from '../kube/client.js';
import { lintTexts, type LintInput } from '../lint/lint.js';
import { formatProblem } from '../lint/check.js';
import { cliClients, namespaceOf, type GlobalOptions } from './context.js';
import { CliError } from './errors.js';

export interface LintOptions extends GlobalOptions {
  readonly cluster?: boolean;
  readonly prometheusUrl?: string;
}

/**
 * `kubectl flowshift lint FILE…`: the API server's schema checks and the
 * controller's validation, offline; with --cluster also a server-side
 * dry-run and the release preflight against the current context. Exits 1
 * when anything is found, 2 when a file cannot be read.
 */
export async function lint(files: readonly string[], options: LintOptions, write: (text: string) => void): Promise<number> {
  if (files.length === 0) throw new CliError('name the files to lint, or - for standard input', 2);
  const inputs = await Promise.all(files.map(readInput));
  const clients: KubeClients | undefined = options.cluster ? cliClients(options) : undefined;
  const namespace = options.namespace ?? (clients ? namespaceOf(clients.kubeConfig, options) : 'default');
  const prometheusUrl = options.prometheusUrl ?? process.env['PROMETHEUS_URL'];
  const result = await lintTexts(inputs, { namespace, ...(clients ? { cluster: { clients, prometheusUrl } } : {}) });
  for (const p of result.problems) write(`${formatProblem(p)}\n`);
  const summary = `${result.objects} flowshift object${result.objects === 1 ? '' : 's'} in ${files.length} file${files.length === 1 ? '' : 's'}`;
  process.stderr.write(result.problems.length ? `${result.problems.length} problem${result.problems.length === 1 ? '' : 's'} in ${summary}\n` : `no problems in ${summary}\n`);
  // The cluster's answers say whether a metric can run, never whether its bound fits the traffic: only a measurement says that.
  if (clients && result.objects > 0) process.stderr.write(`bounds are checked for form only, not against your traffic: kubectl flowshift backtest FILE --since 7d measures them on Prometheus' history (docs/backtest.md)\n`);
  return result.problems.length ? 1 : 0;
}

async function readInput(file: string): Promise<LintInput> {
  try {
    const text = file === '-' ? await readStdin() : await readFile(file, 'utf8');
    return { file: file === '-' ? '<stdin>' : file, text };
  } catch (err) {
    throw new CliError(`cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`, 2);
  }
}

/** Standard input, whole. */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}

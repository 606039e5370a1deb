import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { Against, backtest, backtestDeps } from '../analysis/backtest/backtest.js';
import { kubeMetricSources } from '../analysis/kube-sources.js';
import { parsePeriod } from '../api/duration.js';
import type { MetricTemplate, Rollout } from '../api/types.gen.js';
import type { KubeClients } from '../kube/client.js';
import { formatProblem } from '../lint/check.js';
import { readRolloutFile } from '../lint/rollout-file.js';
import { backtestView, reportObject } from './backtest-view.js';
import { cliClients, namespaceOf, type GlobalOptions } from './context.js';
import { CliError } from './errors.js';
import { readStdin } from './lint.js';
import { render, type OutputFormat } from './output.js';
import { RolloutClient } from '../kube/rollouts.js';

export interface BacktestOptions extends GlobalOptions {
  readonly since: string;
  readonly until?: string;
  readonly against?: string;
  readonly prometheus?: string;
  readonly output?: OutputFormat;
  readonly chart?: string;
  readonly checksPerRelease?: string;
}

/** A Rollout to backtest and where its MetricTemplates and their Secrets are read. */
interface Subject {
  readonly rollout: Rollout;
  readonly readTemplate: (namespace: string, name: string) => Promise<MetricTemplate | undefined>;
  readonly readSecret: (namespace: string, name: string) => Promise<Readonly<Record<string, string>> | undefined>;
}

const WORKLOAD = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * `kubectl flowshift backtest <rollout.yaml | name> --since 7d`: the
 * Rollout's analysis evaluated over Prometheus' history by the controller's
 * own code, from this machine, with the user's kubeconfig and Prometheus
 * address. Exits 0 when no release would have been rolled back, 1 when one
 * would, 2 when it cannot run.
 */
export async function runBacktest(target: string, options: BacktestOptions, write: (text: string) => void, now: Date = new Date()): Promise<number> {
  const flags = parseFlags(options, now);
  const subject = await subjectOf(target, options);
  const prometheus = prometheusOf(subject.rollout, options);
  const result = await backtest({ rollout: subject.rollout, ...flags }, backtestDeps(subject, prometheus));
  if (!result.ok) throw new CliError(result.message, 2);
  const { report } = result;
  write(options.output ? render(reportObject(report), options.output) : backtestView(report));
  if (options.chart) {
    // Loaded only for a chart: the other commands never read uPlot.
    const { chartHtml, uplotAssets } = await import('./backtest-chart.js');
    await writeFile(options.chart, chartHtml(report, subject.rollout.spec.analysis?.metrics ?? [], await uplotAssets()));
    process.stderr.write(`chart written to ${options.chart}\n`);
  }
  return report.rollbacks.length ? 1 : 0;
}

/** The window, the workload and the release length, each refused by its flag. */
function parseFlags(options: BacktestOptions, now: Date): { since: Date; until: Date; against: string; checksPerRelease: number | undefined } {
  const since = timeOf(options.since, now, '--since');
  const until = options.until === undefined ? now : timeOf(options.until, now, '--until');
  const against = options.against ?? Against.Primary;
  if (!WORKLOAD.test(against)) throw new CliError(`--against "${against}": use canary, primary or the name of a workload in the Rollout's namespace`, 2);
  const raw = options.checksPerRelease;
  const checksPerRelease = raw === undefined ? undefined : Number(raw);
  if (checksPerRelease !== undefined && !(Number.isInteger(checksPerRelease) && checksPerRelease >= 1)) {
    throw new CliError(`--checks-per-release "${raw ?? ''}": use a whole number of at least 1`, 2);
  }
  return { since, until, against, checksPerRelease };
}

/** --prometheus, else PROMETHEUS_URL; refused when a metric without a template needs it and neither is set. */
function prometheusOf(rollout: Rollout, options: BacktestOptions): string | undefined {
  const prometheus = options.prometheus ?? process.env['PROMETHEUS_URL'];
  const untemplated = (rollout.spec.analysis?.metrics ?? []).filter((m) => !m.templateRef).map((m) => m.name);
  if (!prometheus && untemplated.length) {
    throw new CliError(
      `${untemplated.join(', ')} read the Prometheus the controller's --prometheus-url names: give its address as this machine reaches it, --prometheus URL (or PROMETHEUS_URL), e.g. http://127.0.0.1:9090 through kubectl port-forward`,
      2,
    );
  }
  return prometheus;
}

/** "7d", "36h", "90m" before now, or an RFC 3339 time. */
export function timeOf(text: string, now: Date, flag: string): Date {
  const ago = parsePeriod(text);
  if (ago !== undefined) return new Date(now.getTime() - ago);
  const at = Date.parse(text);
  if (/^\d{4}-\d\d-\d\dT/.test(text) && !Number.isNaN(at)) return new Date(at);
  throw new CliError(`${flag} "${text}": use a time before now (7d, 36h, 90m) or an RFC 3339 time (2026-11-26T12:00:00Z)`, 2);
}

/** A file (or - for standard input) is read and validated as lint does; anything else is a Rollout's name in the cluster. */
async function subjectOf(target: string, options: GlobalOptions): Promise<Subject> {
  const isFile = target === '-' || /\.ya?ml$/.test(target) || existsSync(target);
  let clients: KubeClients | undefined;
  const cluster = (): KubeClients => (clients ??= cliClients(options));
  if (!isFile) {
    const namespace = namespaceOf(cluster().kubeConfig, options);
    const rollout = await new RolloutClient(cluster()).get(namespace, target);
    if (!rollout) throw new CliError(`rollout ${target} not found in namespace ${namespace}`, 2);
    return { rollout, ...kubeMetricSources(cluster()) };
  }
  const text = target === '-' ? await readStdin() : await readFile(target, 'utf8').catch((err: unknown) => {
    throw new CliError(`cannot read ${target}: ${err instanceof Error ? err.message : String(err)}`, 2);
  });
  const file = await readRolloutFile(target === '-' ? '<stdin>' : target, text, options.namespace ?? 'default');
  if (!file.ok) throw new CliError(`the Rollout would not be accepted as written (kubectl flowshift lint says the same):\n${file.problems.map(formatProblem).join('\n')}`, 2);
  const [rollout, ...more] = file.rollouts;
  if (!rollout || more.length) throw new CliError(`${target} holds ${file.rollouts.length} Rollouts: backtest takes a file with exactly one`, 2);
  // MetricTemplates and Secrets next to the Rollout first, then the current context's.
  return {
    rollout,
    readTemplate: async (ns, name) => (await file.sources.readTemplate(ns, name)) ?? kubeMetricSources(cluster()).readTemplate(ns, name),
    readSecret: async (ns, name) => (await file.sources.readSecret(ns, name)) ?? kubeMetricSources(cluster()).readSecret(ns, name),
  };
}

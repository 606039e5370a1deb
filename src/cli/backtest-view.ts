import type { BacktestReport } from '../analysis/backtest/backtest.js';
import type { MetricSummary } from '../analysis/backtest/summary.js';
import { humanDuration } from '../api/duration.js';
import { formatTable } from './table.js';

const iso = (unixSeconds: number): string => new Date(unixSeconds * 1000).toISOString().replace('.000Z', 'Z');

/** The backtest as text: what was replayed, a table per metric, and every rollback with the values that led to it. */
export function backtestView(report: BacktestReport): string {
  const lines = [
    `backtest of ${report.rollout} on the history of ${report.workload}, ${report.since} .. ${report.until}, a check every ${humanDuration(report.intervalSeconds * 1000)}`,
    `${report.checks.length} checks from ${report.rangeQueries} range ${report.rangeQueries === 1 ? 'query' : 'queries'}; releases back to back, ${report.plan.checksPerRelease} passed checks to promote, rollback at ${report.plan.threshold} failed: ` +
      `${report.releases.promoted} promoted, ${report.releases.rolledBack} rolled back`,
    '',
    ...formatTable([['METRIC', 'BOUND', 'CHECKS', 'FAILED', 'LONGEST FAILING RUN'], ...report.metrics.map((m) => metricRow(m, report.intervalSeconds))]),
    '',
  ];
  if (!report.rollbacks.length) return `${lines.join('\n')}no release would have been rolled back\n`;
  const rows = report.rollbacks.map((r) => [
    iso(r.at),
    iso(r.releaseStart),
    String(r.failedChecks),
    r.results.map((x) => `${x.name}=${x.value === undefined ? '-' : String(Number(x.value.toPrecision(6)))}${x.passed ? '' : ' (failed)'}`).join(', '),
  ]);
  lines.push(...formatTable([['ROLLED BACK AT', 'RELEASE FROM', 'FAILED', 'VALUES'], ...rows]), '');
  lines.push('why:', ...report.rollbacks.map((r) => `  ${iso(r.at)}  ${r.reason}`));
  return `${lines.join('\n')}\n`;
}

function metricRow(m: MetricSummary, step: number): string[] {
  const run = m.longestFailingRun;
  const longest = run ? `${run.checks} (${humanDuration(run.checks * step * 1000)}, ${iso(run.from)} .. ${iso(run.to)})` : '-';
  return [m.name, m.bound || '-', String(m.checks), String(m.failures), longest];
}

/** The report as -o prints it: every check counted, not listed (the chart draws them). */
export function reportObject(report: BacktestReport): Omit<BacktestReport, 'checks'> & { readonly checks: number } {
  const { checks, ...rest } = report;
  return { ...rest, checks: checks.length };
}

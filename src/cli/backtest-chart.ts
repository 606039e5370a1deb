import { readFile } from 'node:fs/promises';
import type { BacktestReport } from '../analysis/backtest/backtest.js';
import { burnRulesOf } from '../analysis/burn/burn-rate.js';
import type { MetricSpec } from '../api/types.gen.js';
import { UPLOT } from './dashboard/assets.js';

/** uPlot's script and stylesheet, read from the installed package at run time and inlined: the chart loads nothing from anywhere. */
export interface ChartAssets {
  readonly script: string;
  readonly style: string;
}

export async function uplotAssets(): Promise<ChartAssets> {
  const [script, style] = await Promise.all([readFile(UPLOT.script, 'utf8'), readFile(UPLOT.style, 'utf8')]);
  return { script, style };
}

/** A horizontal line a metric is judged against. */
interface BoundLine {
  readonly label: string;
  readonly value: number;
}

/** What one chart draws: the metric's value at every check, its bounds, and the rollbacks on it. */
interface ChartData {
  readonly title: string;
  readonly bounds: readonly BoundLine[];
  /** [times, values, bound 1 …, rollback marks]. */
  readonly data: readonly (readonly (number | null)[])[];
}

/** The lines a metric's value is held against: thresholdRange, or every burn rule's rate (the value is the worst pair's burn). */
function boundsOf(metric: MetricSpec): BoundLine[] {
  const lines: BoundLine[] = [];
  if (metric.thresholdRange?.min !== undefined) lines.push({ label: 'min', value: metric.thresholdRange.min });
  if (metric.thresholdRange?.max !== undefined) lines.push({ label: 'max', value: metric.thresholdRange.max });
  const rules = metric.errorBudget ? burnRulesOf(metric.errorBudget) : [];
  if (typeof rules !== 'string') for (const r of rules) lines.push({ label: `${r.long}/${r.short} burn rate`, value: r.burnRate });
  return lines;
}

function chartsOf(report: BacktestReport, metrics: readonly MetricSpec[]): ChartData[] {
  const at = report.checks.map((c) => c.at);
  const rolledBack = new Set(report.rollbacks.map((r) => r.at));
  return metrics.map((metric, i) => {
    const values = report.checks.map((c) => c.results[i]?.value ?? null);
    const bounds = boundsOf(metric);
    const marks = at.map((t, k) => (rolledBack.has(t) ? (values[k] ?? null) : null));
    const summary = report.metrics[i];
    const title = `${metric.name}${summary?.bound ? ` (${summary.bound})` : ''}: ${summary?.failures ?? 0} of ${summary?.checks ?? 0} checks failed`;
    return { title, bounds, data: [at, values, ...bounds.map((b) => at.map(() => b.value)), marks] };
  });
}

/** JSON safe to put inside a <script> element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

/**
 * A self-contained HTML page: one uPlot chart per metric, the metric's value
 * at every check against its bounds, rollbacks marked in red. Every text is
 * set with textContent, so a metric name or message cannot become markup.
 */
export function chartHtml(report: BacktestReport, metrics: readonly MetricSpec[], assets: ChartAssets): string {
  const page = { heading: `backtest of ${report.rollout} against ${report.workload}, ${report.since} .. ${report.until}`, charts: chartsOf(report, metrics) };
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>flowshift backtest ${report.rollout.replace(/[<&"]/g, '')}</title>
<style>${assets.style.replace(/<\/style/gi, '<\\/style')}
body { font-family: sans-serif; margin: 1em 2em; } h2 { font-size: 1em; margin-top: 2em; }</style>
<script>${assets.script.replace(/<\/script/gi, '<\\/script')}</script>
</head><body><h1 id="heading"></h1><div id="charts"></div>
<script>
const page = ${scriptJson(page)};
document.getElementById('heading').textContent = page.heading;
const colors = ['#d98c00', '#7a3db8', '#00897b', '#5d4037'];
for (const chart of page.charts) {
  const title = document.createElement('h2');
  title.textContent = chart.title;
  const box = document.createElement('div');
  document.getElementById('charts').append(title, box);
  const series = [{}, { label: 'value', stroke: '#1f6fb2', spanGaps: false }]
    .concat(chart.bounds.map((b, i) => ({ label: b.label, stroke: colors[i % colors.length], dash: [6, 4] })))
    .concat([{ label: 'rolled back', stroke: '#d32f2f', paths: () => null, points: { show: true, size: 9, fill: '#d32f2f' } }]);
  new uPlot({ width: Math.max(600, window.innerWidth - 80), height: 280, series, scales: { x: { time: true } } }, chart.data, box);
}
</script></body></html>
`;
}

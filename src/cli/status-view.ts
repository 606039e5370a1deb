import { strategyOf } from '../domain/strategies/index.js';
import { type GateResult, type MetricMeasurement, type MetricResult, type Rollout, type RolloutStatus, type ThresholdRange } from '../api/types.gen.js';
import { DEFAULTS } from '../api/schema/defaults.js';
import { STATUS_LIMITS } from '../api/schema/limits.js';
import { NO_VALUE, sparkline } from './sparkline.js';
import { describeStep, stepOf } from './step.js';
import { formatTable } from './table.js';

/**
 * The live view of one Rollout as lines of text: a pure function of the
 * object, so `status` and `status -w` print the same thing and a test can pin
 * it down with plain data.
 */
export function renderStatus(rollout: Rollout): string[] {
  const status: RolloutStatus = rollout.status ?? {};
  const lines = [`${rollout.metadata.name ?? ''} (namespace ${rollout.metadata.namespace ?? 'default'})`];
  if (!rollout.status) {
    return [...lines, field('Phase', 'none yet: no status written; is the controller running and watching this namespace?')];
  }
  lines.push(...summary(rollout, status));
  lines.push(...section('Metrics', metricRows(status.analysis ?? [])));
  lines.push(...section('History', historyRows(status.analysis ?? [])));
  lines.push(...section('Gates', gateRows(status.gates ?? [])));
  if (status.message) lines.push(field('Message', status.message));
  return lines;
}

function summary(rollout: Rollout, status: RolloutStatus): string[] {
  const lines = [field('Phase', status.phase ?? 'unknown')];
  if (rollout.spec.suspend) lines.push(field('Paused', 'yes: spec.suspend is true, ticks change nothing (resume to go on)'));
  lines.push(
    field('Strategy', status.strategy ?? strategyOf(rollout.spec)),
    field('Weight', weightLine(rollout)),
    field('Checks', `${status.failedChecks ?? 0} failed, rollback at ${rollout.spec.analysis?.threshold ?? DEFAULTS.threshold}`),
    field('Revision', revisionLine(status)),
  );
  if (status.approval && status.approval.revision === status.lastAppliedSpec) {
    lines.push(field('Approved', `by ${status.approval.by} at ${status.approval.at}`));
  }
  if (status.fullPromotion && status.fullPromotion.revision === status.lastAppliedSpec) {
    lines.push(field('Skipped', `analysis and remaining steps: promote --full by ${status.fullPromotion.by} at ${status.fullPromotion.at}`));
  }
  return lines;
}

const LABEL_WIDTH = 10;

function field(label: string, value: string): string {
  return `${`${label}:`.padEnd(LABEL_WIDTH)}${value}`;
}

function section(title: string, rows: string[][]): string[] {
  if (rows.length === 0) return [];
  return [`${title}:`, ...formatTable(rows).map((line) => `  ${line}`)];
}

function weightLine(rollout: Rollout): string {
  const status = rollout.status ?? {};
  const step = describeStep(stepOf(rollout));
  const mirror = status.mirrorWeight ? `, mirror ${status.mirrorWeight}%` : '';
  return `${status.canaryWeight ?? 0}%${step ? ` (${step})` : ''}${mirror}`;
}

function revisionLine(status: RolloutStatus): string {
  const applied = status.lastAppliedSpec ?? 'none';
  if (!status.lastPromotedSpec) return applied;
  if (status.lastPromotedSpec === applied) return `${applied} (promoted)`;
  return `${applied} (primary runs ${status.lastPromotedSpec})`;
}

function metricRows(results: readonly MetricResult[]): string[][] {
  if (results.length === 0) return [];
  // Without any history (historyLimit 0, or the first check) the table stays as it was.
  const showHistory = results.some((m) => (m.history?.length ?? 0) > 0);
  const cells = (m: MetricResult): string[] => [
    m.name,
    formatValue(m.value),
    formatBound(m.thresholdRange, m.primaryValue),
    ...(showHistory ? [historyCell(m)] : []),
    resultOf(m),
  ];
  return [['NAME', 'VALUE', 'BOUND', ...(showHistory ? ['HISTORY'] : []), 'RESULT'], ...results.map(cells)];
}

/** At most a whole history and the current value; more only from a status the schema would refuse. */
const SPARKLINE_WIDTH = STATUS_LIMITS.historyItems + 1;

/** The values of this release so far, oldest first, and how many measurements there were: "▁▃▅▇█ (5)". */
function historyCell(m: MetricResult): string {
  const values = [...(m.history ?? []).map((h) => h.value), m.value];
  return `${sparkline(values.slice(-SPARKLINE_WIDTH))} (${values.length})`;
}

/**
 * "passed" or "failed: why" for a bound. A judged metric's message is its
 * verdict in words, with the statistic behind it ("canary errors 2.1% vs
 * primary 0.4% …: worse than the primary by more than 20%, p≤0.0096"),
 * passed or not.
 */
function resultOf(m: MetricResult): string {
  if (m.conclusion !== undefined) return m.message.startsWith(`${m.name}: `) ? m.message.slice(m.name.length + 2) : m.message;
  return m.passed ? 'passed' : `failed: ${m.message}`;
}

/** Terminals are 100 to 120 columns; a History line stays within the narrower. */
const LINE_WIDTH = 100;

/** Each metric's measurements of this release as weight→value, the latest included, the newest that fit on one line. */
function historyRows(results: readonly MetricResult[]): string[][] {
  const withHistory = results.filter((m) => (m.history?.length ?? 0) > 0);
  const nameWidth = Math.max(0, ...withHistory.map((m) => m.name.length));
  // The section's indent and the table's gap come before the pairs.
  const room = LINE_WIDTH - '  '.length - nameWidth - '   '.length;
  return withHistory.map((m) => [m.name, newestThatFit([...(m.history ?? []), m].map(weightAndValue), room)]);
}

function weightAndValue(h: Pick<MetricMeasurement, 'weight' | 'value'>): string {
  const value = h.value === undefined ? NO_VALUE : formatValue(h.value);
  return `${h.weight === undefined ? '?' : String(h.weight)}%→${value}`;
}

/** The last items that fit in width, behind "…" when earlier ones are left out; at least the newest. */
function newestThatFit(items: readonly string[], width: number): string {
  const line = (n: number): string => [...(n < items.length ? ['…'] : []), ...items.slice(items.length - n)].join(' ');
  let shown = items.length;
  while (shown > 1 && line(shown).length > width) shown--;
  return line(shown);
}

function gateRows(gates: readonly GateResult[]): string[][] {
  if (gates.length === 0) return [];
  return [
    ['NAME', 'TYPE', 'ANSWER', 'MESSAGE'],
    ...gates.map((g) => [g.name, g.type, g.open ? 'open' : 'closed', g.message]),
  ];
}

function formatValue(value: number | undefined): string {
  return value === undefined ? 'no data' : String(Number(value.toFixed(2)));
}

function formatBound(range: ThresholdRange | undefined, primaryValue: number | undefined): string {
  const parts: string[] = [];
  if (range?.min !== undefined && range.max !== undefined) parts.push(`${range.min}..${range.max}`);
  else if (range?.min !== undefined) parts.push(`>= ${range.min}`);
  else if (range?.max !== undefined) parts.push(`<= ${range.max}`);
  if (primaryValue !== undefined) parts.push(`primary ${formatValue(primaryValue)}`);
  return parts.length ? parts.join(', ') : '-';
}

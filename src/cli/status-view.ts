import { strategyOf } from '../domain/strategies/index.js';
import type { MetricResult, Rollout, ThresholdRange } from '../api/types.gen.js';
import { DEFAULTS } from '../api/schema/defaults.js';
import type { GateResult, RolloutStatus } from '../api/types.gen.js';
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
  return [
    ['NAME', 'VALUE', 'BOUND', 'RESULT'],
    ...results.map((m) => [m.name, formatValue(m.value), formatBound(m.thresholdRange, m.primaryValue), m.passed ? 'passed' : `failed: ${m.message}`]),
  ];
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

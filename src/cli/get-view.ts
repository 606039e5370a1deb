import type { Rollout } from '../api/types.gen.js';
import { ageOf } from './age.js';
import { shortStep, stepOf } from './step.js';
import { formatTable } from './table.js';

/** kubectl leaves the cell of a printer column blank when its field is missing. */
const NONE = '';

const HEADER = ['NAME', 'PHASE', 'WEIGHT', 'STEP', 'FAILEDCHECKS', 'STRATEGY', 'LASTTRANSITIONTIME', 'INTERVAL', 'STEPWEIGHTS', 'MIRROR', 'MESSAGE'];

/**
 * The columns of `kubectl get rollouts -o wide` (the CRD's printer columns)
 * with STEP after WEIGHT; NAMESPACE first across all namespaces, as kubectl does.
 */
export function renderRolloutTable(rollouts: readonly Rollout[], options: { allNamespaces: boolean; now: Date }): string[] {
  const rows = [...rollouts]
    .sort(byNamespaceAndName)
    .map((r) => (options.allNamespaces ? [r.metadata.namespace ?? '', ...row(r, options.now)] : row(r, options.now)));
  return formatTable([options.allNamespaces ? ['NAMESPACE', ...HEADER] : HEADER, ...rows]);
}

function byNamespaceAndName(a: Rollout, b: Rollout): number {
  return (a.metadata.namespace ?? '').localeCompare(b.metadata.namespace ?? '') || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
}

function row(rollout: Rollout, now: Date): string[] {
  const status = rollout.status ?? {};
  const canary = rollout.spec.strategy.canary;
  return [
    rollout.metadata.name ?? '',
    cell(status.phase),
    cell(status.canaryWeight),
    shortStep(stepOf(rollout)) ?? NONE,
    cell(status.failedChecks),
    cell(status.strategy),
    ageOf(status.lastTransitionTime, now),
    cell(rollout.spec.analysis?.interval),
    canary?.stepWeights ? JSON.stringify(canary.stepWeights) : NONE,
    cell(canary?.mirror?.percentage),
    cell(status.message),
  ];
}

function cell(value: number | string | undefined): string {
  return value === undefined ? NONE : String(value);
}

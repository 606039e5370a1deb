import type { GateResult, ManualAction, MetricResult, Phase, Rollout, RolloutStatus, StrategyName } from '../api/types.gen.js';
import { DEFAULTS } from '../api/schema/defaults.js';
import { strategyOf } from '../domain/strategies/index.js';
import { stepOf, type StepPosition } from './step.js';

/**
 * What `status -o json|yaml` prints: the status view as data (docs/plugin.md,
 * "Machine-readable output"). Every key is always present, null when there
 * is nothing to say, so a script can read a field without first asking
 * whether it exists; a key is added, never renamed or removed.
 */
export interface StatusObject {
  readonly name: string;
  readonly namespace: string;
  /** null before the controller wrote a status. */
  readonly phase: Phase | null;
  readonly paused: boolean;
  readonly strategy: StrategyName;
  readonly canaryWeight: number;
  readonly mirrorWeight: number;
  /** Where a release in progress stands; null when none is, or the strategy does not count steps. */
  readonly step: StepPosition | null;
  readonly failedChecks: number;
  /** Failed checks that roll back (spec.analysis.threshold). */
  readonly threshold: number;
  /** The revision released last (status.lastAppliedSpec) and the one the primary runs (status.lastPromotedSpec). */
  readonly revision: { readonly applied: string | null; readonly promoted: string | null };
  /** The approval in force for the revision released; null otherwise. */
  readonly approval: ManualAction | null;
  /** The full promotion that skipped the analysis of the revision released; null otherwise. */
  readonly fullPromotion: ManualAction | null;
  readonly metrics: readonly MetricResult[];
  readonly gates: readonly GateResult[];
  readonly message: string | null;
  readonly lastTransitionTime: string | null;
}

export function statusObject(rollout: Rollout): StatusObject {
  const status = rollout.status ?? {};
  return {
    name: rollout.metadata.name ?? '',
    namespace: rollout.metadata.namespace ?? 'default',
    phase: status.phase ?? null,
    paused: rollout.spec.suspend ?? false,
    strategy: status.strategy ?? strategyOf(rollout.spec),
    ...progress(rollout, status),
    ...actions(status),
    metrics: status.analysis ?? [],
    gates: status.gates ?? [],
    message: status.message ?? null,
    lastTransitionTime: status.lastTransitionTime ?? null,
  };
}

type Progress = Pick<StatusObject, 'canaryWeight' | 'mirrorWeight' | 'step' | 'failedChecks' | 'threshold'>;

function progress(rollout: Rollout, status: RolloutStatus): Progress {
  return {
    canaryWeight: status.canaryWeight ?? 0,
    mirrorWeight: status.mirrorWeight ?? 0,
    step: stepOf(rollout) ?? null,
    failedChecks: status.failedChecks ?? 0,
    threshold: rollout.spec.analysis?.threshold ?? DEFAULTS.threshold,
  };
}

/** The revisions, and the manual actions that concern the revision released (older ones are history, not state). */
function actions(status: RolloutStatus): Pick<StatusObject, 'revision' | 'approval' | 'fullPromotion'> {
  const applied = status.lastAppliedSpec ?? null;
  const forApplied = (action: ManualAction | undefined): ManualAction | null => (action && action.revision === applied ? action : null);
  return { revision: { applied, promoted: status.lastPromotedSpec ?? null }, approval: forApplied(status.approval), fullPromotion: forApplied(status.fullPromotion) };
}

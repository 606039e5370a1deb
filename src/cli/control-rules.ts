import type { Rollout, RolloutStatus } from '../api/types.gen.js';
import { CONTROL_ANNOTATIONS, type ControlAnnotation } from '../api/names.js';
import { releaseInProgress } from './step.js';

/** The manual actions: each writes the control annotation of its name. */
export type ControlAction = keyof typeof CONTROL_ANNOTATIONS;

export function annotationOf(action: ControlAction): ControlAnnotation {
  return CONTROL_ANNOTATIONS[action];
}

/** What an action is about: the revision it applies to, or why there is nothing to act on. */
export type ControlTarget = { readonly revision: string } | { readonly refusal: string };

/**
 * Decides whether `action` has something to act on, so the plugin refuses
 * rather than writing an annotation the controller would ignore.
 */
export function controlTarget(action: ControlAction, rollout: Rollout): ControlTarget {
  const status: RolloutStatus = rollout.status ?? {};
  const name = rollout.metadata.name ?? '';
  const phase = status.phase ?? 'without a status yet';
  const revision = status.lastAppliedSpec;
  switch (action) {
    case 'approve':
      return approveTarget(rollout, name, phase);
    case 'abort':
      if (!revision || !releaseInProgress(status.phase)) {
        return { refusal: `nothing to abort: ${name} is ${phase}, no release is in progress (abort applies in phase Progressing, Waiting or WaitingPromotion)` };
      }
      return { revision };
    case 'retry':
      if (!revision || status.phase !== 'Failed') {
        return { refusal: `nothing to retry: ${name} is ${phase}; retry releases a Failed revision again` };
      }
      return { revision };
  }
}

function approveTarget(rollout: Rollout, name: string, phase: string): ControlTarget {
  const status: RolloutStatus = rollout.status ?? {};
  const revision = status.lastAppliedSpec;
  if (!revision || !releaseInProgress(status.phase)) {
    return { refusal: `nothing to approve: ${name} is ${phase}, no release is in progress (approve applies in phase Progressing, Waiting or WaitingPromotion)` };
  }
  if (!hasManualGate(rollout)) {
    return { refusal: `nothing to approve: ${name} has no manual gate (a spec.analysis.webhooks[] entry with manual: true); its gates open on their webhooks' answers` };
  }
  if (status.approval?.revision === revision) {
    return { refusal: `nothing to approve: revision ${revision} of ${name} is already approved (by ${status.approval.by} at ${status.approval.at})` };
  }
  return { revision };
}

/** `manual` arrives with the gates work; read through unknown so this builds before and after it. */
function hasManualGate(rollout: Rollout): boolean {
  const webhooks: readonly unknown[] = rollout.spec.analysis?.webhooks ?? [];
  return webhooks.some((w) => typeof w === 'object' && w !== null && 'manual' in w && w.manual === true);
}

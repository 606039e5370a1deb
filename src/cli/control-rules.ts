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
    case 'promote':
      return promoteTarget(rollout, name, phase);
    case 'promoteFull':
      return fullPromotionTarget(rollout, name, phase);
  }
}

/**
 * promote makes the next check due now: only a Progressing release has one
 * to wait for. Waiting and WaitingPromotion wait for gates, which promote
 * does not open (approve opens manual ones; a webhook answers for itself).
 */
function promoteTarget(rollout: Rollout, name: string, phase: string): ControlTarget {
  const status: RolloutStatus = rollout.status ?? {};
  const revision = status.lastAppliedSpec;
  if (status.phase === 'Waiting' || status.phase === 'WaitingPromotion') {
    return { refusal: `nothing to promote: ${name} is ${phase}, it waits for a gate, not for a check (${status.message ?? 'see status.gates'}); approve opens manual gates` };
  }
  if (!revision || status.phase !== 'Progressing') {
    return { refusal: `nothing to promote: ${name} is ${phase}, no release is in progress (promote applies in phase Progressing)` };
  }
  const skipped = skippedBy(rollout, revision);
  if (skipped) return { refusal: `nothing to promote: ${name} skips its analysis (${skipped}); it promotes as soon as its canary is ready and its gates open` };
  return { revision };
}

function fullPromotionTarget(rollout: Rollout, name: string, phase: string): ControlTarget {
  const status: RolloutStatus = rollout.status ?? {};
  const revision = status.lastAppliedSpec;
  if (!revision || !releaseInProgress(status.phase)) {
    return { refusal: `nothing to promote: ${name} is ${phase}, no release is in progress (promote --full applies in phase Progressing or Waiting)` };
  }
  if (status.phase === 'WaitingPromotion') {
    return { refusal: `nothing to skip: ${name} passed its analysis and waits for confirm-promotion (${status.message ?? 'see status.gates'}); promote --full does not open gates, approve opens manual ones` };
  }
  const skipped = skippedBy(rollout, revision);
  if (skipped) return { refusal: `nothing to skip: ${name} already skips its analysis (${skipped})` };
  return { revision };
}

/** Why the release of `revision` already skips its analysis, or undefined. */
function skippedBy(rollout: Rollout, revision: string): string | undefined {
  if (rollout.spec.skipAnalysis) return 'spec.skipAnalysis is true';
  const full = rollout.status?.fullPromotion;
  return full?.revision === revision ? `full promotion asked by ${full.by} at ${full.at}` : undefined;
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

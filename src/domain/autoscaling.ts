// spec.autoscalerRef in the domain: how many replicas flowshift gives what it
// creates or wakes, and when the primary's copy of the autoscaler is synced.
// flowshift never writes replicas an autoscaler owns: it sizes the primary
// once, at creation, and wakes the canary from zero; from then on the
// autoscalers decide.
import type { Action, Decision, TickInput } from './model.js';

/**
 * The replicas `<target>-primary` is created with: as large as the target,
 * or, with an autoscaler, the count it last asked for (the target's when it
 * says none) within its range, so the copy that takes over starts where
 * the user's autoscaler stood.
 */
export function primaryReplicas(input: TickInput): number {
  const current = input.observed.canary?.replicas ?? 0;
  const autoscaler = input.observed.autoscaler;
  if (!autoscaler) return Math.max(current, 1);
  const wanted = autoscaler.desiredReplicas ?? current;
  return Math.max(Math.min(Math.max(wanted, autoscaler.minReplicas), autoscaler.maxReplicas), 1);
}

/**
 * The replicas a canary is woken to from zero: the primary's, or, with an
 * autoscaler, its floor. An HPA leaves a target at zero alone (it reads
 * zero replicas as "autoscaling disabled"), so the canary is woken to where
 * the HPA takes over, and from then on the HPA alone sizes it.
 */
export function wakeReplicas(input: TickInput): number {
  const autoscaler = input.observed.autoscaler;
  if (autoscaler) return Math.max(autoscaler.minReplicas, 1);
  return Math.max(input.observed.primary?.replicas ?? 1, 1);
}

/**
 * The primary's copy of the autoscaler follows the user's: created with the
 * primary, and written again whenever it differs (the user edited theirs,
 * or someone edited the copy), in every phase: on each release and between.
 */
export function withAutoscalerSync(input: TickInput, decision: Decision): Decision {
  const autoscaler = input.observed.autoscaler;
  if (!autoscaler || autoscaler.synced || decision.asks?.length) return decision;
  const primaryThere = input.observed.primary !== undefined || decision.actions.some((a) => a.type === 'ensurePrimary');
  if (!primaryThere) return decision;
  const sync: Action = { type: 'syncAutoscaler' };
  return { ...decision, actions: [...decision.actions, sync] };
}

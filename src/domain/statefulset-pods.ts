// A StatefulSet target in the domain (docs/statefulsets.md): it has no
// primary copy, so its canary is a share of its own pods, the ones its
// partition lets run the update revision. decide() keeps driving it through
// scaleCanary ("replicas" are canary pods: the partition is set to the rest),
// and this file holds what differs from a Deployment: how many canary pods a
// weight needs, a step that waits for them before its weight is routed, and
// the pods a rollback leaves at the update revision, recreated one by one.
import type { RolloutSpec, RolloutStatus } from '../api/types.gen.js';
import { primaryName } from '../api/names.js';
import { event, type Action, type Decision, type TickInput } from './model.js';
import { nextStatus, shortRevision } from './status.js';

/** Whether the target is a StatefulSet, whose canary is a share of its own pods. */
export function podsFollowWeight(spec: Pick<RolloutSpec, 'targetRef'>): boolean {
  return spec.targetRef.kind === 'StatefulSet';
}

/** The primary as messages name it: `<target>-primary`, or a StatefulSet's own pods at its current revision. */
export function primaryNamed(spec: Pick<RolloutSpec, 'targetRef'>): string {
  return podsFollowWeight(spec) ? `StatefulSet ${spec.targetRef.name} (its pods at the current revision)` : primaryName(spec.targetRef.name);
}

/** The canary at rest, as messages say it. */
export function canaryAtRest(spec: Pick<RolloutSpec, 'targetRef'>): string {
  return podsFollowWeight(spec) ? 'its partition at the top' : `${spec.targetRef.name} scaled to zero`;
}

/**
 * The canary pods of `total` that weight `weight` needs: at least its share
 * of the pods (rounded up), at least one (a release at weight 0 runs one, for
 * its pre-rollout webhooks and an A/B match), and never all of them: the
 * primary keeps one pod at least for the traffic it still has.
 */
export function canaryPodsFor(total: number, weight: number): number {
  const share = Math.max(1, Math.ceil((total * weight) / 100));
  return Math.max(1, Math.min(share, total - 1));
}

/**
 * The canary pods a StatefulSet target needs in `status`: the weight's share;
 * on deletion with revertOnDeletion, all of them (partition 0: the
 * StatefulSet rolls freely again, as it did before the Rollout).
 */
export function statefulCanaryPods(input: TickInput, status: RolloutStatus): number {
  const total = input.observed.primary?.replicas ?? 0;
  if (status.phase === 'Terminating') return total;
  return canaryPodsFor(total, status.canaryWeight ?? 0);
}

/**
 * A step to `next` whose weight needs more canary pods than run: the
 * partition is lowered first and the weight waits, routes unchanged. The
 * check that chose the step runs again once the pods are ready (its time is
 * not recorded), and the progress deadline counts from now: the wait is for
 * pods, not for the time the release already spent at this weight.
 * Undefined when the step can be routed at once.
 */
export function awaitCanaryPods(input: TickInput, next: RolloutStatus): Decision | undefined {
  if (!podsFollowWeight(input.spec)) return undefined;
  const wanted = statefulCanaryPods(input, next);
  const running = input.observed.canary?.replicas ?? 0;
  if (running >= wanted) return undefined;
  const total = input.observed.primary?.replicas ?? 0;
  const weight = next.canaryWeight ?? 0;
  const message = `canary weight ${weight} waits for ${wanted} of ${total} pods of StatefulSet ${input.spec.targetRef.name} at revision ${shortRevision(input.observed.revision)}: partition lowered to ${total - wanted}`;
  const status = { ...nextStatus(input, { phase: 'Progressing' }, message), lastTransitionTime: input.observed.now.toISOString() };
  const scale: Action = { type: 'scaleCanary', replicas: wanted };
  return { status, actions: [scale], events: [event('CanaryPodsAdded', message)] };
}

const RESTING = new Set<RolloutStatus['phase']>(['Initialized', 'Succeeded', 'Failed', 'Waiting']);

/**
 * After a rollback the partition is back at the top, but the pods that ran
 * the update revision still do (a StatefulSet never rolls a pod back by
 * itself). Once the Rollout rests and every pod is ready, one of them is
 * deleted per tick, so the StatefulSet controller recreates it, below the
 * partition, at the current revision; an Event says so each time.
 */
export function withStrandedPods(input: TickInput, decision: Decision): Decision {
  const canary = input.observed.canary;
  const stranded = canary?.stranded;
  if (!canary || !stranded || stranded.pods === 0 || !stranded.allReady || decision.asks?.length) return decision;
  if (!RESTING.has(decision.status.phase) || canary.replicas > 0 || decision.actions.some((a) => a.type === 'scaleCanary')) return decision;
  const current = shortRevision(input.observed.primary?.revision);
  const message = `recreating a pod of StatefulSet ${input.spec.targetRef.name} at revision ${current}: ${stranded.pods} pod(s) still run another revision`;
  const recreate: Action = { type: 'recreateCanaryPod' };
  return { ...decision, actions: [...decision.actions, recreate], events: [...decision.events, event('RecreatingPod', message)] };
}

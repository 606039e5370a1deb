import type { RolloutStatus } from '../api/types.gen.js';
import { wakeReplicas } from './autoscaling.js';
import { podsFollowWeight, statefulCanaryPods } from './statefulset-pods.js';
import { EventType, type Action, type Decision, type RolloutEvent, type Routes, type TickInput } from './model.js';

export function routesOf(status: RolloutStatus): Routes {
  const canary = status.canaryWeight ?? 0;
  const routes = { primary: 100 - canary, canary, mirror: status.mirrorWeight ?? 0 };
  return status.matchRouting ? { ...routes, match: true } : routes;
}

export function sameRoutes(a: Routes | undefined, b: Routes): boolean {
  return a !== undefined && a.primary === b.primary && a.canary === b.canary && a.mirror === b.mirror && (a.match ?? false) === (b.match ?? false);
}

export function describeRoutes(r: Routes): string {
  return `primary ${r.primary} / canary ${r.canary}${r.mirror ? `, mirror ${r.mirror}%` : ''}${r.match ? ', matching requests to the canary' : ''}`;
}

/** Live, mirrored or matched traffic reaches the canary. */
export function receivingTraffic(status: RolloutStatus): boolean {
  return (status.canaryWeight ?? 0) > 0 || (status.mirrorWeight ?? 0) > 0 || status.matchRouting === true;
}

/** The actions that bring observed routes and canary scale in line with `status`. */
export function convergeActions(input: TickInput, status: RolloutStatus, canary: 'up' | 'zero'): Action[] {
  const actions: Action[] = [];
  const routes = routesOf(status);
  if (input.observed.routes && !sameRoutes(input.observed.routes, routes)) actions.push({ type: 'setRoutes', routes });
  const running = input.observed.canary?.replicas ?? 0;
  const scaled = running > 0;
  // A StatefulSet's canary pods follow the weight (more, never fewer, during a release); any other canary is woken from zero once.
  const short = podsFollowWeight(input.spec) ? running < canaryReplicas(input, status) : !scaled;
  if (canary === 'up' && short) actions.push({ type: 'scaleCanary', replicas: canaryReplicas(input, status) });
  if (canary === 'zero' && scaled) actions.push({ type: 'scaleCanary', replicas: 0 });
  return actions;
}

/**
 * The route writes of `actions` as safe routes (written before the status,
 * whether or not it wins), the rest as actions: for decisions whose routes
 * go back to the primary (rollback, success), so the status never says the
 * primary serves everything before the route write that makes it true.
 */
export function routesFirst(actions: readonly Action[]): Pick<Decision, 'safeRoutes' | 'actions'> {
  return { safeRoutes: actions.filter((a) => a.type === 'setRoutes'), actions: actions.filter((a) => a.type !== 'setRoutes') };
}

/**
 * A canary scaled up gets as many replicas as the primary, so a step's share
 * of traffic meets as many pods; with an autoscaler, its floor (wakeReplicas).
 * Only a canary at zero is scaled up: one the autoscaler resized keeps its size.
 * A StatefulSet's canary is the share of its pods `status` needs (statefulset-pods.ts).
 */
export function canaryReplicas(input: TickInput, status: RolloutStatus = input.status): number {
  return podsFollowWeight(input.spec) ? statefulCanaryPods(input, status) : wakeReplicas(input);
}

/** A Warning when someone changed the routes by hand since the last tick. */
export function driftEvents(input: TickInput): RolloutEvent[] {
  const observed = input.observed.routes;
  const intended = routesOf(input.status);
  if (!observed || sameRoutes(observed, intended) || input.status.phase === undefined || input.status.phase === 'Initializing') return [];
  return [
    {
      type: EventType.Warning,
      reason: 'RouteDrift',
      message: `VirtualService routes were changed outside flowshift (${describeRoutes(observed)}); restoring ${describeRoutes(intended)}`,
    },
  ];
}

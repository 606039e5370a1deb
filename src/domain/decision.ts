import type { AnalysisVerdict } from '../analysis/analyzer.js';
import type { Condition, Phase, RolloutSpec, RolloutStatus } from '../api/types.gen.js';
import { parseDuration } from '../api/duration.js';
import type { Controls } from './controls.js';
import type { GateAnswers } from './gates.js';

/**
 * What the route does with live traffic: weights (primary + canary = 100),
 * the canary's mirrored (shadow) share, and whether requests matching the A/B
 * test's conditions go to the canary.
 */
export interface Routes {
  readonly primary: number;
  readonly canary: number;
  readonly mirror: number;
  readonly match?: boolean;
}

export interface Readiness {
  readonly ready: boolean;
  /** Why not ready, in words ("1 of 3 replicas available"); empty when ready. */
  readonly message: string;
  /** Not ready and not getting there by itself (a progress deadline passed, the Deployment is missing): said at once. */
  readonly stalled?: boolean;
}

export interface CanaryObservation extends Readiness {
  /** spec.replicas of the target Deployment (0 when scaled down). */
  readonly replicas: number;
}

export interface PrimaryObservation extends Readiness {
  /** The revision the primary's template was copied from (its annotation). */
  readonly revision: string | undefined;
}

/** What one tick saw of the world, gathered before deciding. */
export interface Observations {
  readonly now: Date;
  /** Hash of the target's pod template and the configs it references. */
  readonly revision: string;
  readonly canary: CanaryObservation;
  /** Undefined while the primary Deployment does not exist. */
  readonly primary: PrimaryObservation | undefined;
  /** Undefined while the VirtualService does not exist (or is not this Rollout's). */
  readonly routes: Routes | undefined;
  /** Objects under names flowshift generates that are not this Rollout's, each with the fix: never written. */
  readonly foreign: readonly string[];
}

export interface TickInput {
  readonly spec: RolloutSpec;
  readonly status: RolloutStatus;
  readonly generation: number;
  readonly deleting: boolean;
  readonly observed: Observations;
  /**
   * Why this Rollout cannot be acted on (spec problems, target missing, a
   * claim held by another Rollout, an object it does not own), each naming
   * the field or object and the fix. Non-empty: traffic goes to the primary.
   */
  readonly problems: readonly string[];
  /** Present exactly when needsAnalysis() asked for it. */
  readonly verdict?: AnalysisVerdict;
  /** The manual actions the Rollout's annotations ask for (approve, abort, retry). */
  readonly controls?: Controls;
  /** Webhook gate answers by webhook name: exactly the ones a previous decide() of this tick asked for. */
  readonly gates?: GateAnswers;
  /**
   * References of the Rollout that do not resolve (a MetricTemplate, a
   * Secret or key, an AlertProvider, Prometheus, a container port, a route
   * API), each naming the reference and the fix. Gathered only when
   * preflightDue(): non-empty holds the Rollout before anything moves.
   * Unlike problems, nothing is wrong with the spec itself.
   */
  readonly unresolved?: readonly string[];
}

/** Desired-state assertions; each is idempotent, so a retried tick is harmless. */
export type Action =
  /** Create `<target>-primary` from the target, or keep its template in step while initializing. */
  | { readonly type: 'ensurePrimary' }
  /** Create or update the services, DestinationRules and VirtualService. */
  | { readonly type: 'ensureObjects'; readonly routes: Routes }
  | { readonly type: 'setRoutes'; readonly routes: Routes }
  | { readonly type: 'scaleCanary'; readonly to: 'up' | 'zero' }
  | { readonly type: 'promotePrimary'; readonly revision: string }
  | { readonly type: 'revert' }
  /** An adopted route keeps the stable version: route to the primary, and let the primary and its Service outlive the Rollout. */
  | { readonly type: 'keepStable' }
  | { readonly type: 'removeFinalizer' };

export const EventType = { Normal: 'Normal', Warning: 'Warning' } as const;
export type EventType = (typeof EventType)[keyof typeof EventType];

export interface RolloutEvent {
  readonly type: EventType;
  readonly reason: string;
  readonly message: string;
}

export interface Decision {
  /** The complete next status. */
  readonly status: RolloutStatus;
  /**
   * Carried out together with the status write, without waiting for it to
   * win: only routes to the primary (the safe state), so users stop reaching
   * a canary that must not serve them as soon as possible.
   */
  readonly first?: readonly Action[];
  /** Carried out in order once the status write has won. */
  readonly actions: readonly Action[];
  readonly events: readonly RolloutEvent[];
  /**
   * Webhooks whose answers this decision needs: the tick asks them and
   * decides again with the answers in TickInput.gates. A decision that asks
   * is never written or carried out.
   */
  readonly asks?: readonly string[];
}

export const DEFAULT_PROGRESS_DEADLINE_SECONDS = 600;
export const DEFAULT_THRESHOLD = 5;

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

export function strategyOf(spec: RolloutSpec): RolloutStatus['strategy'] {
  if (spec.strategy.blueGreen) return 'blueGreen';
  if (spec.strategy.abTesting) return 'abTesting';
  return 'canary';
}

/** Live, mirrored or matched traffic reaches the canary. */
export function receivingTraffic(status: RolloutStatus): boolean {
  return (status.canaryWeight ?? 0) > 0 || (status.mirrorWeight ?? 0) > 0 || status.matchRouting === true;
}

/** Seconds since the last phase or weight change. */
export function secondsInState(input: TickInput): number {
  const since = input.status.lastTransitionTime ? Date.parse(input.status.lastTransitionTime) : input.observed.now.getTime();
  return (input.observed.now.getTime() - since) / 1000;
}

export const DEFAULT_INTERVAL_MS = 60_000;

export function analysisIntervalMs(spec: RolloutSpec): number {
  return parseDuration(spec.analysis?.interval ?? '1m') ?? DEFAULT_INTERVAL_MS;
}

/**
 * Whether a check is due: one interval after the last one. Extra ticks (an
 * informer event, a resync, a retried job) must not run extra checks or take
 * extra steps. The slack absorbs clock skew between replicas.
 */
export function analysisDue(input: Pick<TickInput, 'spec' | 'status' | 'observed'>): boolean {
  const last = input.status.lastAnalysisTime;
  if (!last) return true;
  const interval = analysisIntervalMs(input.spec);
  const slack = Math.min(1000, interval / 10);
  return input.observed.now.getTime() - Date.parse(last) >= interval - slack;
}

export function progressDeadline(spec: RolloutSpec): number {
  return spec.progressDeadlineSeconds ?? DEFAULT_PROGRESS_DEADLINE_SECONDS;
}

/**
 * The next status: `patch` over the previous one, with the bookkeeping every
 * decision shares (message, observedGeneration, strategy, lastTransitionTime
 * on a phase or weight change, the Promoted condition).
 */
export function nextStatus(input: TickInput, patch: Partial<RolloutStatus>, message: string): RolloutStatus {
  const prev = input.status;
  const now = input.observed.now.toISOString();
  const next: RolloutStatus = { ...prev, ...patch, message, observedGeneration: input.generation };
  const strategy = strategyOf(input.spec);
  if (strategy) next.strategy = strategy;
  // An absent weight is 0 and an absent matchRouting false: filling one in moves nothing.
  const moved =
    next.phase !== prev.phase ||
    (next.canaryWeight ?? 0) !== (prev.canaryWeight ?? 0) ||
    (next.mirrorWeight ?? 0) !== (prev.mirrorWeight ?? 0) ||
    (next.matchRouting ?? false) !== (prev.matchRouting ?? false);
  next.lastTransitionTime = moved || !prev.lastTransitionTime ? now : prev.lastTransitionTime;
  // Conditions kept by others (AlertsReady, DependencyError) carry over; Invalid and ReferencesResolved are re-added by decide() while they hold.
  const others = (prev.conditions ?? []).filter((c) => !DECIDED_CONDITIONS.has(c.type));
  next.conditions = [promotedCondition(next.phase, message, prev.conditions, now, input.generation), ...others];
  return next;
}

const DECIDED_CONDITIONS = new Set(['Promoted', 'Invalid', 'ReferencesResolved']);

/** The condition a failing API call leaves on the status while it lasts. */
export const DEPENDENCY_ERROR = 'DependencyError';

function promotedCondition(phase: Phase | undefined, message: string, prev: Condition[] | undefined, now: string, generation: number): Condition {
  const [status, reason] = promotedState(phase);
  const before = prev?.find((c) => c.type === 'Promoted');
  const lastTransitionTime = before?.status === status ? before.lastTransitionTime : now;
  return { type: 'Promoted', status, reason, message, lastTransitionTime, observedGeneration: generation };
}

function promotedState(phase: Phase | undefined): [Condition['status'], string] {
  switch (phase) {
    case 'Initialized':
    case 'Succeeded':
      return ['True', phase];
    case 'Failed':
      return ['False', 'Failed'];
    case undefined:
      return ['Unknown', 'Initializing'];
    case 'Initializing':
    case 'Waiting':
    case 'Progressing':
    case 'WaitingPromotion':
    case 'Promoting':
    case 'Finalising':
    case 'Terminating':
    case 'Terminated':
      return ['Unknown', phase];
  }
}

/** The actions that bring observed routes and canary scale in line with `status`. */
export function convergeActions(input: TickInput, status: RolloutStatus, canary: 'up' | 'zero'): Action[] {
  const actions: Action[] = [];
  const routes = routesOf(status);
  if (input.observed.routes && !sameRoutes(input.observed.routes, routes)) actions.push({ type: 'setRoutes', routes });
  const scaled = input.observed.canary.replicas > 0;
  if (canary === 'up' && !scaled) actions.push({ type: 'scaleCanary', to: 'up' });
  if (canary === 'zero' && scaled) actions.push({ type: 'scaleCanary', to: 'zero' });
  return actions;
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

/**
 * The message of a wait for a Deployment to roll out. A routine wait (the
 * Deployment makes progress) keeps the message on record while it is young
 * (under QUIET_WAIT_SECONDS in `phase`): the tick that began it said what
 * it started, and most waits end before anyone reads more. Later, or once
 * the rollout stalls, the wait is written; while the same wait goes on (the
 * new message differs only in its numbers, such as "1 of 2 replicas
 * available"), the one on record stays. Either way a Deployment rolling out
 * is not one status write per replica.
 */
export function waitMessage(input: TickInput, phase: Phase, message: string, detail: Readiness | undefined): string {
  const prev = input.status.message;
  if (prev === undefined || input.status.phase !== phase) return message;
  const routine = detail !== undefined && !detail.stalled && secondsInState(input) < QUIET_WAIT_SECONDS;
  const shape = (text: string): string => text.replace(/\d+/g, '#');
  return routine || shape(prev) === shape(message) ? prev : message;
}

/** How long a routine wait for a Deployment keeps the message of the tick that began it. */
export const QUIET_WAIT_SECONDS = 10;

export function shortRevision(revision: string | undefined): string {
  return (revision ?? '').slice(0, 10);
}

export function event(reason: string, message: string, type: EventType = EventType.Normal): RolloutEvent {
  return { type, reason, message };
}

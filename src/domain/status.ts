import type { Condition, Phase, RolloutStatus } from '../api/types.gen.js';
import type { Readiness, TickInput } from './model.js';
import { secondsInState } from './timing.js';
import { strategyOf } from './strategies/index.js';

/**
 * The next status: `patch` over the previous one, with the bookkeeping every
 * decision shares (message, observedGeneration, strategy, lastTransitionTime
 * on a phase or weight change, the Promoted condition).
 */
export function nextStatus(input: TickInput, patch: Partial<RolloutStatus>, message: string): RolloutStatus {
  const prev = input.status;
  const now = input.observed.now.toISOString();
  const next: RolloutStatus = { ...prev, ...patch, message, observedGeneration: input.generation, strategy: strategyOf(input.spec) };
  // An absent weight is 0 and an absent matchRouting false: filling one in moves nothing.
  const moved =
    next.phase !== prev.phase ||
    (next.canaryWeight ?? 0) !== (prev.canaryWeight ?? 0) ||
    (next.mirrorWeight ?? 0) !== (prev.mirrorWeight ?? 0) ||
    (next.matchRouting ?? false) !== (prev.matchRouting ?? false);
  next.lastTransitionTime = moved || !prev.lastTransitionTime ? now : prev.lastTransitionTime;
  // AlertsReady and DependencyError carry over until finish() (decide/finish.ts) renews or ends them; Invalid and ReferencesResolved are re-added while they hold.
  const others = (prev.conditions ?? []).filter((c) => !DECIDED_CONDITIONS.has(c.type));
  next.conditions = [promotedCondition(next.phase, message, prev.conditions, now, input.generation), ...others];
  return next;
}

const DECIDED_CONDITIONS = new Set(['Promoted', 'Invalid', 'ReferencesResolved', 'StatusRefused']);

/** The condition a failing API call leaves on the status while it lasts. */
export const DEPENDENCY_ERROR = 'DependencyError';

function promotedCondition(phase: Phase | undefined, message: string, prev: Condition[] | undefined, now: string, generation: number): Condition {
  const [status, reason] = promotedState(phase);
  const before = prev?.find((c) => c.type === 'Promoted');
  const lastTransitionTime = before?.status === status ? before.lastTransitionTime : now;
  return { type: 'Promoted', status, reason, message, lastTransitionTime, observedGeneration: generation };
}

function promotedState(phase: Phase | undefined): [Condition['status'], string] {
  switch (standingOf(phase)) {
    case 'promoted':
      return ['True', phase ?? ''];
    case 'failed':
      return ['False', 'Failed'];
    case 'underway':
      return ['Unknown', phase ?? 'Initializing'];
  }
}

/** What a phase says of the release: at rest on a promoted revision, failed, or under way (including not started). */
export type Standing = 'promoted' | 'failed' | 'underway';

/**
 * The one table of phases for the conditions that summarise them (Promoted
 * here, Ready in decide/ready.ts). Waiting and WaitingPromotion wait for a
 * gate, which an answer moves, as a step does; Terminated too is under way:
 * traffic was handed back and the Rollout is going away.
 */
export function standingOf(phase: Phase | undefined): Standing {
  switch (phase) {
    case 'Initialized':
    case 'Succeeded':
      return 'promoted';
    case 'Failed':
      return 'failed';
    case undefined:
    case 'Initializing':
    case 'Waiting':
    case 'Progressing':
    case 'WaitingPromotion':
    case 'Promoting':
    case 'Finalising':
    case 'Terminating':
    case 'Terminated':
      return 'underway';
  }
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

/**
 * A revision as messages show it: flowshift's own hash cut to 10 characters;
 * a StatefulSet's ControllerRevision name (`web-6d8f7b9c5a`, what its pods'
 * controller-revision-hash label says) whole, so it can be found on the pods.
 */
export function shortRevision(revision: string | undefined): string {
  const r = revision ?? '';
  return /^[0-9a-f]*$/.test(r) ? r.slice(0, 10) : r;
}

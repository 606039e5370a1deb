import type { Condition, Phase, RolloutStatus } from '../../api/types.gen.js';
import type { Decision, TickInput } from '../model.js';
import { DEPENDENCY_ERROR, standingOf } from '../status.js';
import { REFERENCES_RESOLVED } from './preflight.js';
import { INVALID, STATUS_REFUSED } from './safety.js';

/**
 * Where a Rollout stands for the tools that only ask "is it done?": Ready
 * (at rest on a healthy primary serving the spec), Reconciling (a release or
 * a fix under way: it gets somewhere by itself or by an answer it waits
 * for), Stalled (it gets nowhere until someone changes something), or
 * Suspended (spec.suspend: nothing moves, on purpose).
 */
export const ReadyState = { Ready: 'Ready', Reconciling: 'Reconciling', Stalled: 'Stalled', Suspended: 'Suspended' } as const;
export type ReadyState = (typeof ReadyState)[keyof typeof ReadyState];

/** The state and its CamelCase reason, which the conditions carry (the Argo CD health check in docs/gitops.md reads the reason). */
export interface Readiness {
  readonly state: ReadyState;
  readonly reason: string;
}

/** The condition types kstatus (Flux) and `kubectl wait` read, written in every status. */
export const READY = 'Ready';
export const RECONCILING = 'Reconciling';
export const STALLED = 'Stalled';

/**
 * The state of a status, for every phase. What holds a Rollout back comes
 * first: a spec or a status the API server refuses needs a fix (Stalled);
 * suspension; references that do not resolve yet and failing API calls are
 * retried (Reconciling). A failed release is Stalled until a retry or a new
 * revision, unless the target is back on the promoted revision: then the
 * primary serves the spec again, as after a success.
 */
export function readyState(status: RolloutStatus, suspended: boolean): Readiness {
  const holds = (type: string, value: Condition['status']): boolean => status.conditions?.some((c) => c.type === type && c.status === value) ?? false;
  if (holds(INVALID, 'True')) return { state: ReadyState.Stalled, reason: 'InvalidSpec' };
  if (holds(STATUS_REFUSED, 'True')) return { state: ReadyState.Stalled, reason: 'StatusRefused' };
  if (suspended) return { state: ReadyState.Suspended, reason: 'Suspended' };
  if (holds(REFERENCES_RESOLVED, 'False')) return { state: ReadyState.Reconciling, reason: 'ReferencesUnresolved' };
  if (holds(DEPENDENCY_ERROR, 'True')) return { state: ReadyState.Reconciling, reason: 'ApplyFailed' };
  return phaseState(status.phase, status.lastAppliedSpec !== undefined && status.lastAppliedSpec === status.lastPromotedSpec);
}

/** The state of each phase (status.ts keeps the one table of phases); `reverted`: the revision on record is the promoted one. */
function phaseState(phase: Phase | undefined, reverted: boolean): Readiness {
  switch (standingOf(phase)) {
    case 'promoted':
      return { state: ReadyState.Ready, reason: phase ?? '' };
    case 'failed':
      return reverted ? { state: ReadyState.Ready, reason: 'RevisionReverted' } : { state: ReadyState.Stalled, reason: 'Failed' };
    case 'underway':
      return { state: ReadyState.Reconciling, reason: phase ?? 'Initializing' };
  }
}

/**
 * The decision's statuses with the Ready, Reconciling and Stalled conditions
 * of the state they are in. Computed from the status being written, so they
 * never cost a write of their own: they change only with the phase, the
 * message or the conditions they are computed from. Each keeps its
 * lastTransitionTime until its status flips.
 */
export function withReadyConditions(input: TickInput, decision: Decision): Decision {
  const status = readyConditions(input, decision.status);
  return decision.settled ? { ...decision, status, settled: readyConditions(input, decision.settled) } : { ...decision, status };
}

const OWN = new Set([READY, RECONCILING, STALLED]);

function readyConditions(input: TickInput, status: RolloutStatus): RolloutStatus {
  const { state, reason } = readyState(status, input.spec.suspend === true);
  const message = status.message ?? '';
  const now = input.observed.now.toISOString();
  // A status that failed to apply keeps the generation last acted on, and so do its conditions: kubectl wait then keeps waiting.
  const observedGeneration = status.observedGeneration ?? input.generation;
  const condition = (type: string, holds: boolean): Condition => {
    const value: Condition['status'] = holds ? 'True' : 'False';
    const before = input.status.conditions?.find((c) => c.type === type);
    const lastTransitionTime = before?.status === value ? before.lastTransitionTime : now;
    // Ready always says why; Reconciling and Stalled only while they hold, so the message is not kept three times.
    return { type, status: value, reason, message: holds || type === READY ? message : '', lastTransitionTime, observedGeneration };
  };
  const others = (status.conditions ?? []).filter((c) => !OWN.has(c.type));
  return {
    ...status,
    conditions: [...others, condition(READY, state === ReadyState.Ready), condition(RECONCILING, state === ReadyState.Reconciling), condition(STALLED, state === ReadyState.Stalled)],
  };
}

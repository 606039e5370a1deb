import type { RolloutStatus } from '../api/types.gen.js';
import {
  DEFAULT_THRESHOLD,
  analysisDue,
  EventType,
  convergeActions,
  driftEvents,
  event,
  nextStatus,
  progressDeadline,
  secondsInState,
  shortRevision,
  type Action,
  type Decision,
  type RolloutEvent,
  type TickInput,
} from './decision.js';
import { nextCanaryWeight, nextPromotionWeight } from './steps.js';

const RELEASE_PHASES = new Set(['Progressing', 'Waiting', 'WaitingPromotion']);

/**
 * Whether this tick needs an analysis verdict before deciding: the canary is
 * ready and receiving traffic (weighted or mirrored) in a release that is not
 * skipping analysis. The tick runs the analysis only then.
 */
export function needsAnalysis(input: Omit<TickInput, 'verdict'>): boolean {
  const { spec, status, observed } = input;
  if (input.deleting || spec.suspend || spec.skipAnalysis) return false;
  if (!RELEASE_PHASES.has(status.phase ?? '')) return false;
  if (observed.revision !== status.lastAppliedSpec || !observed.canary.ready || observed.canary.replicas === 0) return false;
  return receivingTraffic(status) && analysisDue(input);
}

function receivingTraffic(status: RolloutStatus): boolean {
  return (status.canaryWeight ?? 0) > 0 || (status.mirrorWeight ?? 0) > 0;
}

/** Scales the canary up and resets the counters for the revision just observed. */
export function startRelease(input: TickInput, message: string, reason: string): Decision {
  const status = nextStatus(
    input,
    { phase: 'Progressing', canaryWeight: 0, mirrorWeight: 0, failedChecks: 0, iterations: 0, lastAppliedSpec: input.observed.revision, analysis: [] },
    message,
  );
  return { status, actions: convergeActions(input, status, 'up'), events: [event(reason, message)] };
}

/** Progressing: wait for the canary, judge the analysis, then step, mirror or promote. */
export function decideRelease(input: TickInput): Decision {
  const { spec, status: prev, observed } = input;
  if (observed.revision !== prev.lastAppliedSpec) {
    return startRelease(input, `newer revision ${shortRevision(observed.revision)} arrived mid-release: restarting from weight 0`, 'RevisionChanged');
  }
  const drift = driftEvents(input);
  if (!observed.canary.ready || observed.canary.replicas === 0) return waitForCanary(input, drift);
  if (spec.skipAnalysis) return promote(input, 'skipAnalysis is set: promoting without analysis', {});

  const verdict = input.verdict;
  if (receivingTraffic(prev) && !verdict) {
    // Not due yet (an early tick): hold, but still repair drifted routes.
    const status = nextStatus(input, {}, prev.message ?? '');
    return { status, actions: convergeActions(input, status, 'up'), events: drift };
  }
  const evidence: Partial<RolloutStatus> = { lastAnalysisTime: observed.now.toISOString(), ...(verdict ? { analysis: [...verdict.results] } : {}) };
  if (verdict && !verdict.passed) return failedCheck(input, verdict.reason, evidence, drift);
  const next = advance(input, evidence);
  return { ...next, events: [...drift, ...next.events] };
}

function waitForCanary(input: TickInput, drift: RolloutEvent[]): Decision {
  const { spec, observed } = input;
  const deadline = progressDeadline(spec);
  if (secondsInState(input) > deadline) {
    return rollback(input, `canary ${spec.targetRef.name} not ready within ${deadline}s (${observed.canary.message || 'scaled to zero'})`);
  }
  const status = nextStatus(input, { phase: 'Progressing' }, `waiting for canary ${spec.targetRef.name} to be ready: ${observed.canary.message || 'scaling up'}`);
  return { status, actions: convergeActions(input, status, 'up'), events: drift };
}

/** A failed check: count it, and roll back in the very tick the threshold is reached, not one interval later. */
function failedCheck(input: TickInput, reason: string, evidence: Partial<RolloutStatus>, drift: RolloutEvent[]): Decision {
  const failedChecks = (input.status.failedChecks ?? 0) + 1;
  const threshold = input.spec.analysis?.threshold ?? DEFAULT_THRESHOLD;
  if (failedChecks >= threshold) return rollback(input, `${failedChecks} failed checks (${reason})`, { ...evidence, failedChecks });
  const message = `check failed (${failedChecks} of ${threshold}): ${reason}`;
  const status = nextStatus(input, { ...evidence, failedChecks, phase: 'Progressing' }, message);
  return { status, actions: convergeActions(input, status, 'up'), events: [...drift, event('AnalysisFailed', message, EventType.Warning)] };
}

/** One passed tick of a canary release: mirror, step, or promote. */
function advance(input: TickInput, evidence: Partial<RolloutStatus>): Decision {
  const canary = input.spec.strategy.canary ?? {};
  const prev = input.status;
  const weight = prev.canaryWeight ?? 0;
  const mirror = canary.mirror;
  if (mirror && weight === 0) {
    const percentage = mirror.percentage ?? 100;
    const iterations = mirror.iterations ?? 1;
    if ((prev.mirrorWeight ?? 0) === 0 && (prev.iterations ?? 0) === 0) {
      return step(input, { ...evidence, mirrorWeight: percentage }, `mirroring ${percentage}% of traffic to the canary`, 'Mirroring');
    }
    const done = (prev.iterations ?? 0) + 1;
    if (done < iterations) {
      return step(input, { ...evidence, iterations: done }, `mirror analysis ${done} of ${iterations} passed`, 'MirrorAnalysis');
    }
    const first = nextCanaryWeight(canary, 0) ?? 0;
    return step(input, { ...evidence, iterations: done, mirrorWeight: 0, canaryWeight: first }, `mirror analysis passed: advanced canary weight to ${first}`, 'Advanced');
  }
  const nextWeight = nextCanaryWeight(canary, weight);
  if (nextWeight === undefined) return promote(input, `analysis passed at canary weight ${weight}: promoting`, evidence);
  return step(input, { ...evidence, canaryWeight: nextWeight, mirrorWeight: 0 }, `advanced canary weight to ${nextWeight}`, 'Advanced');
}

function step(input: TickInput, patch: Partial<RolloutStatus>, message: string, reason: string): Decision {
  const status = nextStatus(input, { ...patch, phase: 'Progressing' }, message);
  return { status, actions: convergeActions(input, status, 'up'), events: [event(reason, message)] };
}

function promote(input: TickInput, message: string, evidence: Partial<RolloutStatus>): Decision {
  const status = nextStatus(input, { ...evidence, phase: 'Promoting', mirrorWeight: 0 }, message);
  const actions: Action[] = [...convergeActions(input, status, 'up'), { type: 'promotePrimary', revision: input.observed.revision }];
  return { status, actions, events: [event('Promoting', message)] };
}

/** Routes everything to the primary and scales the canary to zero; the primary is never touched. */
export function rollback(input: TickInput, reason: string, patch: Partial<RolloutStatus> = {}): Decision {
  const message = `rolled back: ${reason}`;
  const status = nextStatus(input, { ...patch, phase: 'Failed', canaryWeight: 0, mirrorWeight: 0 }, message);
  const actions = convergeActions(input, status, 'zero');
  // Routes first: they need not wait for the status write to win.
  return {
    status,
    first: actions.filter((a) => a.type === 'setRoutes'),
    actions: actions.filter((a) => a.type !== 'setRoutes'),
    events: [event('RolledBack', message, EventType.Warning)],
  };
}

/** Promoting: the primary takes the canary's template; once ready, traffic shifts back to it. */
export function decidePromoting(input: TickInput): Decision {
  const { spec, status: prev, observed } = input;
  if (observed.revision !== prev.lastAppliedSpec) {
    return startRelease(input, `newer revision ${shortRevision(observed.revision)} arrived during promotion: restarting from weight 0`, 'RevisionChanged');
  }
  const revision = prev.lastAppliedSpec ?? observed.revision;
  const primaryName = `${spec.targetRef.name}-primary`;
  const primary = observed.primary;
  const promoteAction: Action[] = primary?.revision === revision ? [] : [{ type: 'promotePrimary', revision }];
  if (!primary?.ready || primary.revision !== revision) {
    const deadline = progressDeadline(spec);
    if (secondsInState(input) > deadline) return rollback(input, `${primaryName} not ready within ${deadline}s during promotion (${primary?.message ?? 'missing'})`);
    const status = nextStatus(input, {}, `waiting for ${primaryName} to roll out revision ${shortRevision(revision)}: ${primary?.message || 'updating'}`);
    return { status, actions: [...convergeActions(input, status, 'up'), ...promoteAction], events: driftEvents(input) };
  }
  const canaryWeight = nextPromotionWeight(spec.strategy.canary?.stepWeightPromotion, prev.canaryWeight ?? 0);
  const message = `${primaryName} runs revision ${shortRevision(revision)}: shifting traffic back to it (canary weight ${canaryWeight})`;
  const status = nextStatus(input, { phase: 'Finalising', canaryWeight, mirrorWeight: 0 }, message);
  return { status, actions: convergeActions(input, status, 'up'), events: [...driftEvents(input), event('Finalising', message)] };
}

/** Finalising: finish shifting weight to the primary, then scale the canary to zero. */
export function decideFinalising(input: TickInput): Decision {
  const { spec, status: prev } = input;
  const weight = prev.canaryWeight ?? 0;
  if (weight > 0) {
    const canaryWeight = nextPromotionWeight(spec.strategy.canary?.stepWeightPromotion, weight);
    const status = nextStatus(input, { canaryWeight }, `shifting traffic back to the primary: canary weight ${canaryWeight}`);
    return { status, actions: convergeActions(input, status, 'up'), events: driftEvents(input) };
  }
  const revision = prev.lastAppliedSpec ?? '';
  const message = `promotion of revision ${shortRevision(revision)} complete: ${spec.targetRef.name}-primary serves 100%`;
  const status = nextStatus(input, { phase: 'Succeeded', canaryWeight: 0, mirrorWeight: 0, lastPromotedSpec: revision }, message);
  return { status, actions: convergeActions(input, status, 'zero'), events: [...driftEvents(input), event('Succeeded', message)] };
}

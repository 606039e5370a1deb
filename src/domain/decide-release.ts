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
import { nextPromotionWeight } from './steps.js';
import { NO_CANARY_TRAFFIC, advanceFor } from './strategies/index.js';

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
  return analysable(input) && analysisDue(input);
}

/**
 * Whether a check of the canary means something: it has live, mirrored or
 * matched traffic, or it is a blue/green release, whose canary is analysed
 * on its own host (load tests, smoke tests) before any live traffic.
 */
function analysable(input: Pick<TickInput, 'spec' | 'status'>): boolean {
  const { status } = input;
  return (status.canaryWeight ?? 0) > 0 || (status.mirrorWeight ?? 0) > 0 || status.matchRouting === true || input.spec.strategy.blueGreen !== undefined;
}

/** Scales the canary up and resets the counters for the revision just observed. */
export function startRelease(input: TickInput, message: string, reason: string): Decision {
  const status = nextStatus(
    input,
    { phase: 'Progressing', ...NO_CANARY_TRAFFIC, failedChecks: 0, iterations: 0, lastAppliedSpec: input.observed.revision, analysis: [] },
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
  if (spec.skipAnalysis) return promote(input, 'skipAnalysis is set: promoting without analysis', { mirrorWeight: 0 });

  const verdict = input.verdict;
  if (analysable(input) && !verdict) {
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

/** One passed tick: the strategy decides whether to mirror, step, match or promote. */
function advance(input: TickInput, evidence: Partial<RolloutStatus>): Decision {
  return advanceFor(input.spec)(input, {
    step: (patch, message, reason) => step(input, { ...evidence, ...patch }, message, reason),
    promote: (message, patch) => promote(input, message, { ...evidence, ...patch }),
  });
}

function step(input: TickInput, patch: Partial<RolloutStatus>, message: string, reason: string): Decision {
  const status = nextStatus(input, { ...patch, phase: 'Progressing' }, message);
  return { status, actions: convergeActions(input, status, 'up'), events: [event(reason, message)] };
}

function promote(input: TickInput, message: string, patch: Partial<RolloutStatus>): Decision {
  const status = nextStatus(input, { ...patch, phase: 'Promoting' }, message);
  const actions: Action[] = [...convergeActions(input, status, 'up'), { type: 'promotePrimary', revision: input.observed.revision }];
  return { status, actions, events: [event('Promoting', message)] };
}

/** Routes everything to the primary and scales the canary to zero; the primary is never touched. */
export function rollback(input: TickInput, reason: string, patch: Partial<RolloutStatus> = {}): Decision {
  const message = `rolled back: ${reason}`;
  const status = nextStatus(input, { ...patch, phase: 'Failed', ...NO_CANARY_TRAFFIC }, message);
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
  const status = nextStatus(input, { phase: 'Finalising', canaryWeight, mirrorWeight: 0, matchRouting: false }, message);
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
  const status = nextStatus(input, { phase: 'Succeeded', ...NO_CANARY_TRAFFIC, lastPromotedSpec: revision }, message);
  return { status, actions: convergeActions(input, status, 'zero'), events: [...driftEvents(input), event('Succeeded', message)] };
}

import type { RolloutStatus } from '../api/types.gen.js';
import {
  DEFAULT_THRESHOLD,
  EventType,
  convergeActions,
  event,
  nextStatus,
  progressDeadline,
  secondsInState,
  type Action,
  type Decision,
  type RolloutEvent,
  type TickInput,
} from './decision.js';
import { ask, checkGates, mergeGates } from './gates.js';
import { nextCanaryWeight } from './steps.js';

export function waitForCanary(input: TickInput, drift: RolloutEvent[]): Decision {
  const { spec, observed } = input;
  const deadline = progressDeadline(spec);
  if (secondsInState(input) > deadline) {
    return rollback(input, `canary ${spec.targetRef.name} not ready within ${deadline}s (${observed.canary.message || 'scaled to zero'})`);
  }
  const status = nextStatus(input, { phase: 'Progressing' }, `waiting for canary ${spec.targetRef.name} to be ready: ${observed.canary.message || 'scaling up'}`);
  return { status, actions: convergeActions(input, status, 'up'), events: drift };
}

/** A failed check: count it, and roll back in the very tick the threshold is reached, not one interval later. */
export function failedCheck(input: TickInput, reason: string, evidence: Partial<RolloutStatus>, drift: RolloutEvent[]): Decision {
  const failedChecks = (input.status.failedChecks ?? 0) + 1;
  const threshold = input.spec.analysis?.threshold ?? DEFAULT_THRESHOLD;
  if (failedChecks >= threshold) return rollback(input, `${failedChecks} failed checks (${reason})`, { ...evidence, failedChecks });
  const message = `check failed (${failedChecks} of ${threshold}): ${reason}`;
  const status = nextStatus(input, { ...evidence, failedChecks, phase: 'Progressing' }, message);
  return { status, actions: convergeActions(input, status, 'up'), events: [...drift, event('AnalysisFailed', message, EventType.Warning)] };
}

/** One passed tick of a canary release: mirror, step (behind confirm-traffic-increase), or promote (behind confirm-promotion). */
export function advance(input: TickInput, evidence: Partial<RolloutStatus>): Decision {
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
    return increase(input, evidence, { iterations: done, mirrorWeight: 0, canaryWeight: first }, `mirror analysis passed: advanced canary weight to ${first}`);
  }
  const nextWeight = nextCanaryWeight(canary, weight);
  if (nextWeight === undefined) return promoteGated(input, `analysis passed at canary weight ${weight}: promoting`, evidence);
  return increase(input, evidence, { canaryWeight: nextWeight, mirrorWeight: 0 }, `advanced canary weight to ${nextWeight}`);
}

/** A weight increase, once every confirm-traffic-increase gate is open; closed, the weight holds and the analysis goes on. */
function increase(input: TickInput, evidence: Partial<RolloutStatus>, patch: Partial<RolloutStatus>, message: string): Decision {
  const gate = checkGates(input, 'confirm-traffic-increase');
  if (gate.kind === 'ask') return ask(input, gate.names);
  const gates = mergeGates(input.spec, input.status.gates, gate.results);
  if (gate.open) return step(input, { ...evidence, ...patch, gates }, message, 'Advanced');
  const weight = input.status.canaryWeight ?? 0;
  const held = `analysis passed; canary weight ${weight} held: ${gate.reason}`;
  const status = nextStatus(input, { ...evidence, gates, phase: 'Progressing' }, held);
  const events = input.status.message === held ? [] : [event('TrafficIncreaseHeld', held)];
  return { status, actions: convergeActions(input, status, 'up'), events };
}

function step(input: TickInput, patch: Partial<RolloutStatus>, message: string, reason: string): Decision {
  const status = nextStatus(input, { ...patch, phase: 'Progressing' }, message);
  return { status, actions: convergeActions(input, status, 'up'), events: [event(reason, message)] };
}

/** Promotion, once every confirm-promotion gate is open; closed, WaitingPromotion keeps the weight and the analysis goes on. */
export function promoteGated(input: TickInput, message: string, evidence: Partial<RolloutStatus>): Decision {
  const gate = checkGates(input, 'confirm-promotion');
  if (gate.kind === 'ask') return ask(input, gate.names);
  const gates = mergeGates(input.spec, input.status.gates, gate.results);
  if (gate.open) return promote(input, message, { ...evidence, gates });
  const waiting = `analysis passed at canary weight ${input.status.canaryWeight ?? 0}; waiting for confirm-promotion: ${gate.reason}`;
  const status = nextStatus(input, { ...evidence, gates, phase: 'WaitingPromotion' }, waiting);
  const events = input.status.phase === 'WaitingPromotion' && input.status.message === waiting ? [] : [event('WaitingPromotion', waiting)];
  return { status, actions: convergeActions(input, status, 'up'), events };
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

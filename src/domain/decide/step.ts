import type { RolloutStatus } from '../../api/types.gen.js';
import { DEFAULTS } from '../../api/schema/defaults.js';
import { progressDeadline, secondsInState } from '../timing.js';
import { EventType, event, observedCanary, type Action, type Decision, type RolloutEvent, type TickInput } from '../model.js';
import { convergeActions, receivingTraffic, routesFirst } from '../routes.js';
import { nextStatus, waitMessage } from '../status.js';
import { ask, checkGates, mergeGates } from '../gates.js';
import { NO_CANARY_TRAFFIC, advanceFor } from '../strategies/index.js';
import { sameMessage } from '../fit.js';
import { judgedWorse } from '../judged.js';
import { awaitCanaryPods } from '../statefulset-pods.js';

export function waitForCanary(input: TickInput, drift: RolloutEvent[]): Decision {
  const { spec } = input;
  const canary = observedCanary(input);
  const deadline = progressDeadline(spec);
  if (secondsInState(input) > deadline) {
    return rollback(input, `canary ${spec.targetRef.name} not ready within ${deadline}s (${canary.message || 'scaled to zero'})`);
  }
  // Quiet only while the canary gets no traffic: a canary failing under live traffic is said at once.
  const quiet = !receivingTraffic(input.status) ? canary : undefined;
  const message = waitMessage(input, 'Progressing', `waiting for canary ${spec.targetRef.name} to be ready: ${canary.message || 'scaling up'}`, quiet);
  const status = nextStatus(input, { phase: 'Progressing' }, message);
  return { status, actions: convergeActions(input, status, 'up'), events: drift };
}

/**
 * A failed check: count it, and roll back in the very tick the threshold is
 * reached, not one interval later. A judged metric that found the canary
 * worse rolls back at once: its verdict already weighs every interval.
 */
export function failedCheck(input: TickInput, reason: string, evidence: Partial<RolloutStatus>, drift: RolloutEvent[]): Decision {
  const failedChecks = (input.status.failedChecks ?? 0) + 1;
  const worse = judgedWorse(evidence.analysis ?? []);
  if (worse) return rollback(input, worse, { ...evidence, failedChecks });
  const threshold = input.spec.analysis?.threshold ?? DEFAULTS.threshold;
  if (failedChecks >= threshold) return rollback(input, `${failedChecks} failed checks (${reason})`, { ...evidence, failedChecks });
  const message = `check failed (${failedChecks} of ${threshold}): ${reason}`;
  const status = nextStatus(input, { ...evidence, failedChecks, phase: 'Progressing' }, message);
  return { status, actions: convergeActions(input, status, 'up'), events: [...drift, event('AnalysisFailed', message, EventType.Warning)] };
}

/**
 * One passed tick: the strategy picks the move (mirror, step, match or
 * promote); a weight increase waits for confirm-traffic-increase and a
 * promotion for confirm-promotion.
 */
export function advance(input: TickInput, evidence: Partial<RolloutStatus>): Decision {
  return advanceFor(input.spec)(input, {
    step: (patch, message, reason) =>
      reason === 'Advanced' ? increase(input, evidence, patch, message) : step(input, { ...evidence, ...patch }, message, reason),
    promote: (message, patch) => promoteGated(input, message, { ...evidence, ...patch }),
  });
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
  const events = sameMessage(input.status.message, held) ? [] : [event('TrafficIncreaseHeld', held)];
  return { status, actions: convergeActions(input, status, 'up'), events };
}

function step(input: TickInput, patch: Partial<RolloutStatus>, message: string, reason: string): Decision {
  const status = nextStatus(input, { ...patch, phase: 'Progressing' }, message);
  const pods = awaitCanaryPods(input, status);
  if (pods) return pods;
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
  const events = input.status.phase === 'WaitingPromotion' && sameMessage(input.status.message, waiting) ? [] : [event('WaitingPromotion', waiting)];
  return { status, actions: convergeActions(input, status, 'up'), events };
}

function promote(input: TickInput, message: string, evidence: Partial<RolloutStatus>): Decision {
  const status = nextStatus(input, { mirrorWeight: 0, ...evidence, phase: 'Promoting' }, message);
  const actions: Action[] = [...convergeActions(input, status, 'up'), { type: 'promotePrimary', revision: input.observed.revision }];
  return { status, actions, events: [event('Promoting', message)] };
}

/** Routes everything to the primary and scales the canary to zero; the primary is never touched. */
export function rollback(input: TickInput, reason: string, patch: Partial<RolloutStatus> = {}): Decision {
  const message = `rolled back: ${reason}`;
  const status = nextStatus(input, { ...patch, phase: 'Failed', ...NO_CANARY_TRAFFIC }, message);
  // Routes first: they need not wait for the status write to win.
  return { status, ...routesFirst(convergeActions(input, status, 'zero')), events: [event('RolledBack', message, EventType.Warning)] };
}

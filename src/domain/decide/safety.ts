import type { Condition, RolloutStatus } from '../../api/types.gen.js';
import { rollback } from './release.js';
import { NO_CANARY_TRAFFIC } from '../strategies/index.js';
import { DEPENDENCY_ERROR, nextStatus } from '../status.js';
import { EventType, event, type Action, type Decision, type Routes, type TickInput } from '../model.js';
import { progressDeadline } from '../timing.js';
import { sameRoutes } from '../routes.js';
import { sameMessage } from '../fit.js';
import { STATUS_LIMITS } from '../../api/schema/limits.js';

/**
 * The safe state: whatever the Rollout was doing, live traffic goes to the
 * primary (weights and mirror), the one version known to serve.
 */
export const PRIMARY_ONLY: Routes = { primary: 100, canary: 0, mirror: 0 };

/** Routes to the primary when the observed route sends anything anywhere else. */
export function safeRoutes(input: Pick<TickInput, 'observed'>): Action[] {
  const observed = input.observed.routes;
  return observed && !sameRoutes(observed, PRIMARY_ONLY) ? [{ type: 'setRoutes', routes: PRIMARY_ONLY }] : [];
}

/**
 * A Rollout that cannot be acted on (bad spec, target gone, a name someone
 * else owns): traffic to the primary first, then say why in the status and an
 * Event. Nothing else is created, scaled or promoted until the problem is
 * fixed; the release then resumes from weight 0.
 */
export function decideBlocked(input: TickInput, problems: readonly string[]): Decision {
  const routes = safeRoutes(input);
  const prev = input.status;
  const moved = routes.length > 0 || (prev.canaryWeight ?? 0) > 0 || (prev.mirrorWeight ?? 0) > 0 || prev.matchRouting === true;
  const message = `invalid: ${problems.join('; ')}${moved ? '; live traffic routed to the primary' : ''}`;
  const status = nextStatus(input, NO_CANARY_TRAFFIC, message);
  status.conditions = [...(status.conditions ?? []), invalidCondition(input, message)];
  const events = sameMessage(input.status.message, message) ? [] : [event('InvalidSpec', message, EventType.Warning)];
  return { status, safeRoutes: routes, actions: [], events };
}

/** The condition a Rollout that cannot be acted on carries while it lasts. */
export const INVALID = 'Invalid';

function invalidCondition(input: TickInput, message: string): Condition {
  const before = input.status.conditions?.find((c) => c.type === INVALID);
  const lastTransitionTime = before && sameMessage(before.message, message, STATUS_LIMITS.conditionMessage) ? before.lastTransitionTime : input.observed.now.toISOString();
  return { type: INVALID, status: 'True', reason: 'InvalidSpec', message, lastTransitionTime, observedGeneration: input.generation };
}

const RELEASING = new Set<RolloutStatus['phase']>(['Progressing', 'Waiting', 'WaitingPromotion', 'Promoting', 'Finalising']);

/**
 * The API server refused to carry out a decision (a route, a scale, a
 * promotion). Retried every tick; once it has failed for longer than the
 * progress deadline during a release, the release is rolled back so the
 * canary does not keep live traffic that nothing is steering.
 */
export function decideDependencyError(input: TickInput, problem: string): Decision {
  const prev = input.status;
  const now = input.observed.now;
  const failing = prev.conditions?.find((c) => c.type === DEPENDENCY_ERROR);
  const since = failing ? Date.parse(failing.lastTransitionTime) : now.getTime();
  const deadline = progressDeadline(input.spec);
  if (RELEASING.has(prev.phase) && (now.getTime() - since) / 1000 > deadline) {
    const decision = rollback(input, `could not apply a decision for more than ${deadline}s (${problem})`);
    return { ...decision, status: { ...decision.status, conditions: (decision.status.conditions ?? []).filter((c) => c.type !== DEPENDENCY_ERROR) } };
  }
  const message = `could not apply the decision, retrying: ${problem}`;
  const condition: Condition = {
    type: DEPENDENCY_ERROR,
    status: 'True',
    reason: 'ApplyFailed',
    message,
    lastTransitionTime: failing?.lastTransitionTime ?? now.toISOString(),
    observedGeneration: input.generation,
  };
  const status: RolloutStatus = { ...prev, message, conditions: [...(prev.conditions ?? []).filter((c) => c.type !== DEPENDENCY_ERROR), condition] };
  const events = sameMessage(prev.message, message) ? [] : [event('ApplyFailed', message, EventType.Warning)];
  return { status, actions: [], events };
}

/** The condition left while the API server refuses the status decide() made. */
export const STATUS_REFUSED = 'StatusRefused';

/**
 * The API server refused the decided status (422: a field it will never
 * accept). Nothing of that decision was carried out; the status on record
 * stays, with a message and a condition naming the refusal, so the Rollout
 * says why it does not move instead of retrying the same write forever.
 */
export function decideStatusRefused(input: TickInput, problem: string): Decision {
  const prev = input.status;
  const message = `the API server refused the status flowshift decided, so nothing moved: ${problem}`;
  const before = prev.conditions?.find((c) => c.type === STATUS_REFUSED);
  const condition: Condition = {
    type: STATUS_REFUSED,
    status: 'True',
    reason: 'Invalid',
    message,
    lastTransitionTime: before?.lastTransitionTime ?? input.observed.now.toISOString(),
    observedGeneration: input.generation,
  };
  const status: RolloutStatus = { ...prev, message, conditions: [...(prev.conditions ?? []).filter((c) => c.type !== STATUS_REFUSED), condition] };
  const events = sameMessage(prev.message, message) ? [] : [event('StatusRefused', message, EventType.Warning)];
  return { status, actions: [], events };
}

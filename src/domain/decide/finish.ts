import { hooksOf } from '../gates.js';
import type { Decision, TickInput } from '../model.js';
import { DEPENDENCY_ERROR } from '../status.js';
import { fitStatus } from '../fit.js';
import { alertsCheckDue, withAlertsCondition } from './alerts.js';
import { withReadyConditions } from './ready.js';

/**
 * What every decision carries besides its phase's choice: the finalizer,
 * the post-rollout webhooks of a release that just ended, the AlertsReady
 * condition, the end of a dependency error, and a status cut to the CRD's
 * limits with its Ready conditions. A decision that still asks is returned
 * as it is: it is decided again once answered.
 */
export function finish(input: TickInput, decision: Decision): Decision {
  if (decision.asks?.length) return decision;
  if (alertsCheckDue(input, decision)) return { ...decision, asks: [{ kind: 'alerts' }] };
  return fitted(input, settle(withHooks(input, withFinalizer(input, withAlertsCondition(input, decision)))));
}

/** The statuses a decision writes, with the Ready, Reconciling and Stalled conditions they call for, cut to the CRD's limits. */
export function fitted(input: TickInput, decided: Decision): Decision {
  const decision = withReadyConditions(input, decided);
  const status = fitStatus(decision.status);
  return decision.settled ? { ...decision, status, settled: fitStatus(decision.settled) } : { ...decision, status };
}

/** revertOnDeletion and an adopted route need a finalizer, so the Rollout can hand traffic back before it goes. */
function withFinalizer(input: TickInput, decision: Decision): Decision {
  if (input.deleting) return decision;
  const wanted = input.spec.revertOnDeletion === true || input.spec.service.virtualServiceRef !== undefined;
  if (wanted === input.hasFinalizer) return decision;
  return { ...decision, finalizer: wanted ? 'add' : 'remove' };
}

const ENDED = new Set(['Succeeded', 'Failed']);

/**
 * A release that ends in this decision tells its post-rollout webhooks, once:
 * they are called after the status that ends it is written, so a lost write
 * (the tick is dropped and decided again) never calls them twice.
 */
export function withHooks(input: TickInput, decision: Decision): Decision {
  if (ENDED.has(input.status.phase ?? '') || !ENDED.has(decision.status.phase ?? '')) return decision;
  const hooks = hooksOf(input.spec, 'post-rollout').map((h) => h.name);
  return hooks.length ? { ...decision, hooks } : decision;
}

/**
 * A dependency error on record ends once every action of a tick went
 * through: with nothing to carry out, at once; otherwise `settled` is the
 * status written after the actions.
 */
function settle(decision: Decision): Decision {
  const conditions = decision.status.conditions ?? [];
  if (!conditions.some((c) => c.type === DEPENDENCY_ERROR)) return decision;
  const settled = { ...decision.status, conditions: conditions.filter((c) => c.type !== DEPENDENCY_ERROR) };
  if (decision.actions.length || decision.safeRoutes?.length) return { ...decision, settled };
  return { ...decision, status: settled };
}

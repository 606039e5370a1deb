import type { Condition } from '../../api/types.gen.js';
import { EventType, event, type Decision, type TickInput } from '../model.js';
import { sameMessage } from '../fit.js';
import { STATUS_LIMITS } from '../../api/schema/limits.js';

/** The condition that says whether every alert can be delivered. */
export const ALERTS_READY = 'AlertsReady';

/**
 * Whether the alerts' AlertProviders and Secrets must be checked before this
 * decision is written: the spec changed, a problem stands, or the decision
 * has Events to tell (a provider may have gone since the last check).
 */
export function alertsCheckDue(input: TickInput, decision: Decision): boolean {
  if (!input.spec.analysis?.alerts?.length || input.alerts) return false;
  const condition = input.status.conditions?.find((c) => c.type === ALERTS_READY);
  const current = condition?.status === 'True' && condition.observedGeneration === input.generation;
  return !current || decision.events.length > 0;
}

/**
 * The AlertsReady condition from this tick's check: an alert whose
 * AlertProvider or Secret is missing is reported at once (condition and a
 * Warning Event naming the object) and never holds the release. Without
 * alerts the condition goes, so a stale one does not mislead.
 */
export function withAlertsCondition(input: TickInput, decision: Decision): Decision {
  const conditions = decision.status.conditions ?? [];
  const others = conditions.filter((c) => c.type !== ALERTS_READY);
  if (!input.spec.analysis?.alerts?.length) {
    return others.length === conditions.length ? decision : { ...decision, status: { ...decision.status, conditions: others } };
  }
  const check = input.alerts;
  if (!check) return decision;
  const prev = input.status.conditions?.find((c) => c.type === ALERTS_READY);
  const condition = alertsCondition(check.problems, prev, input);
  const status = { ...decision.status, conditions: [...others, condition] };
  const news = check.problems.length > 0 && !(prev && sameMessage(prev.message, condition.message, STATUS_LIMITS.conditionMessage));
  const told = news ? [event('AlertMisconfigured', `alerts will not be sent: ${condition.message}`, EventType.Warning)] : [];
  return { ...decision, status, events: [...decision.events, ...told] };
}

function alertsCondition(problems: readonly string[], prev: Condition | undefined, input: TickInput): Condition {
  const status: Condition['status'] = problems.length ? 'False' : 'True';
  return {
    type: ALERTS_READY,
    status,
    reason: problems.length ? 'AlertProviderMissing' : 'AlertProvidersFound',
    message: problems.length ? problems.join('; ') : 'every alert has its AlertProvider and Secret',
    lastTransitionTime: prev?.status === status && prev.lastTransitionTime ? prev.lastTransitionTime : input.observed.now.toISOString(),
    observedGeneration: input.generation,
  };
}

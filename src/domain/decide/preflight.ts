import type { Condition, RolloutStatus } from '../../api/types.gen.js';
import { EventType, event, type Decision, type TickInput } from '../model.js';
import { convergeActions, receivingTraffic } from '../routes.js';
import { nextStatus } from '../status.js';
import { sameMessage } from '../fit.js';

/** The condition the preflight leaves while a reference does not resolve. */
export const REFERENCES_RESOLVED = 'ReferencesResolved';

const INITIALIZING = new Set<RolloutStatus['phase']>([undefined, 'Initializing', 'Terminating', 'Terminated']);
const BEFORE_TRAFFIC = new Set<RolloutStatus['phase']>(['Progressing', 'Waiting']);

/**
 * Whether this tick must resolve the Rollout's references first: it is about
 * to create the Rollout's objects, or to give a new revision its first
 * traffic. A Rollout already serving the canary is not held back: a
 * reference that disappears then fails the analysis, as a check should.
 */
export function preflightDue(input: Pick<TickInput, 'status' | 'deleting' | 'spec'>): boolean {
  if (input.deleting || input.spec.suspend) return false;
  const { status } = input;
  if (INITIALIZING.has(status.phase)) return true;
  return BEFORE_TRAFFIC.has(status.phase) && !receivingTraffic(status) && !checksStarted(status);
}

/** A blue/green canary is analysed before any traffic: once its checks ran, they judge it. */
function checksStarted(status: RolloutStatus): boolean {
  return (status.analysis?.length ?? 0) > 0 || (status.iterations ?? 0) > 0 || (status.failedChecks ?? 0) > 0;
}

/**
 * A reference of the Rollout does not resolve (a MetricTemplate, a Secret, a
 * Prometheus, a container port, a route API): nothing is created and no
 * traffic moves until it does. Not a failed check: nothing ran, so nothing
 * is rolled back; the release starts on the first tick that resolves them all.
 */
export function decidePreflight(input: TickInput): Decision | undefined {
  const unresolved = input.unresolved ?? [];
  if (unresolved.length === 0 || !preflightDue(input)) return undefined;
  const initializing = INITIALIZING.has(input.status.phase);
  const what = initializing ? 'nothing is created' : 'the new revision gets no traffic';
  const message = `waiting for references (${what} until they resolve): ${unresolved.join('; ')}`;
  const patch: Partial<RolloutStatus> = initializing ? { phase: 'Initializing', canaryWeight: 0, mirrorWeight: 0 } : {};
  const status = nextStatus(input, patch, message);
  status.conditions = [...(status.conditions ?? []), unresolvedCondition(input, message)];
  const actions = initializing ? [] : convergeActions(input, status, input.status.phase === 'Progressing' ? 'up' : 'zero');
  const events = sameMessage(input.status.message, message) ? [] : [event('ReferencesUnresolved', message, EventType.Warning)];
  return { status, actions, events };
}

function unresolvedCondition(input: TickInput, message: string): Condition {
  const before = input.status.conditions?.find((c) => c.type === REFERENCES_RESOLVED);
  const lastTransitionTime = before ? before.lastTransitionTime : input.observed.now.toISOString();
  return { type: REFERENCES_RESOLVED, status: 'False', reason: 'ReferenceNotFound', message, lastTransitionTime, observedGeneration: input.generation };
}

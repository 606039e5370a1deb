import { DEPENDENCY_ERROR } from '../status.js';
import type { Decision, TickInput } from '../model.js';

/**
 * Whether a Rollout may rest after a tick that wrote and did nothing: no
 * timed tick until something it watches changes (its spec or control
 * annotations, its target, the configs and routes it uses, deletion) or the
 * periodic resync. Ended releases with no new revision rest, and so do
 * suspended Rollouts and blocked ones (each waits for a fix, which is a
 * change). Anything that must be asked again every interval does not: a
 * release under way, references that do not resolve yet, a dependency error.
 */
export function idleUntilChange(input: TickInput, decision: Decision): boolean {
  if (input.deleting || input.unresolved?.length) return false;
  if (decision.status.conditions?.some((c) => c.type === DEPENDENCY_ERROR)) return false;
  if (input.problems.length || input.observed.foreign.length || input.spec.suspend) return true;
  const phase = decision.status.phase;
  const ended = phase === 'Initialized' || phase === 'Succeeded' || phase === 'Failed';
  return ended && input.observed.revision === decision.status.lastAppliedSpec;
}

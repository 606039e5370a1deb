import type { GateResult } from '../../api/types.gen.js';
import { retryOf } from '../controls.js';
import { EventType, event, type Decision, type TickInput } from '../model.js';
import { shortRevision } from '../status.js';
import { startRelease } from './release.js';
import { ask, checkGates, describeGate, mergeGates } from '../gates.js';

/**
 * Initialized, Succeeded or Failed: a release that ended tells its
 * post-rollout webhooks once (an answer in status.gates means it was sent;
 * a new release clears status.gates), a retry releases the failed revision
 * again, and otherwise `idle` decides.
 */
export function decideEnded(input: TickInput, idle: (input: TickInput) => Decision): Decision {
  const { status } = input;
  let answers: readonly GateResult[] = [];
  if (status.phase === 'Succeeded' || status.phase === 'Failed') {
    const sent = new Set((status.gates ?? []).map((g) => g.name));
    const post = checkGates(input, 'post-rollout', (h) => !sent.has(h.name));
    if (post.kind === 'ask') return ask(input, post.names);
    answers = post.results;
  }
  const retry = retryOf(input);
  const decision = retry
    ? startRelease(input, `retry of revision ${shortRevision(retry.revision)} asked by ${retry.by} at ${retry.at}: releasing it again from weight 0`, 'Retry', { retry })
    : idle(input);
  if (decision.asks) return decision;
  const told = answers.map((r) => event('PostRollout', describeGate(r), r.open ? EventType.Normal : EventType.Warning));
  // Recorded only while the outcome stands: a new release starts without post-rollout answers, so its own end is told again.
  const stands = decision.status.phase === status.phase;
  const recorded = stands && answers.length ? { ...decision.status, gates: mergeGates(input.spec, decision.status.gates, answers) } : decision.status;
  return { ...decision, status: recorded, events: [...told, ...decision.events] };
}

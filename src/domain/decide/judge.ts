import type { MetricResult } from '../../api/types.gen.js';
import { askFor, ask, checkGates, describeGate } from '../gates.js';
import type { AnalysisVerdict, Decision, TickInput } from '../model.js';

/** A check's verdict, the decision that asks for what it still needs, or no verdict yet (a webhook has not answered). */
export type Judgement =
  | { readonly kind: 'asks'; readonly decision: Decision }
  | { readonly kind: 'verdict'; readonly verdict: AnalysisVerdict }
  | { readonly kind: 'pending'; readonly reason: string };

/**
 * One due check of the canary: the metrics first, then its `rollout`
 * webhooks. Failing metrics are the verdict at once, with the webhooks left
 * unasked: a check that may roll back never waits for a webhook. A closed
 * webhook fails the check; one that has not answered yet leaves it open (no
 * verdict this tick, asked again the next). Both kinds of evidence land in
 * status.analysis, webhooks first.
 */
export function judge(input: TickInput): Judgement {
  if (!input.verdict) return { kind: 'asks', decision: askFor(input, [{ kind: 'analysis' }]) };
  if (!input.verdict.passed) return { kind: 'verdict', verdict: input.verdict };
  const hooks = checkGates(input, 'rollout');
  if (hooks.kind === 'ask') return { kind: 'asks', decision: ask(input, hooks.names) };
  const answered = hooks.results.filter((a) => !a.pending);
  const gates = answered.map((a): MetricResult => ({ name: a.name, passed: a.open, message: `webhook ${a.name}: ${a.message}`, time: a.time }));
  const failed = gates.filter((g) => !g.passed);
  if (failed.length) return { kind: 'verdict', verdict: { passed: false, results: [...gates, ...input.verdict.results], reason: failed.map((g) => g.message).join('; ') } };
  const pending = hooks.results.filter((a) => a.pending);
  if (pending.length) return { kind: 'pending', reason: pending.map(describeGate).join('; ') };
  return { kind: 'verdict', verdict: { ...input.verdict, results: [...gates, ...input.verdict.results] } };
}

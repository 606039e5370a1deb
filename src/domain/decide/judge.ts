import type { MetricResult } from '../../api/types.gen.js';
import { askFor, ask, checkGates } from '../gates.js';
import type { AnalysisVerdict, Decision, TickInput } from '../model.js';

/** A check's verdict, or the decision that asks for what it still needs. */
export type Judgement = { readonly kind: 'asks'; readonly decision: Decision } | { readonly kind: 'verdict'; readonly verdict: AnalysisVerdict };

/**
 * One due check of the canary: its `rollout` webhooks first, then the
 * metrics. A closed webhook fails the check with the metrics left unasked;
 * both kinds of evidence land in status.analysis, webhooks first.
 */
export function judge(input: TickInput): Judgement {
  const hooks = checkGates(input, 'rollout');
  if (hooks.kind === 'ask') return { kind: 'asks', decision: ask(input, hooks.names) };
  const gates = hooks.results.map((a): MetricResult => ({ name: a.name, passed: a.open, message: `webhook ${a.name}: ${a.message}`, time: a.time }));
  const failed = gates.filter((g) => !g.passed);
  if (failed.length) return { kind: 'verdict', verdict: { passed: false, results: gates, reason: failed.map((g) => g.message).join('; ') } };
  if (!input.verdict) return { kind: 'asks', decision: askFor(input, [{ kind: 'analysis' }]) };
  return { kind: 'verdict', verdict: { ...input.verdict, results: [...gates, ...input.verdict.results] } };
}

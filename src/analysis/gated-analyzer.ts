import type { Rollout } from '../api/types.gen.js';
import { callWebhook, type WebhookDeps } from '../gates/webhook.js';
import type { AnalysisContext, AnalysisVerdict, Analyzer } from './analyzer.js';

/**
 * Runs a Rollout's `rollout` webhooks before its metrics, every check: a
 * failing webhook fails the check without querying the metrics.
 */
export class GatedAnalyzer implements Analyzer {
  constructor(
    private readonly metrics: Analyzer,
    private readonly deps: WebhookDeps,
  ) {}

  async analyze(rollout: Rollout, context: AnalysisContext, signal?: AbortSignal): Promise<AnalysisVerdict> {
    const hooks = (rollout.spec.analysis?.webhooks ?? []).filter((h) => (h.type ?? 'rollout') === 'rollout');
    const gates = await Promise.all(hooks.map((h) => callWebhook(rollout, h, this.deps)));
    const failed = gates.filter((g) => !g.passed);
    if (failed.length) return { passed: false, results: gates, reason: failed.map((g) => g.message).join('; ') };
    const verdict = await this.metrics.analyze(rollout, context, signal);
    return { ...verdict, results: [...gates, ...verdict.results] };
  }
}

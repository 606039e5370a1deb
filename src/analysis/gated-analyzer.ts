import type { MetricResult, Rollout } from '../api/types.gen.js';
import { WebhookGate, type WebhookDeps } from '../gates/webhook.js';
import type { AnalysisContext, Analyzer } from './analyzer.js';
import type { AnalysisVerdict } from '../domain/model.js';

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
    const revision = rollout.status?.lastAppliedSpec ?? '';
    const answers = await Promise.all(hooks.map((h) => new WebhookGate(h, this.deps).ask(rollout, { revision })));
    const gates = answers.map(
      (a): MetricResult => ({ name: a.name, passed: a.open, message: `webhook ${a.name}: ${a.message}`, time: a.time }),
    );
    const failed = gates.filter((g) => !g.passed);
    if (failed.length) return { passed: false, results: gates, reason: failed.map((g) => g.message).join('; ') };
    const verdict = await this.metrics.analyze(rollout, context, signal);
    return { ...verdict, results: [...gates, ...verdict.results] };
  }
}

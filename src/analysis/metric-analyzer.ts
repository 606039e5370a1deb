import { grantProblem } from '../api/grants.js';
import type { MetricResult, MetricSpec, MetricTemplate, Rollout } from '../api/types.gen.js';
import type { MetricsProvider } from '../metrics/provider.js';
import { templateName } from '../metrics/providers/plugin.js';
import { metricBackendFor, type MetricProviders } from '../metrics/providers/registry.js';
import type { AnalysisContext, Analyzer } from './analyzer.js';
import type { AnalysisVerdict } from '../domain/model.js';
import { metricInterval, planMetricQueries, querySourceOf, type MetricQueries } from './metric-query.js';
import { failedMetric, judgeMetric } from './verdict.js';
import { runJudgedMetric } from './judged-metric.js';
import { parseDuration } from '../api/duration.js';
import type { OutboundPolicy } from '../http/outbound-policy.js';

/** Everything the analyzer reads or calls, so tests can pass their own. */
export interface MetricAnalyzerDeps {
  /** A MetricTemplate, or undefined when it does not exist. May throw on other API errors. */
  readonly readTemplate: (namespace: string, name: string, signal?: AbortSignal) => Promise<MetricTemplate | undefined>;
  /** A Secret's decoded data, or undefined when it does not exist. May throw on other API errors. */
  readonly readSecret: (namespace: string, name: string, signal?: AbortSignal) => Promise<Readonly<Record<string, string>> | undefined>;
  /** The controller's Prometheus (PROMETHEUS_URL), for metrics without a template address. */
  readonly defaultAddress?: string | undefined;
  /** Where a MetricTemplate's own address may connect (the controller's --outbound-* flags); the default address is the operator's, not checked. */
  readonly outbound?: OutboundPolicy | undefined;
  readonly now: () => Date;
  /** The providers by MetricTemplate type; the registry's unless a test brings its own. */
  readonly providers?: MetricProviders;
  /** Per-query timeout; each provider's default when absent. */
  readonly queryTimeoutMs?: number;
}

/** A metric ready to query: its provider, rendered queries and unit. */
interface PreparedMetric {
  readonly provider: MetricsProvider;
  readonly queries: MetricQueries;
  readonly unit: string;
}

/**
 * Runs a Rollout's metrics, each on the provider its MetricTemplate names
 * (the default provider, Prometheus at --prometheus-url, without one). Each
 * metric is resolved (built-in, inline query or MetricTemplate), rendered for
 * the canary (and the primary when it compares with it), syntax-checked,
 * queried and judged. Every failure, including a missing template or Secret
 * and an unknown provider type, becomes a failed result.
 */
export class MetricAnalyzer implements Analyzer {
  private readonly deps: MetricAnalyzerDeps;

  constructor(deps: MetricAnalyzerDeps) {
    this.deps = deps;
  }

  async analyze(rollout: Rollout, context: AnalysisContext, signal?: AbortSignal): Promise<AnalysisVerdict> {
    const metrics = rollout.spec.analysis?.metrics ?? [];
    const results = await Promise.all(metrics.map((metric, index) => this.runMetric(rollout, metric, index, context, signal)));
    const failed = results.filter((r) => !r.passed);
    return { passed: failed.length === 0, results, reason: failed.map((r) => r.message).join('; ') };
  }

  private async runMetric(rollout: Rollout, metric: MetricSpec, index: number, context: AnalysisContext, signal?: AbortSignal): Promise<MetricResult> {
    let prepared: PreparedMetric | string;
    try {
      prepared = await this.prepare(rollout, metric, index, context, signal);
    } catch (err: unknown) {
      prepared = `${metric.name} not checked: ${err instanceof Error ? err.message : String(err)}`;
    }
    if (typeof prepared === 'string') return failedMetric(metric, prepared, this.deps.now());
    const { provider, queries, unit } = prepared;
    if (metric.judge) {
      if (queries.primary === undefined) return failedMetric(metric, `${metric.name}: the primary's query was not rendered`, this.deps.now());
      const judged = { metric: { ...metric, judge: metric.judge }, provider, queries: { canary: queries.canary, primary: queries.primary } };
      return runJudgedMetric({ ...judged, since: releaseStart(rollout, this.deps.now()), stepSeconds: stepSeconds(rollout, metric), now: this.deps.now(), unit }, signal);
    }
    const [canary, primary] = await Promise.all([
      provider.instantQuery(queries.canary, signal),
      queries.primary === undefined ? undefined : provider.instantQuery(queries.primary, signal),
    ]);
    return judgeMetric({ metric, canary, ...(primary ? { primary } : {}), unit, now: this.deps.now() });
  }

  /** Resolves, renders and checks a metric's query; a string says why it cannot run. */
  private async prepare(
    rollout: Rollout,
    metric: MetricSpec,
    index: number,
    context: AnalysisContext,
    signal?: AbortSignal,
  ): Promise<PreparedMetric | string> {
    const source = querySourceOf(metric, context.namespace, rollout.spec.targetRef.kind);
    let template: MetricTemplate | undefined;
    let query: string;
    let unit = '';
    switch (source.kind) {
      case 'missing':
        return source.message;
      case 'template': {
        template = await this.deps.readTemplate(source.namespace, source.name, signal);
        if (!template) return `${metric.name} not checked: MetricTemplate ${source.namespace}/${source.name} not found`;
        // Asked at every analysis, not only before the release: a grant can be revoked mid-release. Never queried then, nor its Secret read.
        const refused = grantProblem(`spec.analysis.metrics[${index}].templateRef`, 'MetricTemplate', context.namespace, template);
        if (refused) return `${metric.name} not checked: ${refused}`;
        query = template.spec.query;
        break;
      }
      case 'inline':
        query = source.query;
        break;
      case 'builtin':
        query = source.query;
        unit = source.unit;
        break;
    }
    const planned = planMetricQueries(query, metric, context, metricInterval(rollout, metric));
    if (!planned.ok) {
      const where = template ? `${templateName(template)} spec.query` : 'query';
      return `${metric.name} ${where} ${planned.problem.message}`;
    }
    const provider = await this.providerFor(template, signal);
    if (typeof provider === 'string') return `${metric.name} not checked: ${provider}`;
    return { provider, queries: planned.queries, unit };
  }

  private async providerFor(template: MetricTemplate | undefined, signal?: AbortSignal): Promise<MetricsProvider | string> {
    const secretRef = template?.spec.provider.secretRef;
    const secret =
      template && secretRef ? await this.deps.readSecret(template.metadata.namespace ?? 'default', secretRef.name, signal) : undefined;
    const chosen = metricBackendFor(template, secret, { address: this.deps.defaultAddress, timeoutMs: this.deps.queryTimeoutMs, outbound: this.deps.outbound }, this.deps.providers);
    if (!chosen.ok) return chosen.message;
    return chosen.backend.plugin.create(chosen.backend.options);
  }
}

/** Where the judge's intervals start: the release's start (a release begun before the field existed: its last phase change). */
function releaseStart(rollout: Rollout, now: Date): Date {
  const at = Date.parse(rollout.status?.releaseStartTime ?? rollout.status?.lastTransitionTime ?? '');
  return Number.isNaN(at) ? now : new Date(at);
}

/** The judge's interval in whole seconds, the step of its range queries. */
function stepSeconds(rollout: Rollout, metric: MetricSpec): number {
  return Math.max(1, Math.round((parseDuration(metricInterval(rollout, metric)) ?? 60_000) / 1000));
}

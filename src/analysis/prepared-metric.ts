import { grantProblem } from '../api/grants.js';
import type { MetricSpec, MetricTemplate, Rollout } from '../api/types.gen.js';
import type { MetricsProvider } from '../metrics/provider.js';
import { templateName } from '../metrics/providers/plugin.js';
import { metricBackendFor, type MetricProviders } from '../metrics/providers/registry.js';
import type { AnalysisContext } from './analyzer.js';
import type { OutboundPolicy } from '../http/outbound-policy.js';
import { metricInterval, planMetricQueries, querySourceOf, type MetricQueries } from './metric-query.js';

/** A metric ready to query: its provider, rendered queries and unit. */
export interface PreparedMetric {
  readonly provider: MetricsProvider;
  readonly queries: MetricQueries;
  readonly unit: string;
}

/** What preparing a metric reads and calls: the controller's, or in a backtest the user's. */
export interface PrepareDeps {
  /** A MetricTemplate, or undefined when it does not exist. May throw on other API errors. */
  readonly readTemplate: (namespace: string, name: string, signal?: AbortSignal) => Promise<MetricTemplate | undefined>;
  /** A Secret's decoded data, or undefined when it does not exist. May throw on other API errors. */
  readonly readSecret: (namespace: string, name: string, signal?: AbortSignal) => Promise<Readonly<Record<string, string>> | undefined>;
  /** The controller's Prometheus (PROMETHEUS_URL), for metrics without a template address. */
  readonly defaultAddress?: string | undefined;
  /** Where a MetricTemplate's own address may connect (the controller's --outbound-* flags); the default address is the operator's, not checked. */
  readonly outbound?: OutboundPolicy | undefined;
  /** The providers by MetricTemplate type; the registry's unless a test brings its own. */
  readonly providers?: MetricProviders;
  /** Per-query timeout; each provider's default when absent. */
  readonly queryTimeoutMs?: number;
  /** The largest answer a query may return; each provider's default when absent. */
  readonly maxResponseBytes?: number;
}

/**
 * Resolves a metric's query (built-in, inline or MetricTemplate, granted to
 * the Rollout's namespace), renders it for the context's canary (and
 * primary when it compares with it), checks its syntax and picks its
 * provider; a string says why it cannot run. The one way a metric is
 * prepared, for a live check and for a backtest.
 */
export async function prepareMetric(
  deps: PrepareDeps,
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
      template = await deps.readTemplate(source.namespace, source.name, signal);
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
  const provider = await providerFor(deps, template, signal);
  if (typeof provider === 'string') return `${metric.name} not checked: ${provider}`;
  return { provider, queries: planned.queries, unit };
}

async function providerFor(deps: PrepareDeps, template: MetricTemplate | undefined, signal?: AbortSignal): Promise<MetricsProvider | string> {
  const secretRef = template?.spec.provider.secretRef;
  const secret = template && secretRef ? await deps.readSecret(template.metadata.namespace ?? 'default', secretRef.name, signal) : undefined;
  const chosen = metricBackendFor(template, secret, { address: deps.defaultAddress, timeoutMs: deps.queryTimeoutMs, outbound: deps.outbound, maxResponseBytes: deps.maxResponseBytes }, deps.providers);
  if (!chosen.ok) return chosen.message;
  return chosen.backend.plugin.create(chosen.backend.options);
}

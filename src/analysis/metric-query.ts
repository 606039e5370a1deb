import { DEFAULTS } from '../api/schema/defaults.js';
import { primaryName } from '../api/names.js';
import type { MetricSpec, Rollout } from '../api/types.gen.js';
import { BUILTIN_METRICS, JUDGED_BUILTIN_QUERIES, isBuiltinMetric, isJudgedBuiltin, type BuiltinMetric } from '../metrics/builtins.js';
import { checkPromql, formatPosition, positionOf, type SourcePosition } from '../metrics/promql.js';
import { renderQuery, templateOffset, type QueryVariables } from '../metrics/render.js';
import type { AnalysisContext } from './analyzer.js';


/** Where a metric's query comes from. Precedence: templateRef, then inline query, then a built-in name. */
export type QuerySource =
  | { readonly kind: 'template'; readonly namespace: string; readonly name: string }
  | { readonly kind: 'inline'; readonly query: string }
  | { readonly kind: 'builtin'; readonly name: BuiltinMetric; readonly query: string; readonly unit: string }
  | { readonly kind: 'missing'; readonly message: string };

export function querySourceOf(metric: MetricSpec, rolloutNamespace: string): QuerySource {
  if (metric.templateRef) {
    return { kind: 'template', namespace: metric.templateRef.namespace ?? rolloutNamespace, name: metric.templateRef.name };
  }
  if (metric.query !== undefined) return { kind: 'inline', query: metric.query };
  if (isBuiltinMetric(metric.name)) {
    const builtin = BUILTIN_METRICS[metric.name];
    const judged = metric.judge && isJudgedBuiltin(metric.name) ? { query: JUDGED_BUILTIN_QUERIES[metric.name] } : {};
    return { kind: 'builtin', name: metric.name, ...builtin, ...judged };
  }
  const builtins = Object.keys(BUILTIN_METRICS).join(', ');
  return {
    kind: 'missing',
    message: `metric "${metric.name}" has no query: it is not a built-in (${builtins}) and sets neither query nor templateRef`,
  };
}

/** The workloads of a Rollout, as the analysis names them (the engine may pass its own). */
export function analysisContextOf(rollout: Rollout): AnalysisContext {
  const target = rollout.spec.targetRef.name;
  return {
    namespace: rollout.metadata.namespace ?? 'default',
    canary: target,
    primary: primaryName(target),
    service: rollout.spec.service.name ?? target,
  };
}

export function metricInterval(rollout: Rollout, metric: MetricSpec): string {
  return metric.interval ?? rollout.spec.analysis?.interval ?? DEFAULTS.analysisInterval;
}

/** Rendered, syntax-checked queries for one metric. */
export interface MetricQueries {
  readonly canary: string;
  /** The same query for the primary workload, when the metric compares with it (compare or judge). */
  readonly primary?: string;
}

/** Why a query template cannot be used, with the position in the template the user wrote. */
export interface QueryTemplateProblem {
  readonly message: string;
  readonly position?: SourcePosition;
}

export type PlannedQueries = { readonly ok: true; readonly queries: MetricQueries } | { readonly ok: false; readonly problem: QueryTemplateProblem };

/**
 * Renders a metric's query template for the canary (and for the primary when
 * it compares with it) and checks the PromQL syntax of the result.
 */
export function planMetricQueries(
  template: string,
  metric: MetricSpec,
  context: AnalysisContext,
  interval: string,
): PlannedQueries {
  const base = { namespace: context.namespace, service: context.service, interval, variables: metric.templateVariables ?? {} };
  const canary = renderChecked(template, { ...base, target: context.canary });
  if (!canary.ok) return canary;
  if (!metric.compare && !metric.judge) return { ok: true, queries: { canary: canary.query } };
  const primary = renderChecked(template, { ...base, target: context.primary });
  if (!primary.ok) return primary;
  return { ok: true, queries: { canary: canary.query, primary: primary.query } };
}

function renderChecked(
  template: string,
  vars: QueryVariables,
): { ok: true; query: string } | { ok: false; problem: QueryTemplateProblem } {
  const rendered = renderQuery(template, vars);
  if (!rendered.ok) {
    const position = positionOf(template, rendered.error.offset);
    return { ok: false, problem: { message: `${formatPosition(position)}: ${rendered.error.message}`, position } };
  }
  const syntax = checkPromql(rendered.query);
  if (!syntax) return { ok: true, query: rendered.query };
  const position = positionOf(template, templateOffset(rendered.segments, syntax.position.offset));
  const message = `${formatPosition(position)}: invalid PromQL: ${syntax.message} (rendered: ${rendered.query})`;
  return { ok: false, problem: { message, position } };
}

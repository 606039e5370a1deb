import { grantProblem } from '../api/grants.js';
import { TargetKind, type MetricSpec, type MetricTemplate, type Rollout } from '../api/types.gen.js';
import type { SourcePosition } from '../metrics/promql.js';
import type { AnalysisContext } from './analyzer.js';
import { parseComparison } from './compare.js';
import { analysisContextOf, metricInterval, planMetricQueries, querySourceOf, type QuerySource } from './metric-query.js';
import { templateName } from '../metrics/providers/prometheus/options.js';

/** Something in a Rollout's analysis that makes it invalid before any traffic moves. */
export interface QueryProblem {
  /** Field path, e.g. "spec.analysis.metrics[2].query". */
  readonly path: string;
  readonly metric: string;
  /** A sentence naming the problem, with "line:column" when there is a position. */
  readonly message: string;
  /** Where in the field's text (or the template's spec.query) the problem is. */
  readonly position?: SourcePosition;
}

/**
 * Renders and syntax-checks every metric query of a Rollout, and parses the
 * relative gates' bounds. Names and schema rules are validateRollout's and the
 * CRD's job and are not repeated here. Pure: metrics with a templateRef are checked only
 * when their MetricTemplate is among `templates` and grants the Rollout's
 * namespace (a missing or ungranted one is reported by the preflight and at
 * analysis time). Returns an empty list when everything can run.
 */
export function checkRolloutQueries(
  rollout: Rollout,
  templates: readonly MetricTemplate[] = [],
  context: AnalysisContext = analysisContextOf(rollout),
): QueryProblem[] {
  const metrics = rollout.spec.analysis?.metrics ?? [];
  return metrics.flatMap((metric, index) => checkMetric(rollout, metric, `spec.analysis.metrics[${index}]`, templates, context));
}

function checkMetric(
  rollout: Rollout,
  metric: MetricSpec,
  path: string,
  templates: readonly MetricTemplate[],
  context: AnalysisContext,
): QueryProblem[] {
  const problems: QueryProblem[] = [];
  const problem = (field: string, message: string, position?: SourcePosition): void => {
    problems.push({ path: `${path}${field}`, metric: metric.name, message, ...(position ? { position } : {}) });
  };
  // The CRD schema checks the bounds' spelling too; this keeps the verdict's parser and the check in step.
  if (metric.compare) {
    const parsed = parseComparison(metric.compare);
    if (!parsed.ok) problem('.compare', parsed.message);
  }
  const source = querySourceOf(metric, context.namespace, rollout.spec.targetRef.kind);
  let query: string;
  let field: string;
  let where: string;
  switch (source.kind) {
    case 'missing':
      problem('', source.message);
      return problems;
    case 'template': {
      const template = templates.find((t) => t.metadata.namespace === source.namespace && t.metadata.name === source.name);
      // Another namespace's query is not rendered into this Rollout's problems unless granted; the preflight reports the missing grant.
      if (!template || grantProblem(`${path}.templateRef`, 'MetricTemplate', context.namespace, template)) return problems;
      query = template.spec.query;
      field = '.templateRef';
      where = `${templateName(template)} spec.query `;
      break;
    }
    case 'inline':
      query = source.query;
      field = '.query';
      where = '';
      break;
    case 'builtin':
      query = source.query;
      field = '';
      where = 'built-in query ';
      break;
  }
  const versions = versionsProblem(rollout, source.kind, query);
  if (versions) problem(field, `${where}${versions}`);
  const planned = planMetricQueries(query, metric, context, metricInterval(rollout, metric));
  if (!planned.ok) problem(field, `${where}${planned.problem.message}`, planned.problem.position);
  return problems;
}

const VERSION_SERVICE = /\{\{\s*versionService\s*\}\}/;

/**
 * A StatefulSet's canary and primary are one workload to Istio: a user's
 * query tells them apart only through the per-version Service, or it would
 * measure both versions at once and compare the canary with itself.
 */
function versionsProblem(rollout: Rollout, source: QuerySource['kind'], query: string): string | undefined {
  if (rollout.spec.targetRef.kind !== TargetKind.StatefulSet || source === 'builtin' || VERSION_SERVICE.test(query)) return undefined;
  return 'does not use {{ versionService }}: the canary and the primary of a StatefulSet are one workload, told apart only by the Service each is reached through, so this query cannot tell them apart; select destination_service_name="{{ versionService }}" (docs/statefulsets.md)';
}

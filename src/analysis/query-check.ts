import type { MetricSpec, MetricTemplate, Rollout } from '../api/types.gen.js';
import type { SourcePosition } from '../metrics/promql.js';
import type { AnalysisContext } from './analyzer.js';
import { parseComparison } from './compare.js';
import { analysisContextOf, metricInterval, planMetricQueries, querySourceOf } from './metric-query.js';
import { templateName } from './provider-config.js';

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
 * Renders and syntax-checks every metric query of a Rollout, and checks the
 * relative gates' bounds. Pure: metrics with a templateRef are checked only
 * when their MetricTemplate is among `templates` (a missing one is reported at
 * analysis time). Returns an empty list when everything can run.
 */
export function checkRolloutQueries(
  rollout: Rollout,
  templates: readonly MetricTemplate[] = [],
  context: AnalysisContext = analysisContextOf(rollout),
): QueryProblem[] {
  const metrics = rollout.spec.analysis?.metrics ?? [];
  const seen = new Set<string>();
  return metrics.flatMap((metric, index) => {
    const path = `spec.analysis.metrics[${index}]`;
    const problems = checkMetric(rollout, metric, path, templates, context);
    if (seen.has(metric.name)) {
      problems.push({ path: `${path}.name`, metric: metric.name, message: `metric name "${metric.name}" is used more than once` });
    }
    seen.add(metric.name);
    return problems;
  });
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
  if (metric.compare) {
    const parsed = parseComparison(metric.compare);
    if (!parsed.ok) problem('.compare', parsed.message);
    else if (metric.compare.maxIncrease === undefined && metric.compare.maxDecrease === undefined) {
      problem('.compare', 'compare needs maxIncrease or maxDecrease (or both)');
    }
  }
  const source = querySourceOf(metric, context.namespace);
  let query: string;
  let field: string;
  let where: string;
  switch (source.kind) {
    case 'missing':
      problem('', source.message);
      return problems;
    case 'template': {
      const template = templates.find((t) => t.metadata.namespace === source.namespace && t.metadata.name === source.name);
      if (!template) return problems;
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
  const planned = planMetricQueries(query, metric, context, metricInterval(rollout, metric));
  if (!planned.ok) problem(field, `${where}${planned.problem.message}`, planned.problem.position);
  return problems;
}

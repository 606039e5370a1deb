import type { MetricTemplate, Rollout } from '../api/types.gen.js';
import { validateRollout } from '../api/validate.js';
import { checkRolloutQueries } from '../analysis/query-check.js';

export type ReadTemplate = (namespace: string, name: string) => Promise<MetricTemplate | undefined>;

/**
 * Everything that makes a Rollout impossible to act on, each naming its field
 * and the fix: the API package's semantic rules, the rendered PromQL of every
 * metric (templates included), and the strategies this version cannot run.
 */
export async function validationProblems(rollout: Rollout, readTemplate: ReadTemplate): Promise<string[]> {
  const problems = validateRollout(rollout).map((p) => `${p.path}: ${p.message} (${p.fix})`);
  const templates = await referencedTemplates(rollout, readTemplate);
  problems.push(...checkRolloutQueries(rollout, templates).map((p) => `${p.path}: ${p.message}`));
  const strategy = rollout.spec.strategy;
  if (strategy.blueGreen || strategy.abTesting) {
    problems.push(
      `spec.strategy.${strategy.blueGreen ? 'blueGreen' : 'abTesting'}: this flowshift version releases with spec.strategy.canary only ` +
        '(use a canary strategy until blue/green and A/B testing land)',
    );
  }
  return [...new Set(problems)];
}

async function referencedTemplates(rollout: Rollout, readTemplate: ReadTemplate): Promise<MetricTemplate[]> {
  const refs = (rollout.spec.analysis?.metrics ?? []).flatMap((m) => (m.templateRef ? [m.templateRef] : []));
  const found = await Promise.all(
    // A missing template is reported by the analysis itself, with the metric that needs it.
    refs.map((ref) => readTemplate(ref.namespace ?? rollout.metadata.namespace ?? 'default', ref.name).catch(() => undefined)),
  );
  return found.filter((t): t is MetricTemplate => t !== undefined);
}

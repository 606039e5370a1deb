import type { MetricTemplate, Rollout } from '../api/types.gen.js';
import { validateRollout } from '../api/validate.js';
import { checkRolloutQueries } from '../analysis/query-check.js';
import { routerPluginFor } from '../router/registry.js';
import { ownedNames, rolloutKey } from '../api/names.js';

export type ReadTemplate = (namespace: string, name: string) => Promise<MetricTemplate | undefined>;

/**
 * Everything that makes a Rollout impossible to act on, each naming its field
 * and the fix: the API package's semantic rules, the rendered PromQL of every
 * metric (templates included), and what the Rollout's router cannot do.
 */
export async function validationProblems(rollout: Rollout, readTemplate: ReadTemplate): Promise<string[]> {
  const problems = validateRollout(rollout).map((p) => `${p.path}: ${p.message} (${p.fix})`);
  const templates = await referencedTemplates(rollout, readTemplate);
  problems.push(...checkRolloutQueries(rollout, templates).map((p) => `${p.path}: ${p.message}`));
  problems.push(...routerPluginFor(rollout).problems(rollout));
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

/**
 * One Rollout per Deployment and per service name in a namespace: two would
 * fight over the same primary and routes. The Rollout created first keeps the
 * claim; the later one is refused, naming the holder.
 */
export function claimProblems(rollout: Rollout, others: readonly Rollout[]): string[] {
  const mine = ownedNames(rollout);
  const problems: string[] = [];
  for (const other of others) {
    if (other.metadata.uid === rollout.metadata.uid || other.metadata.namespace !== rollout.metadata.namespace || !claimedFirst(other, rollout)) continue;
    const theirs = ownedNames(other);
    if (theirs.target === mine.target) {
      problems.push(`spec.targetRef.name: Deployment ${mine.namespace}/${mine.target} is already released by Rollout ${rolloutKey(other)}; one Rollout per Deployment: delete one of them`);
    } else if (theirs.service === mine.service) {
      problems.push(`spec.service.name: service name "${mine.service}" is already used by Rollout ${rolloutKey(other)}; set another spec.service.name`);
    }
  }
  return problems;
}

/** The Rollout already releasing holds the claim; between two that are not, the older (then the name) wins. */
function claimedFirst(a: Rollout, b: Rollout): boolean {
  const acting = (r: Rollout): boolean => r.status?.phase !== undefined && !r.status.conditions?.some((c) => c.type === 'Invalid');
  if (acting(a) !== acting(b)) return acting(a);
  const at = a.metadata.creationTimestamp ?? '';
  const bt = b.metadata.creationTimestamp ?? '';
  return at === bt ? (a.metadata.name ?? '') < (b.metadata.name ?? '') : at < bt;
}

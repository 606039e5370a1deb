import type { Rollout } from '../api/types.gen.js';
import { isRecord } from '../json.js';
import { GROUP } from '../api/names.js';
import { fileSources, withNamespace, type LintProblem, type LintSources } from './check.js';
import { parseDocuments } from './documents.js';
import { lintTexts } from './lint.js';

/** The Rollouts of a YAML file, once offline lint finds nothing wrong with the file, and the file's other objects to resolve references with. */
export type RolloutFile =
  | { readonly ok: true; readonly rollouts: readonly Rollout[]; readonly sources: LintSources }
  | { readonly ok: false; readonly problems: readonly LintProblem[] };

/**
 * Reads a file of manifests the way the API server and the controller would
 * take it: every check of offline lint (schema, CEL rules, the controller's
 * validation), so a command acting on a Rollout from a file (backtest) sees
 * only a Rollout that could be applied. Objects naming no namespace get
 * `namespace`.
 */
export async function readRolloutFile(file: string, text: string, namespace: string): Promise<RolloutFile> {
  const linted = await lintTexts([{ file, text }], { namespace });
  if (linted.problems.length) return { ok: false, problems: linted.problems };
  const { documents } = parseDocuments(file, text);
  const rollouts = documents.flatMap((d) => {
    const v = d.value;
    if (!isRecord(v) || v['kind'] !== 'Rollout' || typeof v['apiVersion'] !== 'string' || !v['apiVersion'].startsWith(`${GROUP}/`)) return [];
    const rollout = v as unknown as Rollout;
    return [withNamespace(rollout, rollout.metadata.namespace ?? namespace)];
  });
  return { ok: true, rollouts, sources: fileSources(documents, namespace) };
}

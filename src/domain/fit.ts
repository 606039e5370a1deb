import type { Condition, GateResult, MetricResult, RolloutStatus } from '../api/types.gen.js';
import { STATUS_LIMITS } from '../api/schema/limits.js';

/**
 * The status cut to the CRD's limits, so the API server never refuses it for
 * its size: every message longer than its field allows ends in a marker that
 * says how much was cut; lists keep their first entries, one per name (they
 * are maps keyed by name). A long Prometheus error, the labels of hundreds of
 * series or many validation problems would otherwise fail the write forever.
 */
export function fitStatus(status: RolloutStatus): RolloutStatus {
  const fitted: RolloutStatus = { ...status };
  if (status.message !== undefined) fitted.message = cut(status.message, STATUS_LIMITS.message);
  if (status.analysis) fitted.analysis = fitList(status.analysis, (r): MetricResult => ({ ...r, message: cut(r.message, STATUS_LIMITS.resultMessage) }));
  if (status.gates) fitted.gates = fitList(status.gates, (g): GateResult => ({ ...g, message: cut(g.message, STATUS_LIMITS.gateMessage) }));
  if (status.conditions) {
    fitted.conditions = status.conditions.slice(0, STATUS_LIMITS.conditions).map((c): Condition => ({ ...c, message: cut(c.message, STATUS_LIMITS.conditionMessage) }));
  }
  return fitted;
}

/** `text` within `limit` characters; a cut one ends in a marker with the count of what was left out. */
export function cut(text: string, limit: number): string {
  if (text.length <= limit) return text;
  const marker = (left: number): string => ` … (${left} more characters cut)`;
  let keep = limit - marker(text.length).length;
  // The count can lose a digit once the kept part is taken off: keep what then fits too.
  while (keep + 1 + marker(text.length - keep - 1).length <= limit) keep += 1;
  return text.slice(0, keep) + marker(text.length - keep);
}

function fitList<T extends { readonly name: string }>(items: readonly T[], fit: (item: T) => T): T[] {
  const seen = new Set<string>();
  const unique = items.filter((item) => !seen.has(item.name) && seen.add(item.name));
  return unique.slice(0, STATUS_LIMITS.listItems).map(fit);
}

/** Whether `recorded` (a message on record, cut to `limit`) is `message`: a cut message is the same message. */
export function sameMessage(recorded: string | undefined, message: string, limit: number = STATUS_LIMITS.message): boolean {
  return recorded === cut(message, limit);
}

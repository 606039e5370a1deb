/** What is wrong with a Rollout's recorded weights, if anything. */
export type StepFault = 'duplicate' | 'skipped';

/**
 * Checks the canary weights a Rollout went through in one release against its
 * steps: each step exactly once and in order. Consecutive equal values are one
 * value (a status write that kept the weight); weights that are no step (0
 * before and after, 100 at promotion) are not steps. A Failed release may stop
 * after any step; a Succeeded one must have gone through all of them.
 */
export function stepFault(weights: readonly number[], steps: readonly number[], phase: string): StepFault | undefined {
  const stepSet = new Set(steps);
  const seen: number[] = [];
  for (const w of weights) {
    if (seen.at(-1) !== w) seen.push(w);
  }
  const visited = seen.filter((w) => stepSet.has(w));
  for (const [i, w] of visited.entries()) {
    if (visited.indexOf(w) < i || i >= steps.length) return 'duplicate';
    if (w !== steps[i]) return steps.indexOf(w) > i ? 'skipped' : 'duplicate';
  }
  if (phase === 'Succeeded' && visited.length < steps.length) return 'skipped';
  return undefined;
}

/** Rollouts whose release went wrong, by fault. */
export function countFaults(records: Iterable<{ name: string; weights: readonly number[]; phase: string }>, steps: readonly number[]): { duplicate: string[]; skipped: string[] } {
  const out = { duplicate: [] as string[], skipped: [] as string[] };
  for (const r of records) {
    const fault = stepFault(r.weights, steps, r.phase);
    if (fault) out[fault].push(r.name);
  }
  return out;
}

// Semantic rules on error-budget-burn metrics: what CEL cannot check because
// it needs the analysis interval, a level above the metric.
import { parseDuration } from '../duration.js';
import { DEFAULTS, WORKBOOK_BURN_PAIRS } from '../schema/defaults.js';
import type { Rollout } from '../types.gen.js';
import { problem, type ValidationProblem } from './problem.js';

/**
 * Every burn-rate window is counted in whole analysis intervals since the
 * release started: a short window below one interval would silently mean
 * one interval, so it is refused, naming the field (or, for the default
 * windows, errorBudget.windows) and the fix.
 */
export function burnWindowsFitInterval(rollout: Rollout): ValidationProblem[] {
  const analysis = rollout.spec.analysis ?? {};
  const interval = analysis.interval ?? DEFAULTS.analysisInterval;
  const intervalMs = parseDuration(interval);
  // An unparsable interval is durationsParse's problem.
  if (intervalMs === undefined) return [];
  return (analysis.metrics ?? []).flatMap((metric, i) => {
    const budget = metric.errorBudget;
    if (!budget) return [];
    const path = `spec.analysis.metrics[${i}].errorBudget.windows`;
    if (!budget.windows) {
      const tooShort = WORKBOOK_BURN_PAIRS.filter((p) => (parseDuration(p.short) ?? 0) < intervalMs);
      if (!tooShort.length) return [];
      return [
        problem(
          'burn-window-below-interval',
          path,
          `metric "${metric.name}": the default windows' short window ${tooShort.map((p) => p.short).join(', ')} is shorter than spec.analysis.interval ${interval}, and windows are counted in whole intervals`,
          `set errorBudget.windows with short windows of at least ${interval}, or shorten spec.analysis.interval`,
        ),
      ];
    }
    return budget.windows.flatMap((w, j) =>
      (parseDuration(w.short) ?? intervalMs) < intervalMs
        ? [
            problem(
              'burn-window-below-interval',
              `${path}[${j}].short`,
              `metric "${metric.name}": short window ${w.short} is shorter than spec.analysis.interval ${interval}, and windows are counted in whole intervals`,
              `use a short window of at least ${interval}, or shorten spec.analysis.interval`,
            ),
          ]
        : [],
    );
  });
}

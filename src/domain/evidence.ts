import { DEFAULTS } from '../api/schema/defaults.js';
import type { MetricMeasurement, MetricResult, RolloutStatus } from '../api/types.gen.js';
import type { TickInput } from './model.js';

/**
 * What a check leaves in status: each metric's result, measured at the
 * current canary weight, with the results of this release's earlier checks
 * behind it (status.analysis[].history, the last spec.analysis.historyLimit),
 * so a verdict can be read with the values that led to it.
 */
export function checkEvidence(input: TickInput, results: readonly MetricResult[]): Partial<RolloutStatus> {
  const limit = input.spec.analysis?.historyLimit ?? DEFAULTS.historyLimit;
  const before = new Map((input.status.analysis ?? []).map((r) => [r.name, r]));
  const weight = input.status.canaryWeight ?? 0;
  const analysis = results.map((result): MetricResult => {
    const { history: _ignored, ...now } = result;
    const earlier = before.get(result.name);
    const history = limit > 0 && earlier ? [...(earlier.history ?? []), measurementOf(earlier)].slice(-limit) : [];
    return { ...now, weight, ...(history.length > 0 ? { history } : {}) };
  });
  return { lastAnalysisTime: input.observed.now.toISOString(), analysis };
}

function measurementOf(result: MetricResult): MetricMeasurement {
  const { time, weight, value, primaryValue, passed, conclusion, eValue } = result;
  return {
    time,
    passed,
    ...(weight === undefined ? {} : { weight }),
    ...(value === undefined ? {} : { value }),
    ...(primaryValue === undefined ? {} : { primaryValue }),
    ...(conclusion === undefined ? {} : { conclusion }),
    ...(eValue === undefined ? {} : { eValue }),
  };
}

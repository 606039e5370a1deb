import type { AnalysisContext, Analyzer } from '../../analysis/analyzer.js';
import type { AnalysisVerdict } from '../../domain/model.js';
import type { Rollout } from '../../api/types.gen.js';

/** Left of a tick's lock for writing the status and applying the decision after the analysis. */
const AFTER_ANALYSIS_MS = 2_000;

/** The wall-clock budget of one analysis inside a tick whose lock lasts `tickLockMs`. */
export function analysisDeadlineMs(tickLockMs: number): number {
  return Math.max(tickLockMs - AFTER_ANALYSIS_MS, 1_000);
}

/**
 * Ends every query of one analysis at a deadline tied to the tick, so a slow
 * Prometheus (or a slow template or Secret read) can never hold a tick past
 * its lock: what has not answered by then is a failed check, as a timeout.
 */
export class DeadlineAnalyzer implements Analyzer {
  constructor(
    private readonly inner: Analyzer,
    readonly deadlineMs: number,
  ) {}

  analyze(rollout: Rollout, context: AnalysisContext, signal?: AbortSignal): Promise<AnalysisVerdict> {
    const deadline = AbortSignal.timeout(this.deadlineMs);
    return this.inner.analyze(rollout, context, signal ? AbortSignal.any([signal, deadline]) : deadline);
  }
}

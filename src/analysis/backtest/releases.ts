/**
 * Back-to-back releases over a stretch of history: how the controller's
 * bookkeeping (failed checks counted per release, a rollback when they reach
 * spec.analysis.threshold or when the judge finds the canary worse, a
 * promotion after the strategy's last check or early by the judge) would
 * have gone had a release been running at every moment of it. Each release
 * starts where the one before ended, the first at the start of the window.
 *
 * Pure: the checks' verdicts come from `evaluate`, which is the controller's
 * verdict code fed from range queries (backtest.ts).
 */
import type { MetricResult, RolloutSpec } from '../../api/types.gen.js';
import { DEFAULTS } from '../../api/schema/defaults.js';
import { earlyPromotion, judgedWorse } from '../../domain/judged.js';
import { canarySteps } from '../../domain/steps.js';
import { DEFAULT_ITERATIONS } from '../../domain/strategies/iterations.js';

/** One check of a replayed release. */
export interface ReplayedCheck {
  /** Unix seconds. */
  readonly at: number;
  /** Unix seconds: when the release this check belongs to started. */
  readonly releaseStart: number;
  readonly results: readonly MetricResult[];
  readonly passed: boolean;
  /** The release's failed checks so far, this one included. */
  readonly failedChecks: number;
}

/** Where a release would have been rolled back, and why, in the status' words. */
export interface Rollback {
  readonly at: number;
  readonly releaseStart: number;
  readonly failedChecks: number;
  readonly reason: string;
  readonly results: readonly MetricResult[];
}

export interface Replay {
  readonly checks: readonly ReplayedCheck[];
  readonly rollbacks: readonly Rollback[];
  /** Releases that passed their last check (or promoted early). */
  readonly promoted: number;
}

export interface ReleasePlan {
  /** Passed checks a release needs to promote: the strategy's steps or iterations. */
  readonly checksPerRelease: number;
  readonly threshold: number;
}

/** The checks of one release without failures: one per canary weight step, or blueGreen/abTesting iterations. */
export function checksPerRelease(spec: RolloutSpec): number {
  const { canary, blueGreen, abTesting } = spec.strategy;
  if (canary) return canarySteps(canary).length;
  return (blueGreen ?? abTesting)?.iterations ?? DEFAULT_ITERATIONS;
}

export function releasePlanOf(spec: RolloutSpec): ReleasePlan {
  return { checksPerRelease: checksPerRelease(spec), threshold: spec.analysis?.threshold ?? DEFAULTS.threshold };
}

/**
 * Replays releases over the check times (ascending, unix seconds), the
 * first release starting at `start`. `evaluate` gives the metric results of
 * a check at `at` of a release begun at `releaseStart`.
 */
export function replayReleases(
  spec: RolloutSpec,
  start: number,
  times: readonly number[],
  plan: ReleasePlan,
  evaluate: (at: number, releaseStart: number) => readonly MetricResult[],
): Replay {
  const checks: ReplayedCheck[] = [];
  const rollbacks: Rollback[] = [];
  let promoted = 0;
  // A failed check holds the weight: only passed checks move a release towards promotion.
  let release = { start, passed: 0, failed: 0 };
  for (const at of times) {
    const results = evaluate(at, release.start);
    const passed = results.every((r) => r.passed);
    release = { ...release, passed: release.passed + (passed ? 1 : 0), failed: release.failed + (passed ? 0 : 1) };
    checks.push({ at, releaseStart: release.start, results, passed, failedChecks: release.failed });
    const ended = passed ? promotion(spec, results, release.passed, plan) : rollback(results, release.failed, plan);
    if (ended === undefined) continue;
    if (ended.kind === 'rollback') rollbacks.push({ at, releaseStart: release.start, failedChecks: release.failed, reason: ended.reason, results });
    else promoted += 1;
    release = { start: at, passed: 0, failed: 0 };
  }
  return { checks, rollbacks, promoted };
}

type Ending = { readonly kind: 'rollback'; readonly reason: string } | { readonly kind: 'promoted' };

/** decide()'s failedCheck: the judge's worse at once, else the threshold, with its reason as the status says it. */
function rollback(results: readonly MetricResult[], failed: number, plan: ReleasePlan): Ending | undefined {
  const worse = judgedWorse(results);
  if (worse) return { kind: 'rollback', reason: worse };
  if (failed < plan.threshold) return undefined;
  const reason = results.filter((r) => !r.passed).map((r) => r.message).join('; ');
  return { kind: 'rollback', reason: `${failed} failed checks (${reason})` };
}

function promotion(spec: RolloutSpec, results: readonly MetricResult[], done: number, plan: ReleasePlan): Ending | undefined {
  return done >= plan.checksPerRelease || earlyPromotion(spec, results) !== undefined ? { kind: 'promoted' } : undefined;
}

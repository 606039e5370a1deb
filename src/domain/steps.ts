import type { CanaryStrategy } from '../api/types.gen.js';

export const DEFAULT_STEP_WEIGHT = 10;
export const DEFAULT_MAX_WEIGHT = 100;

/** The canary weights of a release in order, e.g. [10, 20, 30, 40, 50]. */
export function canarySteps(canary: CanaryStrategy): number[] {
  if (canary.stepWeights?.length) return [...canary.stepWeights];
  const step = canary.stepWeight ?? DEFAULT_STEP_WEIGHT;
  const max = Math.min(canary.maxWeight ?? DEFAULT_MAX_WEIGHT, 100);
  if (step <= 0) return [max];
  const steps: number[] = [];
  for (let w = step; w < max; w += step) steps.push(w);
  steps.push(max);
  return steps;
}

/** The weight after `current`, or undefined when `current` is the last step. */
export function nextCanaryWeight(canary: CanaryStrategy, current: number): number | undefined {
  return canarySteps(canary).find((w) => w > current);
}

/**
 * The canary weight of the next promotion tick: shifted back to the primary
 * by `stepWeightPromotion`, or all at once when it is 0.
 */
export function nextPromotionWeight(stepWeightPromotion: number | undefined, current: number): number {
  const step = stepWeightPromotion ?? 0;
  return step > 0 ? Math.max(0, current - step) : 0;
}

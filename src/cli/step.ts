import type { Phase, Rollout } from '../api/types.gen.js';
import { canarySteps } from '../domain/steps.js';

/** The phases in which a release is under way and can be approved or aborted (docs/plugin.md, Manual control). */
const IN_PROGRESS: ReadonlySet<Phase> = new Set<Phase>(['Progressing', 'Waiting', 'WaitingPromotion']);

export function releaseInProgress(phase: Phase | undefined): boolean {
  return phase !== undefined && IN_PROGRESS.has(phase);
}

/** Where a release in progress stands: weight steps for canary, analysis iterations for blueGreen and abTesting. */
export interface StepPosition {
  readonly unit: 'step' | 'iteration';
  readonly n: number;
  readonly of: number;
}

/** undefined when no release is in progress, or the strategy does not count steps. */
export function stepOf(rollout: Rollout): StepPosition | undefined {
  const status = rollout.status;
  if (!releaseInProgress(status?.phase)) return undefined;
  const { canary, blueGreen, abTesting } = rollout.spec.strategy;
  if (canary) {
    const steps = canarySteps(canary);
    const weight = status?.canaryWeight ?? 0;
    return { unit: 'step', n: steps.filter((w) => w <= weight).length, of: steps.length };
  }
  const iterations = (blueGreen ?? abTesting)?.iterations;
  if (iterations === undefined) return undefined;
  return { unit: 'iteration', n: Math.min(status?.iterations ?? 0, iterations), of: iterations };
}

/** "step 2 of 3" for the status view. */
export function describeStep(step: StepPosition | undefined): string | undefined {
  return step && `${step.unit} ${step.n} of ${step.of}`;
}

/** "2/3" for the table of `get`. */
export function shortStep(step: StepPosition | undefined): string | undefined {
  return step && `${step.n}/${step.of}`;
}

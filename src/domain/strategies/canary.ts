import { nextCanaryWeight } from '../steps.js';
import { startMirror, type Advance } from './strategy.js';

/** Canary: optionally mirror for some iterations, then step the weight up to the last step, then promote. */
export const advanceCanary: Advance = (input, moves) => {
  const canary = input.spec.strategy.canary ?? {};
  const prev = input.status;
  const weight = prev.canaryWeight ?? 0;
  if (canary.mirror && weight === 0) {
    const mirroring = startMirror(input, moves, canary.mirror);
    if (mirroring) return mirroring;
    const iterations = canary.mirror.iterations ?? 1;
    const done = (prev.iterations ?? 0) + 1;
    if (done < iterations) return moves.step({ iterations: done }, `mirror analysis ${done} of ${iterations} passed`, 'MirrorAnalysis');
    const first = nextCanaryWeight(canary, 0) ?? 0;
    return moves.step({ iterations: done, mirrorWeight: 0, canaryWeight: first }, `mirror analysis passed: advanced canary weight to ${first}`, 'Advanced');
  }
  const nextWeight = nextCanaryWeight(canary, weight);
  if (nextWeight === undefined) return moves.promote(`analysis passed at canary weight ${weight}: promoting`, { mirrorWeight: 0 });
  return moves.step({ canaryWeight: nextWeight, mirrorWeight: 0 }, `advanced canary weight to ${nextWeight}`, 'Advanced');
};

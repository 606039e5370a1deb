import { DEFAULT_ITERATIONS } from './iterations.js';
import { startMirror, type Advance } from './strategy.js';

/**
 * Blue/green: the canary gets no live traffic (only mirrored traffic with
 * `mirror`) while `iterations` analyses pass; then all traffic switches to
 * it at once while the primary takes its template, and back to the primary
 * once that is ready.
 */
export const advanceBlueGreen: Advance = (input, moves) => {
  const blueGreen = input.spec.strategy.blueGreen ?? {};
  const mirroring = startMirror(input, moves, blueGreen.mirror);
  if (mirroring) return mirroring;
  const iterations = blueGreen.iterations ?? DEFAULT_ITERATIONS;
  const done = (input.status.iterations ?? 0) + 1;
  if (done < iterations) return moves.step({ iterations: done }, `blue/green analysis ${done} of ${iterations} passed`, 'Iteration');
  return moves.promote(`blue/green analysis passed ${iterations} times: switching all traffic to the canary and promoting`, { iterations: done, canaryWeight: 100, mirrorWeight: 0 });
};

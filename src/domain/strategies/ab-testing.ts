import { DEFAULT_ITERATIONS } from './iterations.js';
import type { Advance } from './strategy.js';

/**
 * A/B testing: only requests matching `match` (a header, a cookie) reach the
 * canary while `iterations` analyses pass; then the canary is promoted.
 */
export const advanceAbTesting: Advance = (input, moves) => {
  const iterations = input.spec.strategy.abTesting?.iterations ?? DEFAULT_ITERATIONS;
  if (!input.status.matchRouting) return moves.step({ matchRouting: true }, 'routing matching requests to the canary', 'Matching');
  const done = (input.status.iterations ?? 0) + 1;
  if (done < iterations) return moves.step({ iterations: done }, `A/B analysis ${done} of ${iterations} passed`, 'Iteration');
  return moves.promote(`A/B analysis passed ${iterations} times: promoting`, { iterations: done });
};

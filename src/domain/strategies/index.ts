import type { RolloutSpec } from '../../api/types.gen.js';
import { advanceAbTesting } from './ab-testing.js';
import { advanceBlueGreen } from './blue-green.js';
import { advanceCanary } from './canary.js';
import type { Advance } from './strategy.js';

export { NO_CANARY_TRAFFIC, type Advance, type Moves } from './strategy.js';

/** The strategy of a spec: exactly one of canary, blueGreen, abTesting is set (the CRD checks it). */
export function advanceFor(spec: RolloutSpec): Advance {
  if (spec.strategy.blueGreen) return advanceBlueGreen;
  if (spec.strategy.abTesting) return advanceAbTesting;
  return advanceCanary;
}

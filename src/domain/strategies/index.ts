import { StrategyName, type RolloutSpec } from '../../api/types.gen.js';
import { advanceAbTesting } from './ab-testing.js';
import { advanceBlueGreen } from './blue-green.js';
import { advanceCanary } from './canary.js';
import type { Advance } from './strategy.js';

export { NO_CANARY_TRAFFIC, type Advance, type Moves } from './strategy.js';

/**
 * Every strategy, under its field in spec.strategy. `satisfies` refuses a
 * value of the API's StrategyName without an Advance, and a key it does not
 * have: a new strategy is its file, this line and its schema field.
 */
const STRATEGIES = {
  [StrategyName.Canary]: advanceCanary,
  [StrategyName.BlueGreen]: advanceBlueGreen,
  [StrategyName.AbTesting]: advanceAbTesting,
} as const satisfies Readonly<Record<StrategyName, Advance>>;

/** The strategy a spec names: the one field of spec.strategy that is set (the CRD admits exactly one). */
export function strategyOf(spec: Pick<RolloutSpec, 'strategy'>): StrategyName {
  return Object.values(StrategyName).find((name) => spec.strategy[name] !== undefined) ?? StrategyName.Canary;
}

export function advanceFor(spec: RolloutSpec): Advance {
  return STRATEGIES[strategyOf(spec)];
}

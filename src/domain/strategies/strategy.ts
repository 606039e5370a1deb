import type { RolloutStatus } from '../../api/types.gen.js';
import type { Decision, TickInput } from '../model.js';

/** The two moves a passed check can lead to; the strategy picks one. */
export interface Moves {
  /** Stay in the release with `patch` applied (a weight, a mirror, a match, a count). */
  step(patch: Partial<RolloutStatus>, message: string, reason: string): Decision;
  /** The analysis is over: promote the canary, with `patch` as the routes during promotion. */
  promote(message: string, patch: Partial<RolloutStatus>): Decision;
}

/** One passed analysis of a release: what happens next, per strategy. */
export type Advance = (input: TickInput, moves: Moves) => Decision;

/** No live traffic reaches the canary. */
export const NO_CANARY_TRAFFIC = { canaryWeight: 0, mirrorWeight: 0, matchRouting: false } as const satisfies Partial<RolloutStatus>;

/** Mirroring first when asked: the first passed tick turns the mirror on, before any iteration counts. */
export function startMirror(input: TickInput, moves: Moves, mirror: { percentage?: number } | undefined): Decision | undefined {
  const prev = input.status;
  if (!mirror || (prev.mirrorWeight ?? 0) > 0 || (prev.iterations ?? 0) > 0) return undefined;
  const percentage = mirror.percentage ?? 100;
  return moves.step({ mirrorWeight: percentage }, `mirroring ${percentage}% of traffic to the canary`, 'Mirroring');
}

import { fullPromotionOf, promoteOf, sameAction } from '../controls.js';
import { EventType, event, type Decision, type TickInput } from '../model.js';
import { analysisDue } from '../timing.js';
import { promoteGated } from './step.js';

/**
 * Whether a check is due this tick: one analysis.interval after the last,
 * or at once when a promote asks for it (kubectl flowshift promote).
 */
export function checkDue(input: TickInput): boolean {
  return analysisDue(input) || promoteOf(input) !== undefined;
}

/** Whether this release promotes without analysis: spec.skipAnalysis, or a full promotion asked for its revision. */
export function analysisSkipped(input: TickInput): boolean {
  return input.spec.skipAnalysis === true || fullPromotionOf(input) !== undefined;
}

/**
 * The promotion of a release that skips its analysis (and, for a full
 * promotion, its remaining steps), behind its confirm-promotion gates;
 * undefined when the release is analysed. A full promotion is recorded in
 * status.fullPromotion and said once in a Warning Event naming who asked:
 * checks that guard every release were skipped, which whoever reads the
 * Events after an incident must find.
 */
export function skippedAnalysis(input: TickInput): Decision | undefined {
  if (input.spec.skipAnalysis) return promoteGated(input, 'skipAnalysis is set: promoting without analysis', {});
  const full = fullPromotionOf(input);
  if (!full) return undefined;
  const message = `full promotion asked by ${full.by} at ${full.at}: promoting without analysis or the remaining steps`;
  const decision = promoteGated(input, message, { fullPromotion: full });
  if (decision.asks || sameAction(full, input.status.fullPromotion)) return decision;
  return { ...decision, events: [event('FullPromotion', message, EventType.Warning), ...decision.events] };
}

/**
 * The promote a decision acted on, recorded in status.promote so the same
 * annotation never makes a second check due. Acted on means a check (or the
 * first step) was taken this tick (lastAnalysisTime moved); a check held for
 * its webhooks leaves it in force for the next tick.
 */
export function recordPromote(input: TickInput, decision: Decision): Decision {
  const promote = promoteOf(input);
  if (!promote || decision.asks || decision.status.lastAnalysisTime === input.status.lastAnalysisTime) return decision;
  const message = `promote asked by ${promote.by} at ${promote.at}: the check ran without waiting for the rest of the interval`;
  return { ...decision, status: { ...decision.status, promote }, events: [event('Promote', message), ...decision.events] };
}

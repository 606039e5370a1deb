/**
 * The limits the CRD schema puts on the status flowshift writes, named once:
 * the schema writes them into the CRD, and decide() cuts every message and
 * list to them (domain/fit.ts), so a status is never refused for its size.
 */
export const STATUS_LIMITS = {
  message: 32768,
  resultMessage: 4096,
  gateMessage: 1024,
  conditionMessage: 32768,
  /** status.analysis and status.gates: one entry per metric or webhook. */
  listItems: 20,
  /** status.analysis[].history: measurements kept per metric (spec.analysis.historyLimit, at most this). */
  historyItems: 20,
  /** status.conditions: Promoted, Ready, Reconciling, Stalled and the ones a problem adds, with room to spare. */
  conditions: 12,
} as const;

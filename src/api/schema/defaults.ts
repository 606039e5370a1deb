/**
 * The defaults the CRD schema declares, named once: the schema writes them
 * into the CRD, and the code that reads a field the API server did not
 * default (a Rollout built in a test, a status view of an old object) falls
 * back to the same value.
 */
export const DEFAULTS = {
  analysisInterval: '1m',
  threshold: 5,
  judgeAlpha: 0.01,
  judgeMargin: '20%',
  errorBudgetPeriod: '30d',
  historyLimit: 10,
  readyThreshold: 100,
  progressDeadlineSeconds: 600,
  webhookTimeout: '10s',
} as const;

/**
 * The SRE workbook's paging pairs for an error budget (errorBudget.windows
 * when unset): each spends this share of the period's budget over its long
 * window, which makes burn rates 14.4 and 6 for a 30-day period.
 */
export const WORKBOOK_BURN_PAIRS = [
  { long: '1h', short: '5m', budgetShare: 0.02 },
  { long: '6h', short: '30m', budgetShare: 0.05 },
] as const;

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
  historyLimit: 10,
  readyThreshold: 100,
  progressDeadlineSeconds: 600,
  webhookTimeout: '10s',
} as const;

import type { Rollout } from '../../../src/api/types.gen.js';
import type { MeshHistory } from '../../support/mesh-history.js';

const MINUTE = 60;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
export const INTERVAL = 2 * MINUTE;

/**
 * A week of podinfo-primary's history with three known troubles: 20 minutes
 * of 5% errors (A), 4 minutes of 3% errors (C, too short to roll back at
 * threshold 3), and 10 minutes at 800 ms (B). `since` is a multiple of the
 * analysis interval, so every check falls on a whole 2 minutes and every
 * incident starts at a check.
 */
export function weekOfHistory(now: Date): { history: MeshHistory; since: number; until: number; incidents: { a: number; b: number; c: number } } {
  const until = Math.floor(now.getTime() / 1000 / INTERVAL) * INTERVAL - 10 * MINUTE;
  const since = until - 7 * DAY;
  const a = since + 2 * DAY + 10 * HOUR;
  const c = since + 3 * DAY + 4 * HOUR;
  const b = since + 5 * DAY + 2 * HOUR;
  const history: MeshHistory = {
    namespace: 'bt',
    workload: 'podinfo-primary',
    // Ten minutes before the first check, so its rate() windows have samples.
    start: since - 10 * MINUTE,
    end: until,
    stepSeconds: 60,
    requestsPerStep: 1000,
    incidents: [
      { from: a, to: a + 20 * MINUTE, errorShare: 0.05 },
      { from: c, to: c + 4 * MINUTE, errorShare: 0.03 },
      { from: b, to: b + 10 * MINUTE, slow: true },
    ],
  };
  return { history, since, until, incidents: { a, b, c } };
}

/** The Rollout whose analysis is backtested: 5 steps, rollback at 3 failed checks, a check every 2 minutes. */
export const ROLLOUT_YAML = `apiVersion: flowshift.io/v1alpha1
kind: Rollout
metadata:
  name: podinfo
  namespace: bt
spec:
  targetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: podinfo
  service:
    port: 9898
  strategy:
    canary:
      stepWeights: [20, 40, 60, 80, 100]
  analysis:
    interval: 2m
    threshold: 3
    metrics:
      - name: request-success-rate
        thresholdRange:
          min: 99
      - name: request-duration
        thresholdRange:
          max: 500
      - name: error-budget-burn
        errorBudget:
          objective: 99.9
          windows:
            - long: 10m
              short: 2m
              burnRate: 10
`;

/** The same Rollout as the API server would hold it. */
export function backtestedRollout(): Rollout {
  return {
    apiVersion: 'flowshift.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name: 'podinfo', namespace: 'bt' },
    spec: {
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
      service: { port: 9898 },
      strategy: { canary: { stepWeights: [20, 40, 60, 80, 100] } },
      analysis: {
        interval: '2m',
        threshold: 3,
        metrics: [
          { name: 'request-success-rate', thresholdRange: { min: 99 } },
          { name: 'request-duration', thresholdRange: { max: 500 } },
          { name: 'error-budget-burn', errorBudget: { objective: 99.9, windows: [{ long: '10m', short: '2m', burnRate: 10 }] } },
        ],
      },
    },
  };
}

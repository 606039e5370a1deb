import type { AnalysisVerdict } from '../../src/domain/model.js';
import type { RolloutSpec, RolloutStatus } from '../../src/api/types.gen.js';
import type { Observations, TickInput } from '../../src/domain/model.js';
import { decide } from '../../src/domain/decide/decide.js';

export const NOW = new Date('2026-11-22T10:00:00Z');
export const REV_A = 'aaaaaaaaaaaaaaaa';
export const REV_B = 'bbbbbbbbbbbbbbbb';
export const REV_C = 'cccccccccccccccc';

export function spec(overrides: Partial<RolloutSpec> = {}): RolloutSpec {
  return {
    targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
    service: { port: 9898 },
    strategy: { canary: { stepWeight: 10, maxWeight: 30 } },
    analysis: { interval: '1m', threshold: 3 },
    progressDeadlineSeconds: 60,
    ...overrides,
  };
}

export function observed(overrides: Partial<Observations> = {}): Observations {
  return {
    now: NOW,
    revision: REV_B,
    canary: { ready: true, message: '', replicas: 2 },
    primary: { ready: true, replicas: 2, message: '', revision: REV_A },
    routes: { primary: 100, canary: 0, mirror: 0 },
    foreign: [],
    ...overrides,
  };
}

/** A release in progress: revision B at `weight`, last transition 10 s ago. */
export function releasing(weight: number, extra: Partial<RolloutStatus> = {}): RolloutStatus {
  return {
    phase: 'Progressing',
    canaryWeight: weight,
    mirrorWeight: 0,
    failedChecks: 0,
    iterations: 0,
    lastAppliedSpec: REV_B,
    lastPromotedSpec: REV_A,
    lastTransitionTime: new Date(NOW.getTime() - 10_000).toISOString(),
    observedGeneration: 1,
    ...extra,
  };
}

export const idle: RolloutStatus = {
  phase: 'Initialized',
  canaryWeight: 0,
  mirrorWeight: 0,
  lastAppliedSpec: REV_A,
  lastPromotedSpec: REV_A,
  lastTransitionTime: new Date(NOW.getTime() - 3_600_000).toISOString(),
  observedGeneration: 1,
};

export const pass: AnalysisVerdict = {
  passed: true,
  reason: '',
  results: [{ name: 'request-success-rate', value: 99.9, thresholdRange: { min: 99 }, passed: true, message: 'ok', time: NOW.toISOString() }],
};

export const fail: AnalysisVerdict = {
  passed: false,
  reason: 'request-success-rate 91.2 < 99',
  results: [{ name: 'request-success-rate', value: 91.2, thresholdRange: { min: 99 }, passed: false, message: 'request-success-rate 91.2 < 99', time: NOW.toISOString() }],
};

export function input(status: RolloutStatus, obs: Partial<Observations> = {}, rest: Partial<TickInput> = {}): TickInput {
  const observations = observed({ routes: routesFor(status), ...obs });
  return { spec: spec(), status, generation: 1, deleting: false, observed: observations, problems: [], hasFinalizer: false, ...rest };
}

function routesFor(status: RolloutStatus): Observations['routes'] {
  const canary = status.canaryWeight ?? 0;
  return { primary: 100 - canary, canary, mirror: status.mirrorWeight ?? 0 };
}

/** Whether decide(), without a verdict in hand, asks for an analysis run before it decides this tick. */
export function asksForAnalysis(i: TickInput): boolean {
  const { verdict: _given, ...without } = i;
  return decide(without).asks?.some((a) => a.kind === 'analysis') ?? false;
}

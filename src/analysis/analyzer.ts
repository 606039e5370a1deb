import type { MetricResult, Rollout } from '../api/types.gen.js';

/** The workloads one analysis run compares, as Istio's metrics name them. */
export interface AnalysisContext {
  readonly namespace: string;
  /** The canary workload: the user's Deployment (targetRef.name). */
  readonly canary: string;
  /** The primary workload: `<target>-primary`. */
  readonly primary: string;
  /** The apex service name (spec.service.name, default targetRef.name). */
  readonly service: string;
}

export interface AnalysisVerdict {
  /** True when every check passed. */
  readonly passed: boolean;
  /** The latest result of every metric, in spec order: the evidence for status.analysis. */
  readonly results: readonly MetricResult[];
  /** One sentence naming what failed, e.g. "request-success-rate 91.2 < 99"; empty when passed. */
  readonly reason: string;
}

/** Runs a Rollout's analysis (metrics; later webhooks) once. Never throws for a failed check. */
export interface Analyzer {
  analyze(rollout: Rollout, context: AnalysisContext, signal?: AbortSignal): Promise<AnalysisVerdict>;
}

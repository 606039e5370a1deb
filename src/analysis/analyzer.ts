import type { Rollout } from '../api/types.gen.js';
import type { AnalysisVerdict } from '../domain/model.js';

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

/** Runs a Rollout's metric analysis once (its rollout webhooks are gates, asked by the tick). Never throws for a failed check. */
export interface Analyzer {
  analyze(rollout: Rollout, context: AnalysisContext, signal?: AbortSignal): Promise<AnalysisVerdict>;
}

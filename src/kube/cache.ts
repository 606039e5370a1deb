import type { V1ConfigMap, V1DaemonSet, V1Deployment, V1ObjectMeta, V1Secret, V1StatefulSet } from '@kubernetes/client-node';
import type { AutoscalerKind } from '../api/types.gen.js';

/** An autoscaler of either kind as flowshift handles it: JSON, its spec read field by field (workload/autoscaler/spec.ts). */
export interface AutoscalerObject {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata?: V1ObjectMeta;
  readonly spec?: Record<string, unknown>;
  readonly status?: Record<string, unknown>;
}

/**
 * Objects the controller's informers already hold. Reading them here instead
 * of from the API server saves requests on every tick; a stale copy can only
 * delay a decision by a tick, because readiness checks observedGeneration and
 * the primary's revision annotation. Treat what it returns as read-only.
 * Primaries (Deployments a Rollout controls) come without spec.template.
 */
export interface ClusterCache {
  deployment(namespace: string, name: string): V1Deployment | undefined;
  daemonSet(namespace: string, name: string): V1DaemonSet | undefined;
  statefulSet(namespace: string, name: string): V1StatefulSet | undefined;
  configMap(namespace: string, name: string): V1ConfigMap | undefined;
  secret(namespace: string, name: string): V1Secret | undefined;
  /** An autoscaler of a kind some Rollout's spec.autoscalerRef names (absent: read from the API server). */
  autoscaler?(kind: AutoscalerKind, namespace: string, name: string): AutoscalerObject | undefined;
}

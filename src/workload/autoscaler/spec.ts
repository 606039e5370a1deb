// What flowshift reads of an autoscaler's spec and how it makes the
// primary's copy. Pure: the fields of autoscaling/v2 HorizontalPodAutoscaler
// and KEDA's ScaledObject (keda.sh/v1alpha1) as their APIs define them.
import type { AutoscalerKind, Rollout } from '../../api/types.gen.js';
import { MANAGED_BY, ownedNames, primaryName } from '../../api/names.js';
import { isRecord } from '../../json.js';
import { ownerReference } from '../../kube/ownership.js';
import { sameJson } from '../../kube/same-json.js';
import type { AutoscalerObject } from './kinds.js';

/**
 * KEDA's own way to hold a ScaledObject at a replica count
 * (https://keda.sh/docs/latest/concepts/scaling-deployments/#pause-autoscaling):
 * unlike an HPA, KEDA scales a target at zero replicas back up (to
 * minReplicaCount, or on an active trigger), so the user's ScaledObject is
 * held at zero while the canary is, and let go when a release wakes it.
 */
export const KEDA_PAUSED_REPLICAS = 'autoscaling.keda.sh/paused-replicas';

/** The replica range an autoscaler keeps its target in, and the count it last asked for when it says. */
export interface AutoscalerBounds {
  readonly min: number;
  readonly max: number;
  readonly desired: number | undefined;
}

/**
 * HPA: minReplicas (default 1), maxReplicas, status.desiredReplicas (0, its
 * zero value, until it first scales).
 * ScaledObject: minReplicaCount (default 0), maxReplicaCount (default 100);
 * KEDA reports no desired count of its own.
 */
export function boundsOf(kind: AutoscalerKind, autoscaler: AutoscalerObject): AutoscalerBounds {
  const spec = autoscaler.spec ?? {};
  switch (kind) {
    case 'HorizontalPodAutoscaler': {
      const min = count(spec['minReplicas']) ?? 1;
      // An HPA that has not acted yet (or sees its target at zero) reports desiredReplicas 0: it asked for nothing.
      const desired = count(autoscaler.status?.['desiredReplicas']);
      return { min, max: count(spec['maxReplicas']) ?? min, desired: desired ? desired : undefined };
    }
    case 'ScaledObject':
      return { min: count(spec['minReplicaCount']) ?? 0, max: count(spec['maxReplicaCount']) ?? 100, desired: undefined };
  }
}

/** Why the autoscaler does not scale the Rollout's target (its scaleTargetRef names another workload), with the fix; undefined when it does. */
export function scaleTargetProblem(kind: AutoscalerKind, autoscaler: AutoscalerObject, rollout: Rollout): string | undefined {
  const names = ownedNames(rollout);
  const ref = isRecord(autoscaler.spec?.['scaleTargetRef']) ? autoscaler.spec['scaleTargetRef'] : {};
  // A ScaledObject's scaleTargetRef defaults to an apps/v1 Deployment.
  const targetKind = typeof ref['kind'] === 'string' ? ref['kind'] : kind === 'ScaledObject' ? 'Deployment' : '';
  const name = typeof ref['name'] === 'string' ? ref['name'] : '';
  if (targetKind === 'Deployment' && name === names.target) return undefined;
  return (
    `spec.autoscalerRef.name: ${kind} ${names.namespace}/${autoscaler.metadata?.name ?? ''} scales ${targetKind || 'nothing'} ${name}, not the target Deployment ${names.target}: ` +
    `set its scaleTargetRef to Deployment ${names.target}, or name the autoscaler that scales it`
  );
}

/**
 * The spec of the primary's copy: the user's, scaling `<target>-primary`.
 * A ScaledObject that names the HPA KEDA makes for it
 * (advanced.horizontalPodAutoscalerConfig.name) gets `<that name>-primary`,
 * so the two HPAs do not collide.
 */
export function copySpec(autoscaler: AutoscalerObject, rollout: Rollout): Record<string, unknown> {
  const spec = structuredClone(autoscaler.spec ?? {});
  const ref = isRecord(spec['scaleTargetRef']) ? spec['scaleTargetRef'] : {};
  spec['scaleTargetRef'] = { ...ref, name: ownedNames(rollout).primary };
  const advanced = spec['advanced'];
  const hpaConfig = isRecord(advanced) ? advanced['horizontalPodAutoscalerConfig'] : undefined;
  if (isRecord(hpaConfig) && typeof hpaConfig['name'] === 'string') hpaConfig['name'] = primaryName(hpaConfig['name']);
  return spec;
}

/**
 * The primary's copy `<autoscaler>-primary`, owned by the Rollout. It
 * carries the user's labels, not their annotations: those are the object's
 * own (KEDA's pause and HPA-ownership switches, kubectl's last-applied copy).
 */
export function primaryCopy(kind: AutoscalerKind, apiVersion: string, autoscaler: AutoscalerObject, rollout: Rollout, resourceVersion?: string): AutoscalerObject {
  const names = ownedNames(rollout);
  return {
    apiVersion,
    kind,
    metadata: {
      name: primaryName(autoscaler.metadata?.name ?? ''),
      namespace: names.namespace,
      labels: copyLabels(autoscaler),
      ownerReferences: [ownerReference(rollout)],
      ...(resourceVersion ? { resourceVersion } : {}),
    },
    spec: copySpec(autoscaler, rollout),
  };
}

/** Whether the copy carries the user's spec and labels (the API server defaults both specs alike, so equal specs compare equal). */
export function copyInSync(copy: AutoscalerObject, autoscaler: AutoscalerObject, rollout: Rollout): boolean {
  return sameJson(copy.spec ?? {}, copySpec(autoscaler, rollout)) && sameJson(copy.metadata?.labels ?? {}, copyLabels(autoscaler));
}

function copyLabels(autoscaler: AutoscalerObject): Record<string, string> {
  return { ...autoscaler.metadata?.labels, ...MANAGED_BY };
}

function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;
}

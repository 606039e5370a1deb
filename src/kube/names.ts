import type { V1OwnerReference } from '@kubernetes/client-node';
import type { Rollout } from '../api/types.gen.js';

export const GROUP = 'flowshift.io';
export const VERSION = 'v1alpha1';
export const ISTIO_GROUP = 'networking.istio.io';
export const ISTIO_VERSION = 'v1';
export const ROLLOUTS = 'rollouts';
export const FINALIZER = 'flowshift.io/revert-on-deletion';
export const REVISION_ANNOTATION = 'flowshift.io/revision';
/** The annotations of manual control (kubectl flowshift approve / abort / retry); values are JSON {revision, by, at}. */
export const CONTROL_ANNOTATIONS = {
  approve: 'flowshift.io/approve',
  abort: 'flowshift.io/abort',
  retry: 'flowshift.io/retry',
} as const;
export type ControlAnnotation = (typeof CONTROL_ANNOTATIONS)[keyof typeof CONTROL_ANNOTATIONS];
export const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'flowshift' } as const;

/** The names flowshift owns for a Rollout (ROLLOUT-API.md, "Names flowshift owns"). */
export interface OwnedNames {
  readonly namespace: string;
  readonly target: string;
  readonly primary: string;
  readonly service: string;
  readonly primaryService: string;
  readonly canaryService: string;
  readonly virtualService: string;
}

export function ownedNames(rollout: Rollout): OwnedNames {
  const target = rollout.spec.targetRef.name;
  const service = rollout.spec.service.name ?? target;
  return {
    namespace: rollout.metadata.namespace ?? 'default',
    target,
    primary: `${target}-primary`,
    service,
    primaryService: `${service}-primary`,
    canaryService: `${service}-canary`,
    virtualService: service,
  };
}

/** The copy of a ConfigMap or Secret that primary pods read: `<name>-primary`. */
export function primaryConfigName(name: string): string {
  return `${name}-primary`;
}

export function ownerReference(rollout: Rollout): V1OwnerReference {
  return {
    apiVersion: `${GROUP}/${VERSION}`,
    kind: 'Rollout',
    name: rollout.metadata.name ?? '',
    uid: rollout.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

export function rolloutKey(rollout: Pick<Rollout, 'metadata'>): string {
  return `${rollout.metadata.namespace ?? ''}/${rollout.metadata.name ?? ''}`;
}

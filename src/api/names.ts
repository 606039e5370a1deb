// The names flowshift's objects are known by: its API group, the annotations
// and labels it writes, and every name it generates. Pure: the domain, the
// adapters and the CLI all derive names here.
import type { Rollout } from './types.gen.js';

export const GROUP = 'flowshift.io';
export const VERSION = 'v1alpha1';
export const ROLLOUTS = 'rollouts';
export const FINALIZER = 'flowshift.io/revert-on-deletion';
export const REVISION_ANNOTATION = 'flowshift.io/revision';
/** The annotations of manual control (kubectl flowshift approve / abort / retry / promote [--full]); values are JSON {revision, by, at}. */
export const CONTROL_ANNOTATIONS = {
  approve: 'flowshift.io/approve',
  abort: 'flowshift.io/abort',
  retry: 'flowshift.io/retry',
  promote: 'flowshift.io/promote',
  promoteFull: 'flowshift.io/promote-full',
} as const;
export type ControlAnnotation = (typeof CONTROL_ANNOTATIONS)[keyof typeof CONTROL_ANNOTATIONS];
export const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'flowshift' } as const;

/**
 * The pod labels the generated Services select: `<service>-primary` (and the
 * apex `<service>`) the primary's, `<service>-canary` the canary's. For a
 * Deployment or DaemonSet, the selector label with and without "-primary";
 * for a StatefulSet, its pods plus the controller-revision-hash of each
 * version (docs/statefulsets.md).
 */
export interface VersionSelectors {
  readonly primary: Readonly<Record<string, string>>;
  readonly canary: Readonly<Record<string, string>>;
}

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
    primary: primaryName(target),
    service,
    primaryService: primaryName(service),
    canaryService: canaryName(service),
    virtualService: service,
  };
}

/**
 * The primary's name for a thing of the target: its Deployment
 * (`<target>-primary`), the copy of a ConfigMap or Secret its pods read, the
 * value of its pods' selector label.
 */
export function primaryName(name: string): string {
  return `${name}-primary`;
}

/** The canary's name for a thing of the target: its Service, `<service>-canary`. */
export function canaryName(name: string): string {
  return `${name}-canary`;
}

export function rolloutKey(rollout: Pick<Rollout, 'metadata'>): string {
  return `${rollout.metadata.namespace ?? ''}/${rollout.metadata.name ?? ''}`;
}

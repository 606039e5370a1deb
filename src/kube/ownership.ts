import type { V1ObjectMeta, V1OwnerReference } from '@kubernetes/client-node';
import type { Rollout } from '../api/types.gen.js';
import { GROUP, VERSION } from '../api/names.js';

/** Whether `meta` carries this Rollout's controller ownerReference. */
export function ownedBy(meta: Pick<V1ObjectMeta, 'ownerReferences'> | undefined, rollout: Rollout): boolean {
  return (meta?.ownerReferences ?? []).some((ref) => ref.controller === true && ref.uid === rollout.metadata.uid);
}

/** Whether a Rollout (any) is the object's controller: e.g. a primary Deployment flowshift created. */
export function controlledByRollout(meta: Pick<V1ObjectMeta, 'ownerReferences'> | undefined): boolean {
  return (meta?.ownerReferences ?? []).some((ref) => ref.controller === true && ref.kind === 'Rollout' && ref.apiVersion.startsWith(`${GROUP}/`));
}

/** Who controls an object, in words: "Rollout shop/web", "Deployment shop/x", or "nobody (created by hand)". */
export function describeController(meta: Pick<V1ObjectMeta, 'ownerReferences' | 'namespace'> | undefined): string {
  const ref = (meta?.ownerReferences ?? []).find((r) => r.controller === true);
  if (!ref) return 'no controller (created outside flowshift)';
  const kind = ref.apiVersion.startsWith(`${GROUP}/`) ? `flowshift ${ref.kind}` : ref.kind;
  return `${kind} ${meta?.namespace ?? ''}/${ref.name}`;
}

/**
 * An object exists under a name flowshift generates for this Rollout but is
 * not this Rollout's: flowshift never overwrites it.
 */
export class OwnershipError extends Error {
  readonly code = 'FLOWSHIFT_NOT_OWNED';
  override readonly name = 'OwnershipError';

  constructor(kind: string, namespace: string, name: string, meta: Pick<V1ObjectMeta, 'ownerReferences' | 'namespace'> | undefined) {
    super(notOwnedMessage(kind, namespace, name, meta));
  }
}

/** The way out for each kind of generated name. */
function fixFor(kind: string): string {
  switch (kind) {
    case 'Service':
    case 'VirtualService':
    case 'DestinationRule':
    case 'HTTPRoute':
      return 'delete or rename it, or set spec.service.name so flowshift generates other names';
    case 'Deployment':
      return 'delete or rename it (flowshift creates the primary itself from spec.targetRef)';
    case 'HorizontalPodAutoscaler':
    case 'ScaledObject':
      return "delete or rename it (flowshift creates the primary's autoscaler itself from spec.autoscalerRef)";
    default:
      return 'delete or rename it (flowshift creates the copy itself at promotion)';
  }
}

export function notOwnedMessage(kind: string, namespace: string, name: string, meta: Pick<V1ObjectMeta, 'ownerReferences' | 'namespace'> | undefined): string {
  return (
    `${kind} ${namespace}/${name} already exists and is not managed by this Rollout (controller: ${describeController(meta)}); ` +
    `flowshift never overwrites it: ${fixFor(kind)}`
  );
}

/** Throws OwnershipError unless `meta` (an existing object) belongs to `rollout`. */
export function assertOwned(rollout: Rollout, kind: string, namespace: string, name: string, meta: V1ObjectMeta | undefined): void {
  if (!ownedBy(meta, rollout)) throw new OwnershipError(kind, namespace, name, meta);
}

/** The controller ownerReference flowshift puts on every object it creates for `rollout`. */
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

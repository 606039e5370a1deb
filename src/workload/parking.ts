import type { V1PodTemplateSpec } from '@kubernetes/client-node';

/**
 * Parking: how a DaemonSet target runs no pods between releases. A
 * DaemonSet has no replicas to scale to zero, so its pod template gets a
 * nodeSelector entry no node carries (Flagger does the same), and loses it
 * again when a release needs the canary. The entry is a field the user's
 * manifest does not set, written by a merge patch under flowshift's field
 * manager: apply-based tools (kubectl apply, Argo CD, Flux's server-side
 * apply) leave it alone (docs/daemonsets.md). It is not part of the release:
 * the revision hash and the primary's template never see it.
 */
export const PARK_KEY = 'flowshift.io/parked';
const PARKED = 'true';

export function isParked(template: V1PodTemplateSpec | undefined): boolean {
  return template?.spec?.nodeSelector?.[PARK_KEY] === PARKED;
}

/** The template as the user released it: without the parking entry (a nodeSelector left empty is dropped, as the API server stores it). */
export function unparked(template: V1PodTemplateSpec | undefined): V1PodTemplateSpec | undefined {
  const selector = template?.spec?.nodeSelector;
  if (!template?.spec || !selector || !(PARK_KEY in selector)) return template;
  const { [PARK_KEY]: _parked, ...rest } = selector;
  const { nodeSelector: _all, ...spec } = template.spec;
  return { ...template, spec: { ...spec, ...(Object.keys(rest).length ? { nodeSelector: rest } : {}) } };
}

/** The merge patch that parks (true) or unparks (false) a DaemonSet: only the one nodeSelector entry, so the user's own stay. */
export function parkingPatch(parked: boolean): object {
  return { spec: { template: { spec: { nodeSelector: { [PARK_KEY]: parked ? PARKED : null } } } } };
}

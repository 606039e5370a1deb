// What every kind of target shares: a selector label, a pod template, and a
// primary that is a clone of it under `<target>-primary`. Pure; the Target
// implementations (deployment.ts, daemonset.ts) build on it.
import type { V1DaemonSet, V1Deployment, V1ObjectMeta, V1PodTemplateSpec, V1StatefulSet } from '@kubernetes/client-node';
import type { Rollout } from '../api/types.gen.js';
import { MANAGED_BY, REVISION_ANNOTATION, ownedNames, primaryName, type VersionSelectors } from '../api/names.js';
import { ownerReference } from '../kube/ownership.js';
import { TargetError } from './target.js';
import { withoutConfigCopies } from './config-copies.js';

/** A workload a Rollout can release: the kinds of spec.targetRef. */
export type Workload = V1Deployment | V1DaemonSet | V1StatefulSet;

/** The selector labels looked for, in order, as Flagger does. */
export const SELECTOR_LABELS = ['app', 'name', 'app.kubernetes.io/name'] as const;

export interface SelectorLabel {
  readonly key: string;
  readonly value: string;
}

/** The selector label flowshift suffixes with "-primary" for the primary's pods. */
export function selectorLabel(kind: string, target: Workload): SelectorLabel {
  const labels = target.spec?.selector.matchLabels ?? {};
  for (const key of SELECTOR_LABELS) {
    const value = labels[key];
    if (value) return { key, value };
  }
  throw new TargetError(
    `${kind} ${target.metadata?.name ?? ''}: spec.selector.matchLabels needs one of ${SELECTOR_LABELS.join(', ')} ` +
      '(flowshift selects primary pods by that label suffixed with -primary)',
  );
}

/** The Services of a clone's versions: the primary's pods carry the selector label's value suffixed "-primary". */
export function versionSelectors(label: SelectorLabel): VersionSelectors {
  return { primary: { [label.key]: primaryName(label.value) }, canary: { [label.key]: label.value } };
}

/** The primary's pod template: `template` (the target's, as released) with the selector label suffixed "-primary". */
export function primaryPodTemplate(template: V1PodTemplateSpec | undefined, label: SelectorLabel): V1PodTemplateSpec {
  const t = template ?? {};
  return {
    ...t,
    metadata: { ...t.metadata, labels: { ...t.metadata?.labels, [label.key]: primaryName(label.value) } },
  };
}

/**
 * The target template a primary's was made from, primaryPodTemplate and the
 * config copies undone: the selector label's value without "-primary", the
 * references to `-primary` copies back on their configs. What
 * `kubectl flowshift undo` writes back into the target.
 */
export function templateFromPrimary(kind: string, primary: Workload, target: Workload): V1PodTemplateSpec {
  const label = selectorLabel(kind, target);
  const template = withoutConfigCopies(primary.spec?.template ?? {});
  return { ...template, metadata: { ...template.metadata, labels: { ...template.metadata?.labels, [label.key]: label.value } } };
}

/**
 * Annotations that describe the target itself (kubectl's, the Deployment and
 * DaemonSet controllers') are not the primary's.
 */
const OWN_ANNOTATIONS = new Set(['kubectl.kubernetes.io/last-applied-configuration', 'deployment.kubernetes.io/revision', 'deprecated.daemonset.template.generation']);

/** The metadata of a new `<target>-primary`: the target's labels and annotations, the primary's selector label, the revision, this Rollout as controller. */
export function primaryMetadata(rollout: Rollout, target: Workload, label: SelectorLabel, revision: string): V1ObjectMeta {
  const annotations = Object.fromEntries(Object.entries(target.metadata?.annotations ?? {}).filter(([k]) => !OWN_ANNOTATIONS.has(k)));
  const names = ownedNames(rollout);
  return {
    name: names.primary,
    namespace: names.namespace,
    labels: { ...target.metadata?.labels, [label.key]: primaryName(label.value), ...MANAGED_BY },
    annotations: { ...annotations, [REVISION_ANNOTATION]: revision },
    ownerReferences: [ownerReference(rollout)],
  };
}


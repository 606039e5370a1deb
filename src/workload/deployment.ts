import { DEFAULTS } from '../api/schema/defaults.js';
import type { V1Deployment, V1PodTemplateSpec, AppsV1Api, CoreV1Api } from '@kubernetes/client-node';
import type { KubeClients } from '../kube/client.js';
import type { Rollout } from '../api/types.gen.js';
import type { ClusterCache } from '../kube/cache.js';
import { isConflict, isNotFound } from '../kube/errors.js';
import { MANAGED_BY, REVISION_ANNOTATION, ownedNames, primaryName } from '../api/names.js';
import { ownerReference } from '../kube/ownership.js';
import { slim } from '../kube/slim.js';
import { newerVersion } from '../kube/resource-version.js';
import { assertOwned, notOwnedMessage, ownedBy } from '../kube/ownership.js';
import { ConfigCopier, withConfigCopies, withoutConfigCopies } from './config-copies.js';
import { deploymentReadiness } from './readiness.js';
import { configRefs, revisionHash } from './revision.js';
import type { PrimaryObservation } from '../domain/model.js';
import { TargetError, type Target, type TargetObservation } from './target.js';

/** The selector labels looked for, in order, as Flagger does. */
/** Replaces of the primary tried before a tick gives up on conflicts (each after a fresh read). */
const CONFLICT_ATTEMPTS = 3;

export const SELECTOR_LABELS = ['app', 'name', 'app.kubernetes.io/name'] as const;

export class DeploymentTarget implements Target {
  private readonly apps: AppsV1Api;
  private readonly core: CoreV1Api;
  private readonly copier: ConfigCopier;
  private readonly revisions = new WeakMap<V1PodTemplateSpec, string>();
  /** This target's last write of each Deployment (namespace/name), until the cache shows it or something newer. */
  private readonly written = new Map<string, V1Deployment>();

  constructor(
    clients: KubeClients,
    private readonly cache?: ClusterCache,
  ) {
    this.apps = clients.apps;
    this.core = clients.core;
    this.copier = new ConfigCopier(clients, cache);
  }

  async observe(rollout: Rollout): Promise<TargetObservation | undefined> {
    const names = ownedNames(rollout);
    const [target, primary] = await Promise.all([this.read(names.namespace, names.target), this.read(names.namespace, names.primary)]);
    if (!target) return undefined;
    const revision = this.revisionOf(target.spec?.template, await this.readConfigs(names.namespace, target.spec?.template));
    const analysis = rollout.spec.analysis;
    const canaryReady = deploymentReadiness(target, analysis?.canaryReadyThreshold ?? DEFAULTS.readyThreshold);
    const foreign = primary && !ownedBy(primary.metadata, rollout);
    return {
      revision,
      generation: target.metadata?.generation ?? 0,
      progress: progressKey(target, primary),
      label: selectorLabel(target),
      canary: { ...canaryReady, replicas: target.spec?.replicas ?? 1 },
      primary: primary && !foreign ? observePrimary(primary, analysis?.primaryReadyThreshold) : undefined,
      ...(foreign ? { foreign: notOwnedMessage('Deployment', names.namespace, names.primary, primary.metadata) } : {}),
    };
  }

  async foreign(rollout: Rollout): Promise<string[]> {
    const names = ownedNames(rollout);
    const target = await this.read(names.namespace, names.target);
    return target ? this.copier.foreign(rollout, names.namespace, target.spec?.template) : [];
  }

  async ensurePrimary(rollout: Rollout, revision: string, replicas: number): Promise<void> {
    const names = ownedNames(rollout);
    const target = await this.mustRead(names.namespace, names.target);
    if (await this.read(names.namespace, names.primary)) return;
    const label = selectorLabel(target);
    const template = await this.primaryTemplate(rollout, target, label);
    await this.apps.createNamespacedDeployment({
      namespace: names.namespace,
      body: {
        metadata: {
          name: names.primary,
          namespace: names.namespace,
          labels: { ...target.metadata?.labels, [label.key]: primaryName(label.value), ...MANAGED_BY },
          annotations: { ...copiedAnnotations(target), [REVISION_ANNOTATION]: revision },
          ownerReferences: [ownerReference(rollout)],
        },
        spec: {
          ...target.spec,
          replicas,
          selector: { matchLabels: { [label.key]: primaryName(label.value) } },
          template,
        },
      },
    });
  }

  async promote(rollout: Rollout, revision: string): Promise<void> {
    const names = ownedNames(rollout);
    const [target, cached] = await Promise.all([this.mustRead(names.namespace, names.target), this.mustRead(names.namespace, names.primary)]);
    const label = selectorLabel(target);
    const template = await this.primaryTemplate(rollout, target, label);
    // The cached primary can be a version behind (its status moves as its pods
    // get ready): on a conflict it is read afresh and replaced again, instead
    // of failing the tick and retrying from the same stale cache.
    let primary = cached;
    for (let attempt = 1; ; attempt++) {
      assertOwned(rollout, 'Deployment', names.namespace, names.primary, primary.metadata);
      try {
        // A full replace, so labels, annotations or volumes removed from the
        // canary disappear from the primary too (a merge patch would keep them).
        const replaced = await this.apps.replaceNamespacedDeployment({
          name: names.primary,
          namespace: names.namespace,
          body: {
            ...primary,
            metadata: { ...primary.metadata, annotations: { ...primary.metadata?.annotations, [REVISION_ANNOTATION]: revision } },
            spec: { ...primary.spec, selector: primary.spec?.selector ?? {}, template },
          },
        });
        this.remember(replaced);
        return;
      } catch (err) {
        if (!isConflict(err) || attempt === CONFLICT_ATTEMPTS) throw err;
      }
      primary = await this.apps.readNamespacedDeployment({ name: names.primary, namespace: names.namespace });
    }
  }

  async releasePrimary(rollout: Rollout): Promise<void> {
    const names = ownedNames(rollout);
    const primary = await this.read(names.namespace, names.primary);
    if (!primary || !ownedBy(primary.metadata, rollout)) return;
    await this.apps.patchNamespacedDeployment({ name: names.primary, namespace: names.namespace, body: { metadata: { ownerReferences: null } } });
  }

  async scaleCanary(rollout: Rollout, replicas: number): Promise<void> {
    const names = ownedNames(rollout);
    this.remember(await this.apps.patchNamespacedDeployment({ name: names.target, namespace: names.namespace, body: { spec: { replicas } } }));
  }

  /** The target's template for primary pods: their label, and the copies of the configs it reads. */
  private async primaryTemplate(rollout: Rollout, target: V1Deployment, label: { key: string; value: string }): Promise<V1PodTemplateSpec> {
    const copied = await this.copier.copy(rollout, target.metadata?.namespace ?? ownedNames(rollout).namespace, target.spec?.template);
    return withConfigCopies(primaryTemplate(target, label), copied);
  }

  /**
   * The revision hash, computed once per template object: an informer
   * replaces the object on every change, so the same object is the same
   * template. Templates reading configs are hashed each time (their data may change).
   */
  private revisionOf(template: V1PodTemplateSpec | undefined, configs: Record<string, unknown>): string {
    if (!template || Object.keys(configs).length) return revisionHash(template, configs);
    let revision = this.revisions.get(template);
    if (revision === undefined) {
      revision = revisionHash(template, configs);
      this.revisions.set(template, revision);
    }
    return revision;
  }

  private async read(namespace: string, name: string): Promise<V1Deployment | undefined> {
    const cached = this.cache?.deployment(namespace, name);
    if (cached) return this.newerOf(cached);
    try {
      return await this.apps.readNamespacedDeployment({ name, namespace });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /**
   * Reads its own writes: the cached Deployment, unless this target's last
   * write of it is newer. Right after a scale, a tick woken by an older event
   * (the kubelet's status of the previous version) would otherwise see the
   * old replicas and scale again.
   */
  private newerOf(cached: V1Deployment): V1Deployment {
    const key = keyOf(cached);
    const ours = this.written.get(key);
    if (!ours) return cached;
    if (newerVersion(ours.metadata?.resourceVersion, cached.metadata?.resourceVersion)) return ours;
    // The informer caught up with the write, or someone wrote after it.
    this.written.delete(key);
    return cached;
  }

  private remember(written: V1Deployment): void {
    if (this.cache) this.written.set(keyOf(written), slim(written));
  }

  private async mustRead(namespace: string, name: string): Promise<V1Deployment> {
    const d = await this.read(namespace, name);
    if (!d) throw new TargetError(`Deployment ${namespace}/${name} not found`);
    return d;
  }

  private async readConfigs(namespace: string, template: V1PodTemplateSpec | undefined): Promise<Record<string, unknown>> {
    const refs = configRefs(template);
    const configs: Record<string, unknown> = {};
    const reads = [
      ...refs.configMaps.map(async (name) => {
        const cached = this.cache?.configMap(namespace, name);
        configs[`configmap/${name}`] = await (cached ? Promise.resolve(cached) : this.core.readNamespacedConfigMap({ name, namespace })).then(
          (c) => ({ data: c.data, binaryData: c.binaryData }),
          (err: unknown) => (isNotFound(err) ? null : Promise.reject(err as Error)),
        );
      }),
      ...refs.secrets.map(async (name) => {
        const cached = this.cache?.secret(namespace, name);
        configs[`secret/${name}`] = await (cached ? Promise.resolve(cached) : this.core.readNamespacedSecret({ name, namespace })).then(
          (s) => s.data ?? {},
          (err: unknown) => (isNotFound(err) ? null : Promise.reject(err as Error)),
        );
      }),
    ];
    await Promise.all(reads);
    return configs;
  }
}

/** What a Deployment's readiness is computed from, for target and primary: equal keys, equal readiness. */
export function progressKey(target: V1Deployment | undefined, primary: V1Deployment | undefined): string {
  const key = (d: V1Deployment | undefined): string => {
    const st = d?.status;
    return `${st?.observedGeneration ?? 0}/${st?.updatedReplicas ?? 0}/${st?.availableReplicas ?? 0}/${st?.conditions?.length ?? 0}`;
  };
  return `${key(target)}|${key(primary)}`;
}

/** Annotations that describe the target itself (kubectl's, the Deployment controller's) are not the primary's. */
const OWN_ANNOTATIONS = new Set(['kubectl.kubernetes.io/last-applied-configuration', 'deployment.kubernetes.io/revision']);

function copiedAnnotations(target: V1Deployment): Record<string, string> {
  return Object.fromEntries(Object.entries(target.metadata?.annotations ?? {}).filter(([k]) => !OWN_ANNOTATIONS.has(k)));
}

function observePrimary(primary: V1Deployment, threshold: number | undefined): PrimaryObservation {
  return {
    ...deploymentReadiness(primary, threshold ?? DEFAULTS.readyThreshold),
    replicas: primary.spec?.replicas ?? 1,
    revision: primary.metadata?.annotations?.[REVISION_ANNOTATION],
  };
}

/** The selector label flowshift suffixes with "-primary" for the primary's pods. */
export function selectorLabel(target: V1Deployment): { key: string; value: string } {
  const labels = target.spec?.selector.matchLabels ?? {};
  for (const key of SELECTOR_LABELS) {
    const value = labels[key];
    if (value) return { key, value };
  }
  throw new TargetError(
    `Deployment ${target.metadata?.name ?? ''}: spec.selector.matchLabels needs one of ${SELECTOR_LABELS.join(', ')} ` +
      '(flowshift selects primary pods by that label suffixed with -primary)',
  );
}

function primaryTemplate(target: V1Deployment, label: { key: string; value: string }): V1PodTemplateSpec {
  const template = target.spec?.template ?? {};
  return {
    ...template,
    metadata: { ...template.metadata, labels: { ...template.metadata?.labels, [label.key]: primaryName(label.value) } },
  };
}

/**
 * The target template a primary's was made from, primaryTemplate and the
 * config copies undone: the selector label's value without "-primary", the
 * references to `-primary` copies back on their configs. What
 * `kubectl flowshift undo` writes back into the target.
 */
export function templateFromPrimary(primary: V1Deployment, target: V1Deployment): V1PodTemplateSpec {
  const label = selectorLabel(target);
  const template = withoutConfigCopies(primary.spec?.template ?? {});
  return { ...template, metadata: { ...template.metadata, labels: { ...template.metadata?.labels, [label.key]: label.value } } };
}

const keyOf = (d: V1Deployment): string => `${d.metadata?.namespace ?? ''}/${d.metadata?.name ?? ''}`;

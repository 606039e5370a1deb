import type { CoreV1Api, V1PodTemplateSpec } from '@kubernetes/client-node';
import { DEFAULTS } from '../api/schema/defaults.js';
import type { Rollout, TargetKind } from '../api/types.gen.js';
import { REVISION_ANNOTATION, ownedNames } from '../api/names.js';
import type { ClusterCache } from '../kube/cache.js';
import type { KubeClients } from '../kube/client.js';
import { isConflict, isNotFound } from '../kube/errors.js';
import { assertOwned, notOwnedMessage, ownedBy } from '../kube/ownership.js';
import type { CanaryObservation } from '../domain/model.js';
import { ConfigCopier, withConfigCopies } from './config-copies.js';
import { configRefs, revisionHash } from './revision.js';
import { TargetError, type Target, type TargetObservation } from './target.js';
import type { AutoscalerSight } from './autoscaler/primary-autoscaler.js';
import { OwnWrites } from './own-writes.js';
import { primaryPodTemplate, selectorLabel, versionSelectors, type SelectorLabel, type Workload } from './workload.js';

/** Replaces of the primary tried before a tick gives up on conflicts (each after a fresh read). */
const CONFLICT_ATTEMPTS = 3;

/**
 * What a Target does the same for every kind of workload: observing target
 * and primary, the revision hash, config copies, promotion by a full
 * replace, ownership checks, and reading its own writes ahead of the
 * informer. A kind adds its API calls, its readiness, and how its canary is
 * created and scaled (deployment.ts, daemonset.ts).
 */
export abstract class WorkloadTarget<W extends Workload> implements Target {
  protected readonly core: CoreV1Api;
  private readonly copier: ConfigCopier;
  private readonly revisions = new WeakMap<V1PodTemplateSpec, string>();
  private readonly ownWrites: OwnWrites<W>;

  constructor(
    clients: KubeClients,
    protected readonly cache?: ClusterCache,
  ) {
    this.core = clients.core;
    this.copier = new ConfigCopier(clients, cache);
    this.ownWrites = new OwnWrites(cache !== undefined);
  }

  abstract readonly kind: TargetKind;
  abstract ensurePrimary(rollout: Rollout, revision: string, replicas: number): Promise<void>;
  abstract scaleCanary(rollout: Rollout, replicas: number): Promise<void>;
  /** What readiness is computed from, for target and primary: equal keys, equal readiness. */
  abstract progressKey(target: W | undefined, primary: W | undefined): string;
  /** The informer's copy, if it holds one. */
  abstract cached(namespace: string, name: string): W | undefined;
  protected abstract fetch(namespace: string, name: string): Promise<W>;
  protected abstract replace(namespace: string, name: string, body: W): Promise<W>;
  protected abstract patch(namespace: string, name: string, body: object): Promise<W>;
  /** Readiness against `thresholdPercent` (with an autoscaler: of its floor), and the size in replicas (0: no canary pods run). */
  protected abstract sized(workload: W, thresholdPercent: number, autoscaledFloor?: number): CanaryObservation;
  /** Why this target cannot be released at all, naming the field and the fix; undefined when it can. */
  protected abstract refusal(target: W): string | undefined;

  /** The pod template the user released: what is hashed and copied into the primary. */
  protected released(target: W): V1PodTemplateSpec | undefined {
    return target.spec?.template;
  }

  async observe(rollout: Rollout): Promise<TargetObservation | undefined> {
    const names = ownedNames(rollout);
    const [target, primary, autoscaler] = await Promise.all([
      this.read(names.namespace, names.target),
      this.read(names.namespace, names.primary),
      this.observeAutoscaler(rollout),
    ]);
    if (!target) return undefined;
    const refused = this.refusal(target);
    if (refused) throw new TargetError(refused);
    const revision = this.revisionOf(target, await this.readConfigs(names.namespace, this.released(target)));
    const scaled = autoscalerFields(autoscaler);
    const foreign = [...this.foreignPrimary(rollout, primary), ...(scaled.foreign ? [scaled.foreign] : [])];
    return {
      ...scaled,
      ...this.versions(rollout, target, primary, scaled.autoscaler?.minReplicas),
      revision,
      generation: target.metadata?.generation ?? 0,
      progress: this.progressKey(target, primary),
      label: this.label(target),
      selectors: versionSelectors(this.label(target)),
      ...(foreign.length ? { foreign: foreign.join('; ') } : {}),
    };
  }

  /** Canary and primary readiness (with an autoscaler, judged on its floor: readiness.ts says why); a primary that is not the Rollout's is not observed. */
  private versions(rollout: Rollout, target: W, primary: W | undefined, floor: number | undefined): Pick<TargetObservation, 'canary' | 'primary'> {
    const analysis = rollout.spec.analysis;
    const ours = primary && ownedBy(primary.metadata, rollout);
    return {
      canary: this.sized(target, analysis?.canaryReadyThreshold ?? DEFAULTS.readyThreshold, floor),
      primary: ours
        ? { ...this.sized(primary, analysis?.primaryReadyThreshold ?? DEFAULTS.readyThreshold, floor), revision: primary.metadata?.annotations?.[REVISION_ANNOTATION] }
        : undefined,
    };
  }

  /** `<target>-primary` when it exists and is not the Rollout's: why, and the fix. */
  private foreignPrimary(rollout: Rollout, primary: W | undefined): string[] {
    const names = ownedNames(rollout);
    return primary && !ownedBy(primary.metadata, rollout) ? [notOwnedMessage(this.kind, names.namespace, names.primary, primary.metadata)] : [];
  }

  /** spec.autoscalerRef's autoscaler as this kind sees it; none for a kind the API refuses the field for. */
  protected observeAutoscaler(_rollout: Rollout): Promise<AutoscalerSight | undefined> {
    return Promise.resolve(undefined);
  }

  /** Only a StatefulSet's pods change revision in place: a clone's canary is scaled to zero instead. */
  recreateCanaryPod(_rollout: Rollout): Promise<void> {
    return Promise.resolve();
  }

  /** Creates or updates the primary's copy of the autoscaler; nothing for a kind the API refuses spec.autoscalerRef for. */
  syncAutoscaler(_rollout: Rollout): Promise<void> {
    return Promise.resolve();
  }

  async foreign(rollout: Rollout): Promise<string[]> {
    const names = ownedNames(rollout);
    const target = await this.read(names.namespace, names.target);
    return target ? this.copier.foreign(rollout, names.namespace, this.released(target)) : [];
  }

  async promote(rollout: Rollout, revision: string): Promise<void> {
    const names = ownedNames(rollout);
    const [target, cached] = await Promise.all([this.mustRead(names.namespace, names.target), this.mustRead(names.namespace, names.primary)]);
    const template = await this.primaryTemplate(rollout, target);
    // The cached primary can be a version behind (its status moves as its pods
    // get ready): on a conflict it is read afresh and replaced again, instead
    // of failing the tick and retrying from the same stale cache.
    let primary: W = cached;
    for (let attempt = 1; ; attempt++) {
      assertOwned(rollout, this.kind, names.namespace, names.primary, primary.metadata);
      try {
        // A full replace, so labels, annotations or volumes removed from the
        // canary disappear from the primary too (a merge patch would keep them).
        const body = {
          ...primary,
          metadata: { ...primary.metadata, annotations: { ...primary.metadata?.annotations, [REVISION_ANNOTATION]: revision } },
          spec: { ...primary.spec, selector: primary.spec?.selector ?? {}, template },
        };
        this.remember(await this.replace(names.namespace, names.primary, body));
        return;
      } catch (err) {
        if (!isConflict(err) || attempt === CONFLICT_ATTEMPTS) throw err;
      }
      primary = await this.fetch(names.namespace, names.primary);
    }
  }

  async releasePrimary(rollout: Rollout): Promise<void> {
    const names = ownedNames(rollout);
    const primary = await this.read(names.namespace, names.primary);
    if (!primary || !ownedBy(primary.metadata, rollout)) return;
    await this.patch(names.namespace, names.primary, { metadata: { ownerReferences: null } });
  }

  /** The target's generation and progress as the informer holds them, to notice changes made while a tick ran (0 and '' without a cache). */
  cachedProgress(rollout: Rollout): { readonly generation: number; readonly progress: string } {
    const names = ownedNames(rollout);
    const target = this.cached(names.namespace, names.target);
    return { generation: target?.metadata?.generation ?? 0, progress: this.progressKey(target, this.cached(names.namespace, names.primary)) };
  }

  protected label(target: W): SelectorLabel {
    return selectorLabel(this.kind, target);
  }

  /** The target's template for primary pods: their label, and the copies of the configs it reads. */
  protected async primaryTemplate(rollout: Rollout, target: W): Promise<V1PodTemplateSpec> {
    const template = this.released(target);
    const copied = await this.copier.copy(rollout, target.metadata?.namespace ?? ownedNames(rollout).namespace, template);
    return withConfigCopies(primaryPodTemplate(template, this.label(target)), copied);
  }

  /**
   * The revision hash, computed once per template object: an informer
   * replaces the object on every change, so the same object is the same
   * template. Templates reading configs are hashed each time (their data may change).
   */
  private revisionOf(target: W, configs: Record<string, unknown>): string {
    const template = target.spec?.template;
    if (!template || Object.keys(configs).length) return revisionHash(this.released(target), configs);
    let revision = this.revisions.get(template);
    if (revision === undefined) {
      revision = revisionHash(this.released(target), configs);
      this.revisions.set(template, revision);
    }
    return revision;
  }

  protected async read(namespace: string, name: string): Promise<W | undefined> {
    const cached = this.cached(namespace, name);
    // Reads its own writes ahead of the informer (own-writes.ts).
    if (cached) return this.ownWrites.newerOf(cached);
    try {
      return await this.fetch(namespace, name);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  protected remember(written: W): void {
    this.ownWrites.remember(written);
  }

  protected async mustRead(namespace: string, name: string): Promise<W> {
    const w = await this.read(namespace, name);
    if (!w) throw new TargetError(`${this.kind} ${namespace}/${name} not found`);
    return w;
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

/** What the target's observation carries of spec.autoscalerRef's autoscaler. */
function autoscalerFields(sight: AutoscalerSight | undefined): Pick<TargetObservation, 'autoscaler' | 'foreign' | 'invalid'> {
  if (!sight) return {};
  if (sight.kind === 'invalid') return { invalid: sight.problem };
  return { autoscaler: sight.observation, ...(sight.foreign ? { foreign: sight.foreign } : {}) };
}

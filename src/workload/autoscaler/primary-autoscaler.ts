import type { AutoscalerRef, Rollout } from '../../api/types.gen.js';
import { ownedNames, primaryName } from '../../api/names.js';
import type { AutoscalerObservation } from '../../domain/model.js';
import type { ClusterCache } from '../../kube/cache.js';
import type { KubeClients } from '../../kube/client.js';
import { assertOwned, notOwnedMessage, ownedBy } from '../../kube/ownership.js';
import { apiVersionOf, autoscalerApis, describeRef, type AutoscalerApi, type AutoscalerObject } from './kinds.js';
import { KEDA_PAUSED_REPLICAS, boundsOf, copyInSync, primaryCopy, scaleTargetProblem } from './spec.js';

/** The user's autoscaler as a tick sees it: what decide() needs, or why the Rollout cannot use it (the field and the fix). */
export type AutoscalerSight =
  | { readonly kind: 'observed'; readonly observation: AutoscalerObservation; readonly foreign?: string }
  | { readonly kind: 'invalid'; readonly problem: string };

/** Whether the API server serves group/version (discovery, kept a while: kube/served-apis.ts). */
export type Serves = (group: string, version: string) => Promise<boolean>;

/**
 * spec.autoscalerRef: the primary gets its own autoscaler, a copy
 * `<autoscaler>-primary` of the user's that scales `<target>-primary`, kept
 * in sync with it; the user's own keeps scaling the target, which is the
 * canary. The copy is named after the autoscaler, as config copies are after
 * their ConfigMap (primaryName: the primary's name for a thing of the
 * target), so it can never take the name of an autoscaler of another
 * workload, and KEDA's own HPA of a copied ScaledObject is `keda-hpa-<name>-primary`.
 */
export class PrimaryAutoscaler {
  private readonly apis: ReturnType<typeof autoscalerApis>;

  constructor(
    clients: KubeClients,
    private readonly serves: Serves,
    private readonly cache?: ClusterCache,
  ) {
    this.apis = autoscalerApis(clients);
  }

  /** Undefined without spec.autoscalerRef: a Rollout without one costs no read. */
  async observe(rollout: Rollout): Promise<AutoscalerSight | undefined> {
    const ref = rollout.spec.autoscalerRef;
    if (!ref) return undefined;
    const api = this.apis[ref.kind];
    const namespace = ownedNames(rollout).namespace;
    if (api.crd && !(await this.serves(api.group, api.version))) {
      return invalid(`spec.autoscalerRef.kind: ${ref.kind} needs ${apiVersionOf(api)}, which the API server does not serve: ${api.crd.install}`);
    }
    const [user, copy] = await Promise.all([this.read(api, namespace, ref.name), this.read(api, namespace, primaryName(ref.name))]);
    if (!user) return invalid(`spec.autoscalerRef.name: ${describeRef(ref, namespace)} not found: create it, or fix or remove spec.autoscalerRef`);
    const wrongTarget = scaleTargetProblem(ref.kind, user, rollout);
    if (wrongTarget) return invalid(wrongTarget);
    const bounds = boundsOf(ref.kind, user);
    const foreign = copy && !ownedBy(copy.metadata, rollout) ? notOwnedMessage(ref.kind, namespace, primaryName(ref.name), copy.metadata) : undefined;
    const observation: AutoscalerObservation = {
      minReplicas: bounds.min,
      maxReplicas: bounds.max,
      desiredReplicas: bounds.desired,
      synced: copy !== undefined && !foreign && copyInSync(copy, user, rollout),
    };
    return { kind: 'observed', observation, ...(foreign ? { foreign } : {}) };
  }

  /** Creates the primary's copy, or carries the user's spec into it; one that is not the Rollout's is never written. */
  async sync(rollout: Rollout): Promise<void> {
    const { ref, api, namespace } = this.refOf(rollout);
    const user = await api.read(namespace, ref.name);
    if (!user) throw new Error(`${describeRef(ref, namespace)} not found`);
    const copyName = primaryName(ref.name);
    const existing = await api.read(namespace, copyName);
    if (!existing) {
      await api.create(namespace, primaryCopy(ref.kind, apiVersionOf(api), user, rollout));
      return;
    }
    assertOwned(rollout, ref.kind, namespace, copyName, existing.metadata);
    if (copyInSync(existing, user, rollout)) return;
    await api.replace(namespace, copyName, primaryCopy(ref.kind, apiVersionOf(api), user, rollout, existing.metadata?.resourceVersion));
  }

  /**
   * Holds the user's autoscaler while the canary is at zero, and lets it go
   * when a release wakes the canary. An HPA needs nothing: it does not scale
   * a target at zero replicas. A ScaledObject is paused at zero with KEDA's
   * annotation, the one write flowshift makes to an object the Rollout
   * adopts through autoscalerRef (as it edits one route of an adopted
   * VirtualService).
   */
  async hold(rollout: Rollout, held: boolean): Promise<void> {
    const ref = rollout.spec.autoscalerRef;
    if (ref?.kind !== 'ScaledObject') return;
    const { api, namespace } = this.refOf(rollout);
    const user = await api.read(namespace, ref.name);
    if (!user || (user.metadata?.annotations?.[KEDA_PAUSED_REPLICAS] === '0') === held) return;
    await api.patch(namespace, ref.name, { metadata: { annotations: { [KEDA_PAUSED_REPLICAS]: held ? '0' : null } } });
  }

  /** Lets the copy outlive the Rollout with the primary it scales (its ownerReference removed). */
  async release(rollout: Rollout): Promise<void> {
    if (!rollout.spec.autoscalerRef) return;
    const { ref, api, namespace } = this.refOf(rollout);
    const copyName = primaryName(ref.name);
    const copy = await api.read(namespace, copyName);
    if (!copy || !ownedBy(copy.metadata, rollout)) return;
    await api.patch(namespace, copyName, { metadata: { ownerReferences: null } });
  }

  private refOf(rollout: Rollout): { ref: AutoscalerRef; api: AutoscalerApi; namespace: string } {
    const ref = rollout.spec.autoscalerRef;
    if (!ref) throw new Error('internal: an autoscaler action for a Rollout without spec.autoscalerRef');
    return { ref, api: this.apis[ref.kind], namespace: ownedNames(rollout).namespace };
  }

  /** The informer's copy when it holds one, else the API server's. */
  private async read(api: AutoscalerApi, namespace: string, name: string): Promise<AutoscalerObject | undefined> {
    return this.cache?.autoscaler?.(api.kind, namespace, name) ?? (await api.read(namespace, name));
  }
}

function invalid(problem: string): AutoscalerSight {
  return { kind: 'invalid', problem };
}

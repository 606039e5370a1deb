import type { CustomObject } from './custom-object.js';
import type { CustomObjectsApi } from '@kubernetes/client-node';
import type { Rollout } from '../api/types.gen.js';
import type { KubeClients } from '../kube/client.js';
import { isNotFound } from '../kube/errors.js';
import { MANAGED_BY, ownedNames } from '../api/names.js';
import { ownerReference } from '../kube/ownership.js';
import { assertOwned, notOwnedMessage, ownedBy } from '../kube/ownership.js';
import { sameJson } from '../kube/same-json.js';
import { NotCached, noRouteCache, type RouteCache } from './route-cache.js';

const MANAGED_LABEL = 'app.kubernetes.io/managed-by';

/**
 * Custom objects (route objects of a mesh or gateway) that a Rollout owns:
 * created with its controller ownerReference, updated only while they carry
 * it. `kinds` maps each plural to its kind.
 */
export class OwnedObjects<Plural extends string> {
  private readonly api: CustomObjectsApi;

  constructor(
    clients: KubeClients,
    private readonly group: string,
    private readonly version: string,
    private readonly kinds: Readonly<Record<Plural, string>>,
    private readonly cache: RouteCache = noRouteCache,
  ) {
    this.api = clients.custom;
  }

  /** The object as the route informer holds it (no request), or read when no informer holds its kind. */
  async observe(rollout: Rollout, plural: Plural, name: string): Promise<CustomObject | undefined> {
    const cached = this.cache.route(plural, ownedNames(rollout).namespace, name);
    return cached === NotCached ? this.read(rollout, plural, name) : cached;
  }

  async read(rollout: Rollout, plural: Plural, name: string): Promise<CustomObject | undefined> {
    const { group, version } = this;
    try {
      return (await this.api.getNamespacedCustomObject({ group, version, plural, namespace: ownedNames(rollout).namespace, name })) as CustomObject;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** The objects among `objects` that exist and are someone else's, each with the fix. */
  async foreign(rollout: Rollout, objects: readonly (readonly [Plural, string])[]): Promise<string[]> {
    const { namespace } = ownedNames(rollout);
    const found = await Promise.all(objects.map(async ([plural, name]) => ({ plural, name, object: await this.read(rollout, plural, name) })));
    return found.flatMap(({ plural, name, object }) => (object && !ownedBy(object.metadata, rollout) ? [notOwnedMessage(this.kinds[plural], namespace, name, object.metadata)] : []));
  }

  notOwned(rollout: Rollout, plural: Plural, name: string, object: CustomObject): string | undefined {
    return ownedBy(object.metadata, rollout) ? undefined : notOwnedMessage(this.kinds[plural], ownedNames(rollout).namespace, name, object.metadata);
  }

  /** Creates the object, or brings an owned one's spec to `spec`; throws OwnershipError for someone else's. */
  async upsert(rollout: Rollout, plural: Plural, name: string, spec: Record<string, unknown>): Promise<void> {
    const { group, version } = this;
    const { namespace } = ownedNames(rollout);
    const current = await this.read(rollout, plural, name);
    const kind = this.kinds[plural];
    if (!current) {
      await this.api.createNamespacedCustomObject({
        group, version, plural, namespace,
        body: { apiVersion: `${group}/${version}`, kind, metadata: { name, namespace, labels: { ...MANAGED_BY }, ownerReferences: [ownerReference(rollout)] }, spec },
      });
      return;
    }
    assertOwned(rollout, kind, namespace, name, current.metadata);
    // The label is how the route informer finds it: an owned object that lost it gets it back.
    const labelled = current.metadata?.labels?.[MANAGED_LABEL] === MANAGED_BY[MANAGED_LABEL];
    if (labelled && sameJson(current.spec, spec)) return;
    // Keys the spec no longer has are cleared explicitly: a merge patch keeps absent keys.
    const cleared = Object.fromEntries(Object.keys(current.spec ?? {}).filter((k) => !(k in spec)).map((k) => [k, null]));
    await this.patch(rollout, plural, name, { ...(labelled ? {} : { metadata: { labels: { ...MANAGED_BY } } }), spec: { ...cleared, ...spec } });
  }

  async patch(rollout: Rollout, plural: Plural, name: string, body: object): Promise<void> {
    const { group, version } = this;
    await this.api.patchNamespacedCustomObject({ group, version, plural, namespace: ownedNames(rollout).namespace, name, body });
  }
}

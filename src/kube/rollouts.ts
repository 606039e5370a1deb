import type { CustomObjectsApi } from '@kubernetes/client-node';
import type { KubeClients } from './client.js';
import type { Rollout, RolloutStatus } from '../api/types.gen.js';
import { isConflict, isNotFound} from './errors.js';
import { GROUP, ROLLOUTS, VERSION } from '../api/names.js';

/** A write that lost to a newer resourceVersion: the tick that made it is dropped. */
export const Conflict = Symbol('conflict');

/** Told of every write that won: the Rollout it was computed from, and the one the API server returned. */
export type RolloutWriteObserver = (before: Rollout, after: Rollout) => void;

/** Rollout reads and writes; every write carries the resourceVersion it was computed from. */
export class RolloutClient {
  private readonly api: CustomObjectsApi;

  constructor(
    clients: KubeClients,
    private readonly onWrite: RolloutWriteObserver = () => undefined,
  ) {
    this.api = clients.custom;
  }

  async get(namespace: string, name: string): Promise<Rollout | undefined> {
    try {
      return (await this.api.getNamespacedCustomObject({ group: GROUP, version: VERSION, plural: ROLLOUTS, namespace, name })) as Rollout;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async list(namespace?: string): Promise<Rollout[]> {
    const list = (namespace
      ? await this.api.listNamespacedCustomObject({ group: GROUP, version: VERSION, plural: ROLLOUTS, namespace })
      : await this.api.listClusterCustomObject({ group: GROUP, version: VERSION, plural: ROLLOUTS })) as { items: Rollout[] };
    return list.items;
  }

  /**
   * Writes the whole status if the Rollout is still at the resourceVersion it
   * was read at. A field the new status leaves out is removed (a merge patch
   * would otherwise keep it).
   */
  async writeStatus(rollout: Rollout, status: RolloutStatus): Promise<Rollout | typeof Conflict> {
    const removed = Object.keys(rollout.status ?? {}).filter((key) => !(key in status));
    const body = { ...Object.fromEntries(removed.map((key) => [key, null])), ...status };
    return this.guarded(rollout, () =>
      this.api.patchNamespacedCustomObjectStatus(
        { ...this.ref(rollout), body: { metadata: { resourceVersion: rollout.metadata.resourceVersion }, status: body } },
      ),
    );
  }

  async setFinalizers(rollout: Rollout, finalizers: string[]): Promise<Rollout | typeof Conflict> {
    return this.guarded(rollout, () =>
      this.api.patchNamespacedCustomObject(
        { ...this.ref(rollout), body: { metadata: { resourceVersion: rollout.metadata.resourceVersion, finalizers } } },
      ),
    );
  }

  /**
   * A merge patch of the main resource, without a resourceVersion: what the
   * kubectl plugin writes (annotations, spec.suspend) never depends on the
   * status the controller writes meanwhile.
   */
  async patch(namespace: string, name: string, body: object): Promise<Rollout> {
    return (await this.api.patchNamespacedCustomObject({ group: GROUP, version: VERSION, plural: ROLLOUTS, namespace, name, body })) as Rollout;
  }

  private ref(rollout: Rollout): { group: string; version: string; plural: string; namespace: string; name: string } {
    return { group: GROUP, version: VERSION, plural: ROLLOUTS, namespace: rollout.metadata.namespace ?? '', name: rollout.metadata.name ?? '' };
  }

  private async guarded(rollout: Rollout, write: () => Promise<unknown>): Promise<Rollout | typeof Conflict> {
    try {
      const written = (await write()) as Rollout;
      this.onWrite(rollout, written);
      return written;
    } catch (err) {
      // A Rollout deleted meanwhile is as stale as one changed meanwhile.
      if (isConflict(err) || isNotFound(err)) return Conflict;
      throw err;
    }
  }
}

import type { Rollout } from '../../api/types.gen.js';
import { ownedNames } from '../../api/names.js';

type Lookup = (namespace: string, name: string) => Rollout | undefined;

/**
 * The cached Rollouts by the Deployment they release, their service name,
 * their autoscaler and their uid, so an informer event or a claim check finds its Rollouts without
 * walking all of them (1,000 Rollouts make that a million steps an interval).
 * It holds names, not objects: every answer is the informer's current copy.
 * Rebuilt on first use after a Rollout was added, deleted or had its spec changed.
 */
export class RolloutIndex {
  private index: Map<string, { namespace: string; name: string }[]> | undefined;

  constructor(
    private readonly all: () => readonly Rollout[],
    private readonly lookup: Lookup,
  ) {}

  invalidate(): void {
    this.index = undefined;
  }

  /** Rollouts of `namespace` releasing Deployment `target`. */
  byTarget(namespace: string, target: string): Rollout[] {
    return this.find(`t/${namespace}/${target}`);
  }

  /** Rollouts of `namespace` whose spec.autoscalerRef names this autoscaler. */
  byAutoscaler(namespace: string, kind: string, name: string): Rollout[] {
    return this.find(`a/${namespace}/${kind}/${name}`);
  }

  byUid(uid: string): Rollout | undefined {
    return this.find(`u/${uid}`)[0];
  }

  /** The Rollouts of the same namespace that claim the same Deployment or service name (the Rollout itself included). */
  rivals(rollout: Rollout): Rollout[] {
    const names = ownedNames(rollout);
    const found = new Map<string, Rollout>();
    for (const r of [...this.byTarget(names.namespace, names.target), ...this.find(`s/${names.namespace}/${names.service}`)]) found.set(r.metadata.uid ?? '', r);
    return [...found.values()];
  }

  private find(key: string): Rollout[] {
    this.index ??= this.build();
    return (this.index.get(key) ?? []).flatMap(({ namespace, name }) => {
      const r = this.lookup(namespace, name);
      return r ? [r] : [];
    });
  }

  private build(): Map<string, { namespace: string; name: string }[]> {
    const index = new Map<string, { namespace: string; name: string }[]>();
    const add = (key: string, entry: { namespace: string; name: string }): void => {
      const list = index.get(key);
      if (list) list.push(entry);
      else index.set(key, [entry]);
    };
    for (const r of this.all()) {
      const names = ownedNames(r);
      const entry = { namespace: names.namespace, name: r.metadata.name ?? '' };
      add(`t/${names.namespace}/${names.target}`, entry);
      add(`s/${names.namespace}/${names.service}`, entry);
      add(`u/${r.metadata.uid ?? ''}`, entry);
      const autoscaler = r.spec.autoscalerRef;
      if (autoscaler) add(`a/${names.namespace}/${autoscaler.kind}/${autoscaler.name}`, entry);
    }
    return index;
  }
}
